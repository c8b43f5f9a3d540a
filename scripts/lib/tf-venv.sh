# Sourced by the scripts (after ensure-deps.sh and python-venv.sh): the venv of the TensorFlow peer.
# ensure_tf_venv [DIR]  makes DIR (default $root/.venv-tf, ignored by /.venv*/) a venv holding tensorflow-cpu (pinned:
#                       2.15.1, the last release whose tf.keras is Keras 2, which ParameterServerStrategy needs; Keras 3
#                       does not support it) and numpy; installs only when missing or the pin changed; progress on
#                       stderr. Prints nothing on stdout.

TF_CPU_VERSION=2.15.1

ensure_tf_venv() {
  local repo dir
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  dir=${1:-$repo/.venv-tf}
  if [ -x "$dir/bin/python" ] && pip_has "$dir" tensorflow-cpu "$TF_CPU_VERSION"; then
    return 0
  fi
  echo "tf venv: setting up $dir (tensorflow-cpu==$TF_CPU_VERSION, ~250 MB download)" >&2
  ensure_python_venv "$dir"
  "$dir/bin/pip" install -q "tensorflow-cpu==$TF_CPU_VERSION" >&2
  "$dir/bin/python" -c 'import tensorflow as tf; print("tf venv: tensorflow", tf.__version__, "ready", file=__import__("sys").stderr)' >&2
}
