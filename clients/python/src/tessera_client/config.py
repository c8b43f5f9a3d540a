"""clusterctl's client config file (kubeconfig-like), read with clusterctl's rules: named contexts, each a coordinator
with its token and TLS files, and `current_context`, the one used when none is named (docs/clusterctl.md#contexts).

The file is $TESSERA_CONFIG, else $XDG_CONFIG_HOME/tessera/config.yaml (an absolute XDG_CONFIG_HOME), else
~/.config/tessera/config.yaml. It is input from outside: at most 256 KiB and 256 contexts, names of 1-128 characters
of A-Z a-z 0-9 . _ - @ : /, paths up to 4096 bytes without control characters, `coordinator` a HOST:PORT, `tls_cert`
and `tls_key` together, no unknown or repeated keys; every error names the file and the key.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from typing import Any, Mapping

from .errors import ConfigError

# The bounds clusterctl applies (ClientConfig.swift).
MAX_BYTES = 256 << 10
MAX_CONTEXTS = 256
MAX_NAME_LENGTH = 128
MAX_PATH_BYTES = 4096

TOP_KEYS = ("current_context", "contexts")
CONTEXT_KEYS = ("name", "coordinator", "token_file", "tls_ca", "tls_cert", "tls_key")
_NAME = re.compile(r"[A-Za-z0-9._\-@:/]+")
_NULL_TAG = "tag:yaml.org,2002:null"


@dataclass(frozen=True)
class Context:
    """One named cluster: its coordinator HOST:PORT, token file and TLS files (paths resolved), each None if unset."""

    name: str
    coordinator: str | None = None
    token_file: str | None = None
    tls_ca: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None


@dataclass(frozen=True)
class ClientConfig:
    """A client config file: where it was read from, its `current_context` and its contexts in file order."""

    file: str
    current_context: str | None = None
    contexts: tuple[Context, ...] = field(default_factory=tuple)

    def context(self, name: str, key: str = "context") -> Context:
        """The context called `name`; ConfigError naming the file and the known names when there is none."""
        for context in self.contexts:
            if context.name == name:
                return context
        known = "its contexts: " + ", ".join(c.name for c in self.contexts) if self.contexts else "it has no contexts"
        raise _error(self.file, key, f"no context named '{name}' ({known})")


def _error(file: str, key: str, message: str) -> ConfigError:
    return ConfigError(f"{file}: {key}: {message}" if key else f"{file}: {message}")


def config_path(environ: Mapping[str, str] | None = None) -> str | None:
    """Where the config file is looked for (clusterctl's order); None when none of the variables is set."""
    env = os.environ if environ is None else environ
    if env.get("TESSERA_CONFIG"):
        return env["TESSERA_CONFIG"]
    xdg = env.get("XDG_CONFIG_HOME", "")
    if xdg.startswith("/"):
        return xdg + "/tessera/config.yaml"
    if env.get("HOME"):
        return env["HOME"] + "/.config/tessera/config.yaml"
    return None


def load_config(path: str, home: str | None = None) -> ClientConfig | None:
    """Reads and parses the file at `path`; None when it does not exist. ConfigError naming the file when it cannot
    be read, is not a regular file, is larger than 256 KiB or holds a bad value."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _error(path, "", f"cannot read it: {error.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _error(path, "", "is not a regular file")
        chunks, size = [], 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
    except OSError as error:
        raise _error(path, "", f"cannot read it: {error.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise _error(path, "", f"larger than {MAX_BYTES} bytes (the client config limit)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _error(path, "", "is not UTF-8 text") from None
    return parse_config(text, path, home)


def parse_config(text: str, file: str, home: str | None = None) -> ClientConfig:
    """Parses a config file's text; every value is checked and an error names `file` and the key. Relative paths are
    resolved against `file`'s folder, `~/` against `home`."""
    if len(text.encode()) > MAX_BYTES:
        raise _error(file, "", f"larger than {MAX_BYTES} bytes (the client config limit)")
    try:
        import yaml
    except ImportError:  # a dependency of the package; only a broken install lacks it
        raise ConfigError(f"{file}: reading a client config file needs PyYAML (pip install pyyaml)") from None
    try:
        # Nodes, not objects: scalars keep their text (7 is "7"), and aliases are walked, never expanded.
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise _error(file, "", f"not valid YAML: {error}") from None
    if root is None or _is_null(root):
        return ClientConfig(file)
    top = _mapping(root, "", TOP_KEYS, file)
    current = _name(top["current_context"], "current_context", file) if "current_context" in top else None
    contexts: list[Context] = []
    items = top.get("contexts")
    if items is not None and not _is_null(items):
        if not isinstance(items, yaml.SequenceNode):
            raise _error(file, "contexts", "must be a list of contexts")
        if len(items.value) > MAX_CONTEXTS:
            raise _error(file, "contexts",
                         f"has {len(items.value)} entries; at most {MAX_CONTEXTS} (the context-count limit)")
        folder = os.path.dirname(file)
        for index, item in enumerate(items.value):
            key = f"contexts[{index}]"
            fields = _mapping(item, key, CONTEXT_KEYS, file)
            if "name" not in fields:
                raise _error(file, f"{key}.name", "is required")
            name = _name(fields["name"], f"{key}.name", file)
            if any(c.name == name for c in contexts):
                raise _error(file, f"{key}.name", f"'{name}' names two contexts")
            coordinator = _string(fields.get("coordinator"), f"{key}.coordinator", file)
            if coordinator is not None and not _is_host_port(coordinator):
                raise _error(file, f"{key}.coordinator", f"'{coordinator}' is not HOST:PORT")

            def path(name: str) -> str | None:
                value = _string(fields.get(name), f"{key}.{name}", file)
                return None if value is None else resolve_path(value, folder, home)

            context = Context(name, coordinator, path("token_file"), path("tls_ca"), path("tls_cert"), path("tls_key"))
            if (context.tls_cert is None) != (context.tls_key is None):
                missing = "tls_cert" if context.tls_cert is None else "tls_key"
                raise _error(file, f"{key}.{missing}", "tls_cert and tls_key go together: give both or neither")
            contexts.append(context)
    return ClientConfig(file, current, tuple(contexts))


def resolve_path(path: str, folder: str, home: str | None) -> str:
    """`~/x` under `home`, a relative path under `folder`, an absolute one as it is."""
    if path.startswith("/"):
        return path
    if (path == "~" or path.startswith("~/")) and home:
        return home + path[1:]
    return os.path.join(folder, path) if folder else path


def _is_null(node: Any) -> bool:
    return getattr(node, "tag", None) == _NULL_TAG


def _mapping(node: Any, key: str, allowed: tuple[str, ...], file: str) -> dict[str, Any]:
    """A mapping node's values by key; refuses other node kinds, keys outside `allowed` and repeated keys."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        what = "must be a mapping (current_context, contexts)" if not key else f"must be a mapping of {', '.join(allowed)}"
        raise _error(file, key, what)
    fields: dict[str, Any] = {}
    for name_node, value in node.value:
        name = name_node.value if isinstance(name_node, yaml.ScalarNode) else "?"
        path = f"{key}.{name}" if key else name
        if name not in allowed:
            raise _error(file, path[:200], _unknown_key(name, allowed))
        if name in fields:
            raise _error(file, path, "is given twice")
        fields[name] = value
    return fields


def _unknown_key(key: str, allowed: tuple[str, ...]) -> str:
    if key in ("tls_server_name", "server_name"):
        return "is not supported: Tessera checks a peer's certificate against the CA, not its host name (docs/security.md)"
    snake = key.replace("-", "_")
    if snake != key and snake in allowed:
        return f"unknown key; did you mean {snake}?"
    return "unknown key; known keys: " + ", ".join(allowed)


def _string(node: Any, key: str, file: str) -> str | None:
    """A scalar of printable characters, at most MAX_PATH_BYTES; None for absent, null or empty."""
    import yaml

    if node is None or _is_null(node):
        return None
    if not isinstance(node, yaml.ScalarNode):
        raise _error(file, key, "must be a string")
    text = node.value
    if not text:
        return None
    if len(text.encode()) > MAX_PATH_BYTES:
        raise _error(file, key, f"is longer than {MAX_PATH_BYTES} bytes")
    if any(ord(c) < 0x20 or ord(c) == 0x7F or 0x80 <= ord(c) < 0xA0 for c in text):
        raise _error(file, key, "contains a control character")
    return text


def _name(node: Any, key: str, file: str) -> str:
    text = _string(node, key, file)
    if text is None:
        raise _error(file, key, "must not be empty")
    check_name(text, key, file)
    return text


def check_name(text: str, key: str, file: str) -> None:
    """ConfigError unless `text` is a usable context name."""
    if not (0 < len(text) <= MAX_NAME_LENGTH and _NAME.fullmatch(text)):
        raise _error(file, key, f"'{text[:MAX_NAME_LENGTH]}' is not a context name "
                                f"(1 to {MAX_NAME_LENGTH} of A-Z a-z 0-9 . _ - @ : /)")


def _is_host_port(text: str) -> bool:
    """clusterctl's HostPort: "host:port", "[v6]:port" or ":port", the port 0-65535."""
    if text.startswith("["):
        close = text.find("]")
        if close < 0 or not text[close + 1:].startswith(":"):
            return False
        port = text[close + 2:]
    else:
        colon = text.rfind(":")
        if colon < 0:
            return False
        port = text[colon + 1:]
    return port.isascii() and port.isdigit() and int(port) <= 65535
