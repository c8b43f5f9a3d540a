#!/usr/bin/env bash
# A Tessera cluster over several "hosts" on one machine: each psd, workerd and the client runs in
# its own network namespace with its own address on 10.213.0.0/24, joined by a bridge that lives in
# a namespace of its own (the host's network is not touched). Needs root and iproute2.
#
#   deploy/netns/cluster.sh up        start 2 psd + 3 workerd (token auth on), wait until all joined
#   deploy/netns/cluster.sh test      up, submit an async job from the client namespace, cut worker
#                                     w2's link mid-job, wait for the job to finish, print RESULT, down
#   deploy/netns/cluster.sh status    clusterctl status from the client namespace
#   deploy/netns/cluster.sh down      stop every process, delete the namespaces
#
# Environment: TESSERA_BIN_DIR (default .build/debug), TESSERA_DATA_ROOT (default examples/data),
# TESSERA_NETNS_DIR (state, logs; default /tmp/tessera-netns), TESSERA_NETNS_EPOCHS (test job length),
# TESSERA_NETNS_PREFIX (namespace name prefix, default tsr). Addresses never clash between runs:
# each run's bridge lives in its own namespace.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${TESSERA_BIN_DIR:-$root/.build/debug}
data=${TESSERA_DATA_ROOT:-$root/examples/data}
state=${TESSERA_NETNS_DIR:-/tmp/tessera-netns}
net=10.213.0
prefix=${TESSERA_NETNS_PREFIX:-tsr}   # namespace names: PREFIX-ps0 …; give concurrent runs different prefixes
switch=$prefix-switch
# host name → last address byte
declare -A hosts=([ps0]=10 [ps1]=11 [w0]=20 [w1]=21 [w2]=22 [client]=30)
order=(ps0 ps1 w0 w1 w2 client)
coordinator=$net.10:7070

die() { echo "cluster.sh: $*" >&2; exit 1; }
ns() { echo "$prefix-$1"; }
in_ns() { local host=$1; shift; ip netns exec "$(ns "$host")" "$@"; }
ctl() { in_ns client "$bin/clusterctl" --coordinator "$coordinator" --token-file "$state/token" "$@"; }

preflight() {
  [ "$(id -u)" = 0 ] || die "network namespaces need root (run with sudo)"
  command -v ip >/dev/null || die "ip (iproute2) is not installed: apt-get install iproute2"
  for b in psd workerd clusterctl; do [ -x "$bin/$b" ] || die "$bin/$b is not built: run swift build or set TESSERA_BIN_DIR"; done
}

network_up() {
  ip netns add "$switch"
  in_ns_switch() { ip netns exec "$switch" "$@"; }
  in_ns_switch ip link add br0 type bridge
  in_ns_switch ip link set br0 up
  in_ns_switch ip link set lo up
  local host
  for host in "${order[@]}"; do
    ip netns add "$(ns "$host")"
    # veth pair created inside the switch namespace; one end moves to the host namespace.
    in_ns_switch ip link add "v-$host" type veth peer name eth0 netns "$(ns "$host")"
    in_ns_switch ip link set "v-$host" master br0 up
    in_ns "$host" ip link set lo up
    in_ns "$host" ip addr add "$net.${hosts[$host]}/24" dev eth0
    in_ns "$host" ip link set eth0 up
  done
}

start() { # host name binary args…
  local host=$1 name=$2; shift 2
  ip netns exec "$(ns "$host")" setsid "$@" >"$state/logs/$name.log" 2>&1 &
  echo $! >"$state/pids/$name"
}

