"""Mutual TLS: a cluster whose daemons require client certificates from a private CA (made here by openssl, the
node certificate naming a host that is not the dialled 127.0.0.1), reached by the client with its own certificate."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO, LocalCluster, data_root, require_binaries
from tessera_client import Client, RpcError

MAKE_CERTIFICATES = """
set -e
key() { openssl ecparam -name prime256v1 -genkey -noout -out "$1.key"; chmod 600 "$1.key"; }
key ca
openssl req -x509 -new -key ca.key -out ca.pem -days 2 -subj "/CN=tessera test CA" \\
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
cert() {  # NAME EXTENDED_KEY_USAGE SUBJECT_ALT_NAMES
  key "$1"
  openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$1"
  printf 'basicConstraints=CA:FALSE\\nkeyUsage=critical,digitalSignature,keyEncipherment\\nextendedKeyUsage=%s\\n%s\\n' \\
    "$2" "${3:+subjectAltName=$3}" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out "$1.pem" -extfile "$1.ext"
}
cert node serverAuth,clientAuth DNS:ps-0.example.net
cert alice clientAuth
"""


@pytest.fixture(scope="module")
def tls_cluster():
    binaries = require_binaries("psd", "workerd")
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (apt-get install openssl): mutual TLS not tested")
    data = data_root()
    if data is None:
        pytest.skip("no breast_cancer data (scripts/fetch-data .data breast_cancer)")
    directory = Path(tempfile.mkdtemp(prefix="tessera-pyclient-tls-"))
    pki = directory / "pki"
    pki.mkdir()
    subprocess.run(["bash", "-c", MAKE_CERTIFICATES], cwd=pki, check=True, capture_output=True)
    local = LocalCluster(directory, binaries, data)
    local.daemon_arguments = ["--tls-cert", str(pki / "node.pem"), "--tls-key", str(pki / "node.key"),
                              "--tls-ca", str(pki / "ca.pem")]
    local.client_arguments = {"tls_cert": str(pki / "alice.pem"), "tls_key": str(pki / "alice.key"),
                              "tls_ca": str(pki / "ca.pem")}
    try:
        local.start(shards=1, workers=1)
        yield local
    finally:
        statuses = local.stop()
    if all(s == 0 for s in statuses):
        shutil.rmtree(directory, ignore_errors=True)


def test_mutual_tls_submit_and_pull(tls_cluster):
    with tls_cluster.client() as client:
        assert client.status().health == "SERVING"
        text = (REPO / "examples" / "linear-hello.yaml").read_text()
        job = client.wait(client.submit(text.replace("workers: 2", "workers: 1").replace("ps_shards: 2", "ps_shards: 1")),
                          timeout=120)
        weights = client.pull(job)  # the shard's data plane over the same mutual TLS
        assert np.allclose(weights["dense_0/kernel"], 2, atol=0.1) and np.allclose(weights["dense_0/bias"], 10, atol=0.1)


def test_plaintext_or_a_client_without_the_cas_certificate_gets_no_answer(tls_cluster):
    with Client(tls_cluster.coordinator, token_file=str(tls_cluster.token_file), timeout=5) as plaintext:
        with pytest.raises(RpcError) as refused:
            plaintext.status()
        assert refused.value.code_name == "UNAVAILABLE"
    pki = tls_cluster.dir / "pki"
    # alice's certificate presented, but the server verified against a CA that did not sign it: refused.
    rogue = pki / "rogue"
    rogue.mkdir()
    subprocess.run(["bash", "-c", MAKE_CERTIFICATES], cwd=rogue, check=True, capture_output=True)
    with Client(tls_cluster.coordinator, token_file=str(tls_cluster.token_file), timeout=5,
                tls_cert=str(rogue / "alice.pem"), tls_key=str(rogue / "alice.key"), tls_ca=str(pki / "ca.pem"),
                tls_server_name="ps-0.example.net") as stranger:
        with pytest.raises(RpcError) as refused:
            stranger.status()
        assert refused.value.code_name == "UNAVAILABLE"


def test_a_context_carries_the_tls_files_and_the_token(tls_cluster, monkeypatch):
    import tessera_client as tessera

    for name in ("TESSERA_COORDINATOR", "TESSERA_TOKEN_FILE", "TESSERA_TLS_CERT", "TESSERA_TLS_KEY", "TESSERA_TLS_CA"):
        monkeypatch.delenv(name, raising=False)
    config = tls_cluster.dir / "config.yaml"  # paths relative to the file's folder, as clusterctl reads them
    config.write_text(f"""current_context: tls
contexts:
  - name: tls
    coordinator: {tls_cluster.coordinator}
    token_file: token
    tls_ca: pki/ca.pem
    tls_cert: pki/alice.pem
    tls_key: pki/alice.key
""")
    monkeypatch.setenv("TESSERA_CONFIG", str(config))
    with tessera.connect(timeout=20) as client:
        assert client.settings.tls and client.settings.tls_ca == str(tls_cluster.dir / "pki" / "ca.pem")
        assert client.status().health == "SERVING"
