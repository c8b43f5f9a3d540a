"""Studies through the Python client against the session's real cluster (scripts/test starts it)."""

from __future__ import annotations

import pytest

from tessera_client import RpcError, StudyNotSucceeded

STUDY = {
    "kind": "Study",
    "name": "py-lr",
    "model": {"type": "logistic"},
    "data": {"format": "csv", "train": "breast_cancer/breast_cancer.csv", "label": "target", "test_fraction": 0.3,
             "normalize": "standard", "batch_size": 16},
    "optimizer": {"type": "sgd", "learning_rate": 0.01},
    "training": {"mode": "async", "max_steps": 200, "eval_every_steps": 50, "seed": 2},
    "cluster": {"workers": 1, "ps_shards": 1},
    "tuning": {
        "goal": "maximize", "metric": "accuracy", "max_trials": 3, "max_parallel_trials": 2, "algorithm": "grid",
        "params": [{"key": "optimizer.learning_rate", "type": "discrete", "values": [0.00001, 0.01, 0.3]}],
    },
}


def test_a_study_runs_its_trials_and_ranks_them(client):
    study = client.tune(STUDY)
    assert study.id.startswith("study-") and study.state == "RUNNING" and len(study.trials) == 2
    done = client.wait_study(study, timeout=240, interval=0.3)
    assert done.state == "SUCCEEDED" and len(done.trials) == 3
    # Best first; the grid's tiny learning rate barely moves the weights in 200 steps, the others reach ≥ 0.9.
    values = [t.value for t in done.trials]
    assert values == sorted(values, reverse=True)
    assert done.best is done.trials[0] and done.best.value >= 0.9
    assert done.best.params["optimizer.learning_rate"] in ("0.01", "0.3")
    # Trials are ordinary jobs labelled with their study.
    jobs = {t.job: client.get(t.job) for t in done.trials}
    assert all(job.proto.study_id == done.id for job in jobs.values())
    assert sorted(job.proto.trial for job in jobs.values()) == [1, 2, 3]
    assert any(s.id == done.id for s in client.studies())


def test_a_bad_study_is_refused_naming_the_key_and_a_cancelled_one_says_so(client):
    bad = dict(STUDY, tuning=dict(STUDY["tuning"], max_trails=3))
    with pytest.raises(RpcError) as refused:
        client.tune(bad)
    assert refused.value.code_name == "INVALID_ARGUMENT" and "tuning.max_trails" in refused.value.message
    assert client.tune(STUDY, dry_run=True).id == ""
    long = dict(STUDY, name="py-long", training=dict(STUDY["training"], max_steps=1000000))
    study = client.tune(long)
    client.cancel_study(study)
    with pytest.raises(StudyNotSucceeded) as ended:
        client.wait_study(study, timeout=60)
    assert ended.value.study.state == "CANCELLED"
    assert all(client.get(t.job).state == "CANCELLED" for t in ended.value.study.trials if t.job)
    assert client.delete_study(study).id == study.id
    with pytest.raises(RpcError) as gone:
        client.study(study.id)
    assert gone.value.code_name == "NOT_FOUND"
