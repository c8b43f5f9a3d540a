"""Connection settings, spec forms and job ids, as clusterctl treats them; no cluster needed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tessera_client import Client, ConfigError, Settings, read_safetensors, read_token, write_safetensors
from tessera_client.client import job_id, spec_text


def token_file(tmp_path, text: str, mode: int = 0o600):
    path = tmp_path / "token"
    path.write_text(text)
    path.chmod(mode)
    return str(path)


def test_token_files_follow_clusterctls_rules(tmp_path):
    assert read_token(token_file(tmp_path, "0123456789abcdef0123\n")) == "0123456789abcdef0123"
    with pytest.raises(ConfigError, match="chmod 600"):
        read_token(token_file(tmp_path, "0123456789abcdef0123", 0o644))
    with pytest.raises(ConfigError, match="at least 16"):
        read_token(token_file(tmp_path, "short"))
    with pytest.raises(ConfigError, match="one line without spaces"):
        read_token(token_file(tmp_path, "0123456789 abcdef0123"))
    with pytest.raises(ConfigError, match="cannot read the token file"):
        read_token(str(tmp_path / "missing"))


def test_arguments_then_environment_then_defaults(tmp_path):
    path = token_file(tmp_path, "from-the-environment-token")
    env = {"TESSERA_COORDINATOR": "10.1.2.3:7070", "TESSERA_TOKEN_FILE": path}
    s = Settings.resolve(environ=env)
    assert (s.coordinator, s.token) == ("10.1.2.3:7070", "from-the-environment-token")
    assert s.metadata() == (("authorization", "Bearer from-the-environment-token"),)
    s = Settings.resolve("127.0.0.1:9000", token="an-explicit-token-value", environ=env)
    assert (s.coordinator, s.token) == ("127.0.0.1:9000", "an-explicit-token-value")
    assert Settings.resolve(environ={}).coordinator == "127.0.0.1:7070" and Settings.resolve(environ={}).metadata() == ()
    with pytest.raises(ConfigError, match="HOST:PORT"):
        Settings.resolve("no-port", environ={})


def test_tls_files_go_together_like_clusterctls_flags():
    with pytest.raises(ConfigError, match="go together"):
        Settings.resolve(tls_cert="c.pem", environ={})
    with pytest.raises(ConfigError, match="mutual TLS"):
        Settings.resolve(tls_ca="ca.pem", environ={})
    s = Settings.resolve(environ={"TESSERA_TLS_CERT": "c.pem", "TESSERA_TLS_KEY": "k.pem", "TESSERA_TLS_CA": "ca.pem"})
    assert s.tls and (s.tls_cert, s.tls_key, s.tls_ca) == ("c.pem", "k.pem", "ca.pem")


def test_a_client_connects_lazily():
    client = Client("127.0.0.1:1", timeout=0.5)
    assert "127.0.0.1:1" in repr(client)
    client.close()


def test_specs_as_text_path_or_dict(tmp_path):
    path = tmp_path / "job.yaml"
    path.write_text("name: x\n")
    assert spec_text(str(path)) == "name: x\n" and spec_text(path) == "name: x\n"
    assert spec_text("name: y\nmodel: {type: linear}") == "name: y\nmodel: {type: linear}"
    assert json.loads(spec_text({"name": "z", "model": {"type": "linear"}})) == {"name": "z", "model": {"type": "linear"}}
    assert [job_id(7), job_id("7"), job_id("job-7")] == ["job-7", "7", "job-7"]


def test_safetensors_round_trip(tmp_path):
    tensors = {"dense_0/kernel": np.arange(6, dtype=np.float32).reshape(3, 2), "dense_0/bias": np.ones(2, np.float32)}
    write_safetensors(str(tmp_path / "m.safetensors"), tensors, {"job": "job-1"})
    read, metadata = read_safetensors(str(tmp_path / "m.safetensors"))
    assert metadata == {"job": "job-1"} and list(read) == list(tensors)
    assert all(np.array_equal(read[k], tensors[k]) for k in tensors)
    raw = (tmp_path / "m.safetensors").read_bytes()
    assert int.from_bytes(raw[:8], "little") % 8 == 0