cmd_up() {
  preflight
  [ -e "$state/up" ] && die "already up (state in $state); run down first"
  mkdir -p "$state/logs" "$state/pids"
  # 48 hex characters, created 0600: psd and workerd refuse token files others can read or tokens under 16 bytes.
  (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$state/token")
  chmod 600 "$state/token"
  network_up
  touch "$state/up"
  local common=(--token-file "$state/token" --heartbeat-timeout 3)
  start ps0 psd-0 "$bin/psd" --listen "$net.10:7070" --data-listen "$net.10:7071" --coordinator-self --name ps-0 \
    --data-dir "$state/ps-0" --metrics-listen "$net.10:9470" "${common[@]}"
  start ps1 psd-1 "$bin/psd" --listen "$net.11:7070" --data-listen "$net.11:7071" --coordinator "$coordinator" --name ps-1 \
    --data-dir "$state/ps-1" --token-file "$state/token"
  for i in 0 1 2; do
    start "w$i" "workerd-$i" "$bin/workerd" --coordinator "$coordinator" --data-root "$data" --name "worker-$i" \
      --token-file "$state/token"
  done
  local deadline=$((SECONDS + 90)) alive=0
  while [ $SECONDS -lt $deadline ]; do
    alive=$(ctl nodes --json 2>/dev/null | grep -o '"state" *: *"alive"' | wc -l || true)
    [ "$alive" -ge 5 ] && break
    sleep 0.5
  done
  [ "$alive" -ge 5 ] || die "only $alive of 5 nodes joined within 90 s; logs in $state/logs"
  echo "cluster up: 2 psd + 3 workerd on $net.0/24 (coordinator $coordinator, token $state/token)"
  ctl nodes
}

cmd_down() {
  local f pid
  if [ -d "$state/pids" ]; then
    for f in "$state"/pids/*; do
      [ -e "$f" ] || continue
      pid=$(cat "$f"); kill -TERM "$pid" 2>/dev/null || true
    done
    local waited=0
    while [ $waited -lt 50 ]; do  # up to 10 s for a graceful drain
      local running=0
      for f in "$state"/pids/*; do [ -e "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && running=1; done
      [ $running = 0 ] && break
      sleep 0.2; waited=$((waited + 1))
    done
    for f in "$state"/pids/*; do
      [ -e "$f" ] || continue
      pid=$(cat "$f"); kill -KILL "$pid" 2>/dev/null || true; rm -f "$f"
    done
  fi
  local host
  for host in "${order[@]}"; do ip netns del "$(ns "$host")" 2>/dev/null || true; done
  ip netns del "$switch" 2>/dev/null || true
  rm -f "$state/up"
  echo "cluster down"
}

cmd_test() {
  trap cmd_down EXIT
  cmd_up
  local epochs=${TESSERA_NETNS_EPOCHS:-60}
  sed -e "s/epochs: 30/epochs: $epochs/" -e "s/workers: 2/workers: 3/" "$root/examples/cancer-logistic.yaml" >"$state/job.yaml"
  local id
  id=$(ctl submit "$state/job.yaml" --json | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p' | head -1)
  [ -n "$id" ] || die "submit failed"
  echo "submitted $id from $net.${hosts[client]}"
  # Cut worker 2's link once the job is running with progress.
  local deadline=$((SECONDS + 120)) step=0
  while [ $SECONDS -lt $deadline ]; do
    step=$(ctl describe "$id" --json | sed -n 's/^ *"step" *: *\([0-9]*\).*/\1/p' | head -1 || true)
    [ "${step:-0}" -gt 0 ] && break
    sleep 0.2
  done
  in_ns w2 ip link set eth0 down
  echo "cut worker-2's link at step $step"
  local final state_line
  final=""
  deadline=$((SECONDS + 420))
  while [ $SECONDS -lt $deadline ]; do
    final=$(ctl describe "$id" --json || true)
    state_line=$(echo "$final" | sed -n 's/^ *"state" *: *"\([A-Z]*\)".*/\1/p' | head -1 || true)
    case "$state_line" in SUCCEEDED|FAILED|CANCELLED) break ;; esac
    sleep 1
  done
  local accuracy w2
  accuracy=$(echo "$final" | sed -n 's/^ *"accuracy" *: *\([0-9.eE+-]*\).*/\1/p' | head -1 || true)
  # The coordinator judges worker-2 suspect after half the heartbeat timeout and dead after all of it.
  deadline=$((SECONDS + 15))
  while [ $SECONDS -lt $deadline ]; do
    w2=$(ctl nodes --json | tr -d '\n' | tr '{' '\n' | grep '"worker-2"' | sed -n 's/.*"state" *: *"\([a-z]*\)".*/\1/p' | head -1 || true)
    case "$w2" in dead|suspect) break ;; esac
    sleep 0.5
  done
  ctl nodes || true
  echo "RESULT {\"job\": \"$id\", \"state\": \"${state_line:-UNKNOWN}\", \"cut_at_step\": ${step:-0}, \"accuracy\": ${accuracy:-null}, \"worker_2\": \"${w2:-unknown}\"}"
  [ "$state_line" = SUCCEEDED ]
}

cmd_status() { ctl status; }

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  test) cmd_test ;;
  status) cmd_status ;;
  *) echo "usage: $0 up|down|test|status" >&2; exit 2 ;;
esac
