"""`tessera_client.connect()` through clusterctl's client config file against the real local cluster (conftest.py),
and the settings it resolves compared with `clusterctl config view` for the same file and environment."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import free_port, require_binaries
import tessera_client as tessera
from tessera_client import ConfigError, RpcError, Settings

VARIABLES = ("TESSERA_CONFIG", "TESSERA_COORDINATOR", "TESSERA_TOKEN_FILE", "TESSERA_TLS_CERT", "TESSERA_TLS_KEY",
             "TESSERA_TLS_CA", "XDG_CONFIG_HOME")


@pytest.fixture()
def clean_env(monkeypatch, tmp_path):
    """No TESSERA_* variables and a HOME without a config file, so only what a test sets applies."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    return monkeypatch


def write_config(path, cluster, current: str) -> str:
    """A config with `cluster` (the local cluster: coordinator and token file), `nowhere` (a closed port) and `moved`
    (the cluster's token file, a closed port for its coordinator)."""
    path.write_text(f"""# written by test_contexts.py
current_context: {current}
contexts:
  - name: cluster
    coordinator: {cluster.coordinator}
    token_file: {cluster.token_file}
  - name: nowhere
    coordinator: 127.0.0.1:{free_port()}
  - name: moved
    coordinator: 127.0.0.1:{free_port()}
    token_file: {cluster.token_file}
""")
    return str(path)


def test_connect_uses_the_current_context(cluster, clean_env, tmp_path):
    clean_env.setenv("TESSERA_CONFIG", write_config(tmp_path / "config.yaml", cluster, current="cluster"))
    with tessera.connect(timeout=20) as client:
        assert client.settings.context == "cluster" and client.coordinator == cluster.coordinator
        assert client.status().health == "SERVING"  # the context's token file was read and sent


def test_connect_to_a_named_context_and_the_environment_over_it(cluster, clean_env, tmp_path):
    clean_env.setenv("TESSERA_CONFIG", write_config(tmp_path / "config.yaml", cluster, current="nowhere"))
    with tessera.connect(context="cluster", timeout=20) as client:
        assert client.status().health == "SERVING"
    with tessera.connect(timeout=2) as client:  # the current context's coordinator listens nowhere
        with pytest.raises(RpcError) as refused:
            client.status()
        assert refused.value.code_name == "UNAVAILABLE"
    # TESSERA_COORDINATOR replaces only the coordinator: the token still comes from the context named.
    clean_env.setenv("TESSERA_COORDINATOR", cluster.coordinator)
    with tessera.connect(context="moved", timeout=20) as client:
        assert client.settings.token_file == str(cluster.token_file)
        assert client.status().health == "SERVING"
    with pytest.raises(ConfigError, match="no context named 'staging'"):
        tessera.connect(context="staging")


def test_without_a_token_from_the_context_the_cluster_refuses(cluster, clean_env, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(f"current_context: bare\ncontexts: [{{name: bare, coordinator: '{cluster.coordinator}'}}]\n")
    clean_env.setenv("TESSERA_CONFIG", str(config))
    with tessera.connect(timeout=20) as client:
        with pytest.raises(RpcError) as refused:
            client.status()
        assert refused.value.code_name == "UNAUTHENTICATED"


def clusterctl_view(binaries, env: dict, *arguments: str) -> dict:
    out = subprocess.run([str(binaries / "clusterctl"), "config", "view", "-o", "json", *arguments], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_the_same_settings_as_clusterctl_config_view(tmp_path):
    binaries = require_binaries("clusterctl")
    folder = tmp_path / "cfg"
    folder.mkdir()
    token = folder / "prod.token"
    token.write_text("prod-token-0123456789\n")
    token.chmod(0o600)
    (folder / "config.yaml").write_text("""current_context: prod
contexts:
  - name: local
    coordinator: 127.0.0.1:7070
  - name: prod
    coordinator: 10.0.0.10:7070
    token_file: prod.token
    tls_ca: tls/ca.pem
    tls_cert: ~/tls/me.pem
    tls_key: ~/tls/me.key
""")
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TESSERA_CONFIG": str(folder / "config.yaml")}
    for extra, context in [({}, None), ({"TESSERA_COORDINATOR": "10.0.0.11:7070"}, None), ({}, "local"),
                           ({"TESSERA_TLS_CA": "/other/ca.pem"}, "prod")]:
        env = {**base, **extra}
        view = clusterctl_view(binaries, env, *(["--context", context] if context else []))
        ours = Settings.resolve(environ=env, context=context)

        def value(key: str):
            return (view.get(key) or {}).get("value")

        assert (ours.context, ours.config_file) == (view.get("context"), view.get("config_file")), (extra, context)
        assert (ours.coordinator, ours.token_file, ours.tls_ca, ours.tls_cert, ours.tls_key) == (
            value("coordinator"), value("token_file"), value("tls_ca"), value("tls_cert"), value("tls_key")), (extra, context)
