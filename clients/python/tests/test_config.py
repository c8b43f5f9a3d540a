"""clusterctl's client config file read by the Python client: the same contexts, checks and precedence (argument >
environment > context > default); no cluster needed. The cluster tests are in test_contexts.py."""

from __future__ import annotations

import pytest

from tessera_client import ConfigError, Settings, config_path, load_config
from tessera_client.config import MAX_BYTES, MAX_CONTEXTS, parse_config

SAMPLE = """\
# operator contexts
current_context: prod
contexts:
  - name: local
    coordinator: 127.0.0.1:7070
  - name: prod
    coordinator: 10.0.0.10:7070
    token_file: prod.token
    tls_ca: ~/tls/ca.pem
    tls_cert: /etc/tls/me.pem
    tls_key: /etc/tls/me.key
"""


def test_contexts_are_read_with_paths_resolved():
    config = parse_config(SAMPLE, "/home/a/.config/tessera/config.yaml", "/home/a")
    assert config.current_context == "prod"
    assert [c.name for c in config.contexts] == ["local", "prod"]
    prod = config.context("prod")
    assert prod.coordinator == "10.0.0.10:7070"
    assert prod.token_file == "/home/a/.config/tessera/prod.token"
    assert (prod.tls_ca, prod.tls_cert, prod.tls_key) == ("/home/a/tls/ca.pem", "/etc/tls/me.pem", "/etc/tls/me.key")
    assert parse_config("", "f").contexts == () and parse_config("# only a comment\n", "f").contexts == ()
    with pytest.raises(ConfigError, match=r"^/c\.yaml: context: no context named 'nope' \(its contexts: local, prod\)"):
        parse_config(SAMPLE, "/c.yaml").context("nope")


@pytest.mark.parametrize("text, key, words", [
    ("contexts: [{name: a, coordinator: nope}]", "contexts[0].coordinator", "HOST:PORT"),
    ("contexts: [{name: a, coordinator: 'h:99999'}]", "contexts[0].coordinator", "HOST:PORT"),
    ("contexts: [{name: a, tls_server_name: x}]", "contexts[0].tls_server_name", "not supported"),
    ("current-context: a", "current-context", "did you mean current_context"),
    ("contexts: [{name: a}, {name: a}]", "contexts[1].name", "two contexts"),
    ("contexts: [{coordinator: 'h:1'}]", "contexts[0].name", "required"),
    ("contexts: [{name: 'a b'}]", "contexts[0].name", "not a context name"),
    ('contexts: [{name: "a\\u001b[31m"}]', "contexts[0].name", "control character"),
    ("contexts: [{name: a, tls_cert: c.pem}]", "contexts[0].tls_key", "go together"),
    ("contexts: [{name: a, token_file: [x]}]", "contexts[0].token_file", "must be a string"),
    ("contexts: {name: a}", "contexts", "list"),
    ("contexts: [7]", "contexts[0]", "mapping"),
    ("- a\n- b", "", "mapping"),
    ("current_context: [a]", "current_context", "must be a string"),
    ("contexts: [{name: a, coordinator: 'h:1', coordinator: 'h:2'}]", "contexts[0].coordinator", "given twice"),
    ("contexts: [{name: a", "", "not valid YAML"),
    ("contexts: [{name: a, token_file: '" + "x" * 5000 + "'}]", "contexts[0].token_file", "4096"),
    ("contexts: [{name: '" + "n" * 200 + "'}]", "contexts[0].name", "not a context name"),
])
def test_every_bad_value_is_refused_naming_the_file_and_key(text, key, words):
    with pytest.raises(ConfigError) as refused:
        parse_config(text, "/cfg.yaml", "/h")
    message = str(refused.value)
    assert message.startswith(f"/cfg.yaml: {key}: " if key else "/cfg.yaml: "), message
    assert words in message


def test_size_count_and_aliases_are_bounded(tmp_path):
    many = "contexts:\n" + "".join(f"  - name: c{i}\n" for i in range(MAX_CONTEXTS + 1))
    with pytest.raises(ConfigError, match="context-count limit"):
        parse_config(many, "f")
    huge = tmp_path / "huge.yaml"
    huge.write_text("# " + "x" * MAX_BYTES + "\n")
    with pytest.raises(ConfigError, match="the client config limit"):
        load_config(str(huge))
    # Aliases are walked as nodes, never expanded: a "billion laughs" document is refused for its shape, at once.
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))
    with pytest.raises(ConfigError, match="unknown key"):
        parse_config(laughs, "f")
    assert load_config(str(tmp_path / "absent.yaml")) is None
    with pytest.raises(ConfigError, match="not a regular file"):
        load_config(str(tmp_path))


