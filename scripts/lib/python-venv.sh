# Sourced by the scripts (after ensure-deps.sh): Python virtual environments kept in ignored folders.
# ensure_python_venv DIR   makes DIR a venv of the python3 on PATH (installs python3 and python3-venv from
#                          Debian when missing) and prints nothing; pip installs go to DIR/bin/pip.
# pip_has DIR NAME VERSION  whether DIR has NAME installed at exactly VERSION.

ensure_python_venv() {
  local dir=$1
  if [ -x "$dir/bin/python" ] && "$dir/bin/python" -c 'import pip' >/dev/null 2>&1; then
    return 0
  fi
  ensure_apt python3:python3
  # Debian splits venv/ensurepip into python3-venv; a python3 from elsewhere (pyenv) has them.
  if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    echo "installing Debian packages: python3-venv" >&2
    _apt_install python3-venv
  fi
  rm -rf "$dir"
  python3 -m venv "$dir" >&2
  "$dir/bin/python" -m pip install -q --upgrade pip >&2 || true
}

pip_has() {
  local dir=$1 name=$2 version=$3
  [ "$("$dir/bin/python" -c "import importlib.metadata as m; print(m.version('$name'))" 2>/dev/null)" = "$version" ]
}
