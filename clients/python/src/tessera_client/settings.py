"""Where the coordinator is and how to reach it: address, bearer token and TLS, each taken as clusterctl takes it from
the first of: the argument, the environment variable (TESSERA_COORDINATOR, TESSERA_TOKEN_FILE, TESSERA_TLS_CERT/KEY/CA),
the context of the client config file (config.py), the default."""

from __future__ import annotations

import os
import socket
import ssl
import stat
from dataclasses import dataclass
from typing import Mapping

import grpc

from .config import ClientConfig, Context, config_path, load_config
from .errors import ConfigError

DEFAULT_COORDINATOR = "127.0.0.1:7070"
# The same bounds psd and clusterctl apply to a token file (docs/security.md).
MIN_TOKEN_BYTES = 16
MAX_TOKEN_FILE_BYTES = 4096
# The largest gRPC message a Tessera daemon accepts or sends (GRPCLimits.maxMessageBytes).
MAX_MESSAGE_BYTES = 1 << 30


def read_token(path: str) -> str:
    """Reads a token file with clusterctl's rules: a regular file nobody else can read or write, at most 4096 bytes,
    one line without spaces of at least 16 bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise ConfigError(f"cannot read the token file {path}: {error.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"the token file {path} is not a regular file")
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            raise ConfigError(f"the token file {path} is accessible to group or others (mode {mode:o}): run `chmod 600 {path}`")
        data = handle.read(MAX_TOKEN_FILE_BYTES + 1)
    if len(data) > MAX_TOKEN_FILE_BYTES:
        raise ConfigError(f"the token file {path} has more than {MAX_TOKEN_FILE_BYTES} bytes")
    token = data.decode("utf-8", errors="replace").strip()
    if not token:
        raise ConfigError(f"the token file {path} is empty")
    if any(c.isspace() for c in token):
        raise ConfigError(f"the token in {path} must be one line without spaces")
    if len(token.encode()) < MIN_TOKEN_BYTES:
        raise ConfigError(f"the token in {path} has {len(token.encode())} bytes; tokens need at least {MIN_TOKEN_BYTES} "
                          "(e.g. `openssl rand -hex 24`)")
    return token


def _read(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise ConfigError(f"cannot read the {what} {path}: {error.strerror}") from None


def split_address(address: str) -> tuple[str, int]:
    """("host", port) of "host:port" or "[v6]:port"; ConfigError naming the address otherwise."""
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{address!r} is not HOST:PORT")
    return host.strip("[]"), int(port)


def select_context(name: str | None, environ: Mapping[str, str]) -> tuple[ClientConfig | None, Context | None]:
    """The client config file found from `environ` (None when there is none) and the context in use: `name`, else
    its `current_context`, else None. ConfigError when `name` is given without a file or names no context."""
    path = config_path(environ)
    config = load_config(path, environ.get("HOME")) if path else None
    if name is not None:
        if config is None:
            where = path or "$TESSERA_CONFIG"
            raise ConfigError(f"{where}: context {name!r}: there is no client config file "
                              "(set TESSERA_CONFIG or write ~/.config/tessera/config.yaml)")
        return config, config.context(name, "context")
    if config is not None and config.current_context is not None:
        return config, config.context(config.current_context, "current_context")
    return config, None


@dataclass(frozen=True)
class Settings:
    """A resolved connection: coordinator address, token, TLS files and the deadline of each call (seconds); the
    context and config file it came from (None for none) and the token file read (None for a token given as text)."""

    coordinator: str = DEFAULT_COORDINATOR
    token: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    tls_ca: str | None = None
    tls_server_name: str | None = None
    timeout: float = 10.0
    context: str | None = None
    config_file: str | None = None
    token_file: str | None = None

    @classmethod
    def resolve(cls, coordinator: str | None = None, token: str | None = None, token_file: str | None = None,
                tls_cert: str | None = None, tls_key: str | None = None, tls_ca: str | None = None,
                tls_server_name: str | None = None, timeout: float = 10.0,
                environ: Mapping[str, str] | None = None, context: str | None = None) -> "Settings":
        """Each value from the first of: the argument, the environment variable clusterctl reads, the context (`context`,
        else the config file's `current_context`), the default; checked as clusterctl checks. A config file that
        exists is read (and a bad one refused) even when every value is given, as clusterctl does."""
        env = os.environ if environ is None else environ
        config, chosen = select_context(context, env)
        ctx = chosen or Context("")

        def pick(argument: str | None, variable: str, from_context: str | None) -> str | None:
            return argument or env.get(variable) or from_context

        address = pick(coordinator, "TESSERA_COORDINATOR", ctx.coordinator) or DEFAULT_COORDINATOR
        split_address(address)
        path = None
        if token is not None:
            token = token.strip()
            if not token or any(c.isspace() for c in token):
                raise ConfigError("the token must be one non-empty line without spaces")
        else:
            path = pick(token_file, "TESSERA_TOKEN_FILE", ctx.token_file)
            token = read_token(path) if path else None
        cert = pick(tls_cert, "TESSERA_TLS_CERT", ctx.tls_cert)
        key = pick(tls_key, "TESSERA_TLS_KEY", ctx.tls_key)
        ca = pick(tls_ca, "TESSERA_TLS_CA", ctx.tls_ca)
        if (cert is None) != (key is None):
            raise ConfigError("tls_cert and tls_key go together: give both or neither")
        if ca is not None and cert is None:
            raise ConfigError("tls_ca needs tls_cert and tls_key (the cluster uses mutual TLS)")
        if not timeout or timeout <= 0:
            raise ConfigError(f"timeout must be > 0 seconds, got {timeout}")
        return cls(address, token, cert, key, ca, tls_server_name, float(timeout), chosen.name if chosen else None,
                   config.file if config else None, path)

    @property
    def tls(self) -> bool:
        """Whether calls go over TLS."""
        return self.tls_cert is not None

    def metadata(self) -> tuple[tuple[str, str], ...]:
        """The gRPC metadata every call carries: the bearer token, when there is one."""
        return (("authorization", f"Bearer {self.token}"),) if self.token else ()

    def channel(self, address: str) -> grpc.Channel:
        """A channel to `address` ("host:port") with this connection's TLS and Tessera's message limit."""
        split_address(address)
        options = [("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                   ("grpc.max_send_message_length", MAX_MESSAGE_BYTES)]
        if not self.tls:
            return grpc.insecure_channel(address, options=options)
        ca = _read(self.tls_ca, "CA bundle") if self.tls_ca else None
        credentials = grpc.ssl_channel_credentials(
            root_certificates=ca, private_key=_read(self.tls_key, "TLS key"),
            certificate_chain=_read(self.tls_cert, "TLS certificate"))
        name = self.tls_server_name or self.peer_name(address)
        if name:
            options.append(("grpc.ssl_target_name_override", name))
        return grpc.secure_channel(address, credentials, options=options)

    def peer_name(self, address: str) -> str | None:
        """The name in the certificate the server at `address` presents, verified against the CA.

        Tessera checks the CA's signature, not host names (nodes are often dialled by IP and certificates need not
        name them), while gRPC's TLS always checks the name: this handshake finds the name the certificate carries
        so the channel can expect it. None (gRPC then checks the dialled host) when there is no CA to verify with.
        """
        if not self.tls_ca:
            return None
        context = ssl.create_default_context(cafile=self.tls_ca)
        context.check_hostname = False
        context.load_cert_chain(self.tls_cert, self.tls_key)
        host, port = split_address(address)
        try:
            with socket.create_connection((host, port), timeout=self.timeout) as raw:
                with context.wrap_socket(raw) as tls:
                    cert = tls.getpeercert() or {}
        except (OSError, ssl.SSLError):
            return None  # the gRPC call reports the failure with its own status
        names = [v for k, v in cert.get("subjectAltName", ()) if k == "DNS"]
        if names:
            return names[0]
        for rdn in cert.get("subject", ()):
            for k, v in rdn:
                if k == "commonName":
                    return v
        return None
