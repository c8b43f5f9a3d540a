"""The client against a real local cluster (conftest.py): what a user of the package would check."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import time

import numpy as np
import pytest

from conftest import REPO, free_port, require_binaries
from tessera_client import (Client, JobCancelled, RpcError, ServingError, TesseraError, Timeout, model_status,
                            predict, read_safetensors)

# A job that runs long enough to be seen RUNNING, checkpointed and cancelled (a dict, sent as JSON).
LONG_JOB = {
    "name": "cancer-long",
    "model": {"type": "logistic"},
    "data": {"format": "csv", "train": "breast_cancer/breast_cancer.csv", "label": "target", "test_fraction": 0.3,
             "normalize": "standard", "batch_size": 16},
    "optimizer": {"type": "sgd", "learning_rate": 0.01},
    "training": {"mode": "async", "epochs": 100000},
    "cluster": {"workers": 1, "ps_shards": 2},
}


def test_status_nodes_and_health(client, cluster):
    status = client.status()
    assert status.health == "SERVING"
    roles = sorted((n.role, n.state) for n in status.nodes)
    assert roles == [("ps", "alive"), ("ps", "alive"), ("worker", "alive"), ("worker", "alive")]
    assert client.nodes() and client.health() == "SERVING"


def test_cancer_job_succeeds_with_the_accuracy_the_swift_tests_assert(cancer_job, client):
    submitted, snapshots, final = cancer_job
    assert submitted.state == "PENDING" and submitted.name == "cancer-logistic"
    assert final.state == "SUCCEEDED" and final.step > 0
    assert final.accuracy is not None and final.accuracy >= 0.95, final
    assert final.eval_metrics is not None and final.eval_metrics.count > 0
    # watch: progress that never goes back, ending with the final state.
    assert snapshots[-1].state == "SUCCEEDED"
    steps = [s.step for s in snapshots]
    assert steps == sorted(steps) and len(snapshots) >= 2
    # The listing shows it; the state filter and limit work.
    assert final.id in [j.id for j in client.jobs()]
    assert final.id in [j.id for j in client.jobs(state="succeeded")]
    assert final.id not in [j.id for j in client.jobs(state="FAILED")]
    assert len(client.jobs(limit=1)) == 1
    described = client.describe(final.id)
    assert [v.name for v in described.variables] == ["dense_0/kernel", "dense_0/bias"]
    assert len(described.proto.history) > 0


def test_pull_gives_numpy_arrays_of_the_placed_shapes(cancer_job, client, cluster):
    _, _, job = cancer_job
    weights = client.pull(job)
    assert list(weights) == ["dense_0/kernel", "dense_0/bias"]
    assert weights["dense_0/kernel"].shape == (30, 1) and weights["dense_0/kernel"].dtype == np.float32
    assert weights["dense_0/bias"].shape == (1,)
    assert np.all(np.isfinite(weights["dense_0/kernel"])) and np.any(weights["dense_0/kernel"] != 0)
    only = client.pull(job.id, variable="dense_0/bias")
    assert list(only) == ["dense_0/bias"] and np.array_equal(only["dense_0/bias"], weights["dense_0/bias"])
    # The same values clusterctl reads (its native data plane against this client's gRPC one).
    clusterctl = cluster.bin / "clusterctl"
    if os.access(clusterctl, os.X_OK):
        out = subprocess.run([str(clusterctl), "pull", job.id, "--json", "--coordinator", cluster.coordinator,
                              "--token-file", str(cluster.token_file)], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        theirs = {v["name"]: np.asarray(v["values"], np.float32) for v in json.loads(out.stdout)}
        for name, values in weights.items():
            assert np.array_equal(theirs[name], values.reshape(-1)), name


def test_export_safetensors_and_npz(cancer_job, client, tmp_path):
    _, _, job = cancer_job
    path = tmp_path / "cancer.safetensors"
    written = client.export(job, path)
    tensors, metadata = read_safetensors(str(path))
    assert list(tensors) == list(written)
    for name in written:
        assert np.array_equal(tensors[name], written[name])
    assert metadata["job"] == job.id and metadata["name"] == "cancer-logistic" and metadata["state"] == "SUCCEEDED"
    assert "cancer-logistic" in metadata["spec"] and json.loads(metadata["preprocessing"])["features"]
    client.export(job.id, tmp_path / "cancer.npz")
    archive = np.load(tmp_path / "cancer.npz")
    assert np.array_equal(archive["dense_0/kernel"], written["dense_0/kernel"])
    assert json.loads(str(archive["__metadata__"]))["job"] == job.id


def test_predict_against_workerd_serving_an_export(cancer_job, client, cluster, tmp_path):
    require_binaries("workerd")
    _, _, job = cancer_job
    export = tmp_path / "cancer.safetensors"
    client.export(job, export)  # written by this package, served by the Swift server
    address = f"127.0.0.1:{free_port()}"
    server = cluster.launch("serve", "workerd", "--serve-model", str(export), "--serve-listen", address,
                            "--token-file", str(cluster.token_file))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status = model_status("cancer-logistic", address, token=cluster.token)
                break
            except ServingError:
                assert server.poll() is None, f"workerd --serve-model exited {server.returncode}"
                assert time.monotonic() < deadline, "workerd --serve-model never answered"
                time.sleep(0.2)
        assert status["model_version_status"][0]["version"] == str(job.step)
        with open(cluster.data / "breast_cancer" / "breast_cancer.csv") as handle:
            rows = list(csv.DictReader(handle))
        features = json.loads(job.preprocessing or client.get(job).preprocessing)["features"]
        x = np.array([[float(r[f]) for f in features] for r in rows])
        y = np.array([int(float(r["target"])) for r in rows])
        p = client.predict("cancer-logistic", x, address=address)
        assert p.shape == (len(rows), 1) and np.all((p >= 0) & (p <= 1))
        assert np.mean((p[:, 0] > 0.5) == y) >= 0.95
        single = predict("cancer-logistic", x[0], address, token=cluster.token)
        assert single.shape == (1, 1) and np.isclose(single[0, 0], p[0, 0])
        with pytest.raises(ServingError) as wrong:
            client.predict("cancer-logistic", [[1.0, 2.0]], address=address)
        assert wrong.value.status == 400 and "30" in wrong.value.message
        with pytest.raises(ServingError) as unauthorised:
            predict("cancer-logistic", x[:1], address, token="wrong-token-0123456789")
        assert unauthorised.value.status == 401
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_predict_from_a_replica_the_coordinator_placed(cancer_job, client, cluster):
    if not cluster.serving_supported():
        pytest.skip(f"the workerd in {cluster.bin} has no serving replicas (--serve-advertise)")
    _, _, job = cancer_job
    served = client.serve(job, replicas=1, refresh_ms=200)
    assert served.proto.serving_replicas == 1
    deadline = time.monotonic() + 60
    while True:
        current = client.get(job)
        if any(r.state == "serving" for r in current.serving):
            break
        assert time.monotonic() < deadline, f"no replica came up: {current.serving}"
        time.sleep(0.2)
    (replica,) = current.serving
    assert replica.version == job.step and replica.url.endswith("/v1/models/cancer-logistic")
    assert any(job.id in n.serving and n.serving_address for n in client.nodes())
    with open(cluster.data / "breast_cancer" / "breast_cancer.csv") as handle:
        rows = list(csv.DictReader(handle))
    features = json.loads(client.get(job).preprocessing)["features"]
    x = np.array([[float(r[f]) for f in features] for r in rows])
    y = np.array([int(float(r["target"])) for r in rows])
    by_name = client.predict("cancer-logistic", x)  # the newest job of that name, its serving replica
    assert by_name.shape == (len(rows), 1) and np.mean((by_name[:, 0] > 0.5) == y) >= 0.95
    assert np.allclose(client.predict(job.id, x[:3]), by_name[:3])
    assert client.unserve(job).proto.serving_replicas == 0
    with pytest.raises(TesseraError, match="no replica serving"):
        client.predict(job.id, x[:1])


def test_a_bad_spec_is_refused_naming_the_key(client):
    spec = dict(LONG_JOB, name="bad", data=dict(LONG_JOB["data"], batch_size=0))
    with pytest.raises(RpcError) as refused:
        client.submit(spec)
    assert refused.value.code_name == "INVALID_ARGUMENT"
    assert "batch_size" in refused.value.message
    with pytest.raises(RpcError) as missing:
        client.get("job-9999")
    assert missing.value.code_name == "NOT_FOUND" and "job-9999" in missing.value.message


def test_a_wrong_or_missing_token_is_refused(cluster):
    with Client(cluster.coordinator, token="wrong-token-0123456789abcdef") as wrong:
        with pytest.raises(RpcError) as refused:
            wrong.status()
        assert refused.value.code_name == "UNAUTHENTICATED"
        assert wrong.health() == "SERVING"  # health needs no token
    with Client(cluster.coordinator) as anonymous:
        with pytest.raises(RpcError) as refused:
            anonymous.jobs()
        assert refused.value.code_name == "UNAUTHENTICATED" and "token" in refused.value.message


def test_wait_timeout_checkpoint_cancel_and_delete(client):
    job = client.submit(LONG_JOB)
    with pytest.raises(Timeout) as timed_out:
        client.wait(job, timeout=1, interval=0.2)
    assert timed_out.value.job.id == job.id and not timed_out.value.job.done
    deadline = time.monotonic() + 60
    while (current := client.get(job)).step == 0 or current.state != "RUNNING":
        assert time.monotonic() < deadline, f"the long job never ran: {current}"
        time.sleep(0.2)
    checkpoint = client.checkpoint(job)
    assert checkpoint.version > 0 and checkpoint.manifest and checkpoint.files > 0
    running = client.pull(job)
    assert running["dense_0/kernel"].shape == (30, 1)
    with pytest.raises(RpcError) as active:
        client.delete(job)
    assert active.value.code_name == "FAILED_PRECONDITION"
    assert client.cancel(job).id == job.id
    with pytest.raises(JobCancelled) as cancelled:
        client.wait(job, timeout=60)
    assert cancelled.value.job.state == "CANCELLED"
    assert client.delete(job).id == job.id
    with pytest.raises(RpcError) as gone:
        client.get(job)
    assert gone.value.code_name == "NOT_FOUND"
    forced = client.submit(dict(LONG_JOB, name="cancer-forced"))
    assert client.delete(forced, force=True).id == forced.id
    assert forced.id not in [j.id for j in client.jobs()]


def _clusterctl_export(cluster, job_id: str, path) -> dict:
    clusterctl = cluster.bin / "clusterctl"
    if not os.access(clusterctl, os.X_OK):
        pytest.skip(f"clusterctl not built in {cluster.bin}")
    out = subprocess.run([str(clusterctl), "export", job_id, "--out", str(path), "--coordinator", cluster.coordinator,
                          "--token-file", str(cluster.token_file)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return read_safetensors(str(path))[0]


def test_chunked_partitions_read_the_same_values_as_clusterctl(client, cluster, tmp_path):
    # dense_0/kernel [30, 65536] split over 2 shards: 3.75 MiB partitions, pulled in 2 MiB row chunks.
    spec = dict(LONG_JOB, name="wide-mlp", model={"type": "mlp", "hidden": [65536]},
                training={"mode": "async", "max_steps": 3}, cluster={"workers": 1, "ps_shards": 2})
    job = client.wait(client.submit(spec), timeout=120)
    placed = client.get(job).proto.placement
    assert any(p.row_count * 65536 * 4 > 2 << 20 for p in placed if p.variable == "dense_0/kernel")
    ours = client.pull(job)
    assert ours["dense_0/kernel"].shape == (30, 65536) and ours["dense_1/kernel"].shape == (65536, 1)
    theirs = _clusterctl_export(cluster, job.id, tmp_path / "wide.safetensors")
    assert sorted(theirs) == sorted(ours)
    for name in ours:
        assert np.array_equal(theirs[name], ours[name]), name
    client.delete(job)


def test_embedding_tables_read_the_same_rows_as_clusterctl(client, cluster, tmp_path):
    if not (cluster.data / "adult" / "adult.csv.gz").is_file():
        pytest.skip(f"no adult/adult.csv.gz under {cluster.data}: run scripts/fetch-data {cluster.data} adult")
    text = (REPO / "examples" / "census-wide-deep.yaml").read_text()
    text = text.replace("name: census-wide-deep", "name: census-short").replace("epochs: 6", "max_steps: 3")
    job = client.wait(client.submit(text), timeout=180)
    embeddings = [v for v in client.get(job).variables if v.kind == "embedding"]
    assert embeddings and all(v.partitions == 2 and v.shape[0] > 0 for v in embeddings)
    ours = client.pull(job)
    theirs = _clusterctl_export(cluster, job.id, tmp_path / "census.safetensors")
    assert sorted(theirs) == sorted(ours)
    for name in ours:
        assert np.array_equal(theirs[name], ours[name]), name
    client.delete(job)