def test_where_the_file_is_looked_for():
    assert config_path({"TESSERA_CONFIG": "/x.yaml", "HOME": "/h"}) == "/x.yaml"
    assert config_path({"XDG_CONFIG_HOME": "/xdg", "HOME": "/h"}) == "/xdg/tessera/config.yaml"
    assert config_path({"XDG_CONFIG_HOME": "relative", "HOME": "/h"}) == "/h/.config/tessera/config.yaml"
    assert config_path({}) is None


def write_config(tmp_path, text: str = SAMPLE.replace("~/tls/ca.pem", "ca.pem")) -> dict:
    """SAMPLE (or `text`) in tmp_path, a 0600 token file beside it; the environment that points at it."""
    (tmp_path / "config.yaml").write_text(text)
    token = tmp_path / "prod.token"
    token.write_text("prod-token-0123456789\n")
    token.chmod(0o600)
    return {"TESSERA_CONFIG": str(tmp_path / "config.yaml"), "HOME": str(tmp_path)}


def test_the_current_context_fills_what_arguments_and_environment_leave(tmp_path):
    env = write_config(tmp_path)
    s = Settings.resolve(environ=env)
    assert (s.context, s.config_file) == ("prod", str(tmp_path / "config.yaml"))
    assert (s.coordinator, s.token, s.token_file) == ("10.0.0.10:7070", "prod-token-0123456789", str(tmp_path / "prod.token"))
    assert (s.tls_ca, s.tls_cert, s.tls_key) == (str(tmp_path / "ca.pem"), "/etc/tls/me.pem", "/etc/tls/me.key")
    # Each value on its own: the environment's coordinator wins, the context's token file still applies.
    s = Settings.resolve(environ={**env, "TESSERA_COORDINATOR": "10.0.0.11:7070"})
    assert (s.coordinator, s.token) == ("10.0.0.11:7070", "prod-token-0123456789")
    # An argument beats both; a token given as text beats every token file.
    s = Settings.resolve("127.0.0.1:9000", token="an-explicit-token-value", environ={**env, "TESSERA_COORDINATOR": "h:1"})
    assert (s.coordinator, s.token, s.token_file, s.tls_cert) == ("127.0.0.1:9000", "an-explicit-token-value", None, "/etc/tls/me.pem")


def test_a_named_context_instead_of_the_current_one(tmp_path):
    env = write_config(tmp_path)
    s = Settings.resolve(environ=env, context="local")
    assert (s.context, s.coordinator, s.token, s.tls) == ("local", "127.0.0.1:7070", None, False)
    with pytest.raises(ConfigError, match=r"config\.yaml: context: no context named 'staging' \(its contexts: local, prod\)"):
        Settings.resolve(environ=env, context="staging")
    with pytest.raises(ConfigError, match="there is no client config file"):
        Settings.resolve(environ={"TESSERA_CONFIG": str(tmp_path / "absent.yaml")}, context="local")
    # No file and no context: the defaults, as before.
    s = Settings.resolve(environ={"TESSERA_CONFIG": str(tmp_path / "absent.yaml")})
    assert (s.context, s.config_file, s.coordinator) == (None, None, "127.0.0.1:7070")


def test_a_bad_file_or_a_dangling_current_context_stops_the_connection(tmp_path):
    env = write_config(tmp_path, "current_context: gone\ncontexts: [{name: local}]\n")
    with pytest.raises(ConfigError, match="current_context: no context named 'gone'"):
        Settings.resolve(environ=env)
    env = write_config(tmp_path, "contexts: [{name: a, coordinator: '10.0.0.10'}]\n")
    with pytest.raises(ConfigError, match=r"contexts\[0\]\.coordinator: '10\.0\.0\.10' is not HOST:PORT"):
        Settings.resolve("127.0.0.1:7070", environ=env)
    # The context's token file is checked like any other (mode 0600).
    env = write_config(tmp_path)
    (tmp_path / "prod.token").chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        Settings.resolve(environ=env)
