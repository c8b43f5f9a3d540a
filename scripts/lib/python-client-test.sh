#!/usr/bin/env bash
# Runs the Python client's tests (clients/python/tests) against real daemons: installs clients/python[test] into the
# ignored venv .venv-client (made on first use; python3-venv from Debian when missing) and runs pytest. The tests start
# psd/workerd from $TESSERA_BIN_DIR with data from $TESSERA_DATA_ROOT (scripts/test sets both) and skip, saying why,
# without them. ~20 s here.
#   scripts/lib/python-client-test.sh [pytest arguments]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source scripts/lib/ensure-deps.sh
source scripts/lib/python-venv.sh
venv="$root/.venv-client"
ensure_python_venv "$venv"
"$venv/bin/pip" install -q "setuptools>=69" >&2
# The package as it is in the tree now (same version number, so reinstalled without its dependencies), then its
# dependencies and the test extra when missing.
"$venv/bin/pip" install -q --no-build-isolation --no-deps --force-reinstall "$root/clients/python" >&2
"$venv/bin/pip" install -q --no-build-isolation "$root/clients/python[test]" >&2
export TESSERA_BIN_DIR=${TESSERA_BIN_DIR:-$root/.build/debug}
export TESSERA_DATA_ROOT=${TESSERA_DATA_ROOT:-$root/.data}
exec "$venv/bin/python" -m pytest -p no:cacheprovider -q -rs clients/python/tests "$@"
