# Sourced by the scripts: installs what a fresh Debian machine lacks.
# ensure_apt CMD:PACKAGE …  installs PACKAGE when CMD is not on PATH (or, for lib*, when pkg-config lacks it).

apt_updated=0
_apt_install() {
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  if [ $apt_updated = 0 ]; then
    $sudo apt-get update -qq >&2 || true
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >&2
}

ensure_apt() {
  local missing=() item cmd pkg
  for item in "$@"; do
    cmd=${item%%:*}; pkg=${item#*:}
    case "$cmd" in
      pc=*) pkg-config --exists "${cmd#pc=}" 2>/dev/null || missing+=("$pkg") ;;
      *) command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg") ;;
    esac
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing Debian packages: ${missing[*]}" >&2
    _apt_install "${missing[@]}"
  fi
}

# Everything the package needs to build and run.
ensure_build_deps() {
  ensure_apt pkg-config:pkg-config pc=openblas:libopenblas-dev pc=libsystemd:libsystemd-dev \
    pc=zlib:zlib1g-dev pc=sqlite3:libsqlite3-dev
  ensure_apt ip:iproute2 openssl:openssl  # multi-host (netns) and mutual-TLS tests; they skip without
  if ! command -v swift >/dev/null 2>&1; then
    echo "swift is not on PATH: install Swift 6.1 or newer (swift.org) and retry" >&2
    exit 1
  fi
}
