# Sourced by the scripts (after ensure-deps.sh and python-venv.sh): the venv of the click-log generator.
# ensure_clicklog_venv [DIR]  makes DIR (default $root/.venv-clicklog, ignored by /.venv*/) a venv holding numpy and
#                             pytest (pinned below; pytest only for scripts/lib/test_clicklog_gen.py); installs only when
#                             missing or a pin changed; progress on stderr. Prints nothing on stdout.

CLICKLOG_NUMPY_VERSION=2.2.6
CLICKLOG_PYTEST_VERSION=8.3.5

ensure_clicklog_venv() {
  local repo dir
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  dir=${1:-$repo/.venv-clicklog}
  if [ -x "$dir/bin/python" ] && pip_has "$dir" numpy "$CLICKLOG_NUMPY_VERSION" &&
    pip_has "$dir" pytest "$CLICKLOG_PYTEST_VERSION"; then
    return 0
  fi
  echo "clicklog venv: setting up $dir (numpy==$CLICKLOG_NUMPY_VERSION, pytest==$CLICKLOG_PYTEST_VERSION)" >&2
  [ -x "$dir/bin/python" ] || ensure_python_venv "$dir"
  "$dir/bin/pip" install -q "numpy==$CLICKLOG_NUMPY_VERSION" "pytest==$CLICKLOG_PYTEST_VERSION" >&2
}
