# Sourced by the scripts (after ensure-deps.sh and python-venv.sh): the venv of the Optuna peer.
# ensure_optuna_venv [DIR]  makes DIR (default $root/venv-optuna, ignored by /venv*/) a venv holding the Python client
#                           (clients/python) and scripts/peer/requirements-optuna.txt; installs only when something is
#                           missing, the pins changed or the client's sources changed; progress on stderr. Prints nothing on stdout.

ensure_optuna_venv() {
  local repo dir requirements stamp want
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  dir=${1:-$repo/venv-optuna}
  requirements="$repo/scripts/peer/requirements-optuna.txt"
  stamp="$dir/.tessera-optuna-stamp"
  # What the venv must hold: the pins and the client's sources as they are in the tree (a change reinstalls it).
  want=$( (cat "$requirements" "$repo/clients/python/pyproject.toml"
    find "$repo/clients/python/src" -name '*.py' -type f | LC_ALL=C sort | xargs cat) | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$dir/bin/python" ] &&
    "$dir/bin/python" -c 'import optuna, tessera_client' >/dev/null 2>&1; then
    return 0
  fi
  echo "optuna venv: setting up $dir (clients/python + $(grep -v '^#' "$requirements" | tr '\n' ' '))" >&2
  ensure_python_venv "$dir"
  "$dir/bin/pip" install -q "setuptools>=69" >&2
  # The client as it is in the tree (reinstalled: its version number rarely changes), then the pinned Optuna.
  "$dir/bin/pip" install -q --no-build-isolation --force-reinstall --no-deps "$repo/clients/python" >&2
  "$dir/bin/pip" install -q --no-build-isolation "$repo/clients/python" -r "$requirements" >&2
  "$dir/bin/python" -c 'import optuna, tessera_client; print("optuna venv: optuna", optuna.__version__, "ready", file=__import__("sys").stderr)' >&2
  echo "$want" >"$stamp"
}
