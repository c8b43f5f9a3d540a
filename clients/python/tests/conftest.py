"""A real local Tessera cluster for the tests: the built psd and workerd binaries on loopback, like
Tests/EndToEndTests do (a coordinator psd, a second psd, two workerd), protected by a bearer token.

Binaries come from $TESSERA_BIN_DIR (else .build/debug), data from $TESSERA_DATA_ROOT (else .data, else the copy in
examples/data). Tests that need them are skipped, with the reason, when either is missing.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tessera_client import Client, RpcError

REPO = Path(__file__).resolve().parents[3]


def bin_dir() -> Path:
    """Where psd, workerd and clusterctl are built."""
    return Path(os.environ.get("TESSERA_BIN_DIR") or REPO / ".build" / "debug")


def data_root() -> Path | None:
    """A data root holding breast_cancer/breast_cancer.csv, or None."""
    for candidate in (os.environ.get("TESSERA_DATA_ROOT"), REPO / ".data", REPO / "examples" / "data"):
        if candidate and (Path(candidate) / "breast_cancer" / "breast_cancer.csv").is_file():
            return Path(candidate)
    return None


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalCluster:
    """Real daemons on loopback, stopped with SIGTERM (SIGKILL after 10 s)."""

    def __init__(self, directory: Path, binaries: Path, data: Path) -> None:
        self.dir, self.bin, self.data = directory, binaries, data
        self.processes: list[subprocess.Popen] = []
        self.token = secrets.token_hex(24)
        self.token_file = directory / "token"
        self.token_file.write_text(self.token + "\n")
        self.token_file.chmod(0o600)
        (directory / "logs").mkdir()
        self.coordinator = ""
        # Added to every daemon's command line (e.g. TLS files) and to every client's arguments.
        self.daemon_arguments: list[str] = []
        self.client_arguments: dict = {}

    def launch(self, name: str, binary: str, *arguments: str) -> subprocess.Popen:
        """Starts `binary` with its output in logs/NAME.log."""
        log = open(self.dir / "logs" / f"{name}.log", "wb")
        process = subprocess.Popen([str(self.bin / binary), *arguments], stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.processes.append(process)
        return process

    def start(self, shards: int = 2, workers: int = 2) -> None:
        token = ["--token-file", str(self.token_file), *self.daemon_arguments]
        port_file = self.dir / "coordinator"
        self.launch("psd-0", "psd", "--listen", "127.0.0.1:0", "--coordinator-self", "--name", "ps-0",
                    "--data-dir", str(self.dir / "psd-0"), "--port-file", str(port_file), *token)
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the coordinator never wrote {port_file}; logs in {self.dir / 'logs'}")
            time.sleep(0.05)
        self.coordinator = port_file.read_text().strip()
        for i in range(1, shards):
            self.launch(f"psd-{i}", "psd", "--listen", "127.0.0.1:0", "--coordinator", self.coordinator,
                        "--name", f"ps-{i}", "--data-dir", str(self.dir / f"psd-{i}"), *token)
        for i in range(workers):
            # worker-0 also serves the replicas the coordinator places (workerd builds that have serving).
            serve = ["--serve-listen", f"127.0.0.1:{free_port()}"] if i == 0 and self.serving_supported() else []
            self.launch(f"workerd-{i}", "workerd", "--coordinator", self.coordinator, "--data-root", str(self.data),
                        "--name", f"worker-{i}", *token, *serve)
        with self.client() as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if sum(n.state == "alive" for n in client.nodes()) >= shards + workers:
                        return
                except RpcError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the cluster did not come up; logs in {self.dir / 'logs'}")
                time.sleep(0.2)

    def serving_supported(self) -> bool:
        """Whether this workerd serves replicas placed by the coordinator (--serve-advertise came with it)."""
        out = subprocess.run([str(self.bin / "workerd"), "--help"], capture_output=True, text=True, timeout=30)
        return "--serve-advertise" in out.stdout + out.stderr

    def client(self, **overrides) -> Client:
        """A client of this cluster with its token (arguments override)."""
        arguments = {"token_file": str(self.token_file), "timeout": 20.0, **self.client_arguments, **overrides}
        return Client(self.coordinator, **arguments)

    def stop(self) -> list[int]:
        """SIGTERM every process, SIGKILL after 10 s; the exit statuses."""
        for p in self.processes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for p in self.processes:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        return [p.returncode for p in self.processes]


def require_binaries(*names: str) -> Path:
    """The binary folder, or a visible skip naming what is missing."""
    binaries = bin_dir()
    missing = [n for n in names if not os.access(binaries / n, os.X_OK)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not built in {binaries}: run `swift build --build-tests` or set TESSERA_BIN_DIR")
    return binaries


@pytest.fixture(scope="session")
def cluster():
    """2 psd + 2 workerd with a bearer token, for the whole session."""
    binaries = require_binaries("psd", "workerd")
    data = data_root()
    if data is None:
        pytest.skip("no breast_cancer/breast_cancer.csv under $TESSERA_DATA_ROOT, .data or examples/data: "
                    "run scripts/fetch-data .data breast_cancer")
    directory = Path(tempfile.mkdtemp(prefix="tessera-pyclient-"))
    local = LocalCluster(directory, binaries, data)
    try:
        local.start()
        yield local
    finally:
        statuses = local.stop()
    if all(s == 0 for s in statuses):
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture()
def client(cluster):
    """A client of the session's cluster, closed after the test."""
    with cluster.client() as c:
        yield c


@pytest.fixture(scope="session")
def cancer_job(cluster):
    """examples/cancer-logistic.yaml trained to the end (submitted by path), with every snapshot watch yielded."""
    with cluster.client() as c:
        submitted = c.submit(str(REPO / "examples" / "cancer-logistic.yaml"))
        snapshots = list(c.watch(submitted, interval=0.2))
        return submitted, snapshots, c.wait(submitted, timeout=300)
