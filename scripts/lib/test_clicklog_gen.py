"""Tests of the click-log generator (scripts/lib/clicklog_gen.py) at small sizes, ~5 s.

    scripts/gen-clicklog --help >/dev/null   # makes .venv-clicklog (numpy, pytest) on first use
    .venv-clicklog/bin/python -m pytest -q -p no:cacheprovider scripts/lib/test_clicklog_gen.py
"""

import csv
import gzip
import json
import os
import subprocess
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clicklog_gen as gen  # noqa: E402

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "clicklog_gen.py")


def run(out, *extra, rows=2500, rows_per_file=1000, buckets=5000, test_rows=700, seed=1):
    argv = ["--out", str(out), "--rows", str(rows), "--rows-per-file", str(rows_per_file), "--buckets", str(buckets),
            "--test-rows", str(test_rows), "--seed", str(seed), *extra]
    assert gen.main(argv) == 0
    with open(os.path.join(out, "clicklog.json")) as fh:
        return json.load(fh)


def read_rows(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", newline="") as fh:
        return list(csv.reader(fh))


def train_rows(out, meta):
    rows = []
    for name in meta["train_files"]:
        part = read_rows(os.path.join(out, name))
        assert part[0] == meta["columns"]
        rows.extend(part[1:])
    return rows


def test_files_header_and_values_are_as_documented(tmp_path):
    meta = run(tmp_path)
    names = sorted(os.listdir(tmp_path / "train"))
    assert names == ["part-00000.csv", "part-00001.csv", "part-00002.csv"]
    assert meta["train_files"] == [f"train/{n}" for n in names]
    assert not [n for n in os.listdir(tmp_path) + os.listdir(tmp_path / "train") if n.endswith(".tmp")]
    header = ["label"] + [f"n{j}" for j in range(1, 14)] + [f"c{f}" for f in range(1, 27)]
    assert meta["columns"] == header
    sizes = [len(read_rows(str(tmp_path / "train" / n))) - 1 for n in names]
    assert sizes == [1000, 1000, 500]
    rows = train_rows(tmp_path, meta)
    for r in rows:
        assert len(r) == 40
        assert r[0] in ("0", "1")
        for v in r[1:14]:
            assert len(v.split(".")[1]) == 4 and abs(float(v)) < 10
        for v in r[14:]:
            assert v.isdigit() and (v == "0" or not v.startswith("0")) and 0 <= int(v) < 5000
    test = read_rows(str(tmp_path / "test.csv"))
    assert test[0] == header and len(test) == 701
    assert meta["complete"] is True and meta["params"]["buckets"] == 5000


def test_same_seed_same_bytes_other_seed_other_rows(tmp_path):
    run(tmp_path / "a", seed=7)
    run(tmp_path / "b", seed=7)
    run(tmp_path / "c", seed=8)
    for name in ("train/part-00000.csv", "train/part-00002.csv", "test.csv"):
        a = (tmp_path / "a" / name).read_bytes()
        assert a == (tmp_path / "b" / name).read_bytes()
        assert a != (tmp_path / "c" / name).read_bytes()


def test_more_train_rows_leave_the_test_rows_alone(tmp_path):
    run(tmp_path / "a", rows=1000)
    run(tmp_path / "b", rows=3000)
    assert (tmp_path / "a" / "test.csv").read_bytes() == (tmp_path / "b" / "test.csv").read_bytes()


def test_zipf_head_is_heavier_than_the_tail(tmp_path):
    meta = run(tmp_path, rows=20000, rows_per_file=20000, buckets=100000, test_rows=0)
    ids = np.array([[int(v) for v in r[14:]] for r in train_rows(tmp_path, meta)])
    for f in range(ids.shape[1]):
        counts = np.sort(np.bincount(ids[:, f], minlength=100000))[::-1]
        # The 10 most frequent ids carry more rows than the 50,000 least frequent, and the top id is ~11 %.
        assert counts[:10].sum() > counts[50000:].sum()
        assert 0.08 < counts[0] / ids.shape[0] < 0.15
    # The popular ids are spread (the bijection), not 0, 1, 2, ...: the top ids of field 1 are not all small.
    top = np.argsort(np.bincount(ids[:, 0], minlength=100000))[::-1][:10]
    assert top.max() > 10000


def test_zipf_sampler_matches_the_exact_probabilities():
    z = gen.Zipf(3000, 1.1)
    ranks = z.sample(np.random.default_rng(3), (400000,))
    assert ranks.min() >= 0 and ranks.max() < 3000
    freq = np.bincount(ranks, minlength=3000) / ranks.size
    p = np.arange(1, 3001.0) ** -1.1
    p /= p.sum()
    assert abs(freq[0] - p[0]) < 0.003
    assert abs(freq[:10].sum() - p[:10].sum()) < 0.005
    assert abs(freq[1024:].sum() - p[1024:].sum()) < 0.005  # the continuous tail past the table


@pytest.mark.parametrize("buckets", [1, 2, 7, 1000, 4099])
def test_id_map_is_a_bijection_of_the_buckets(buckets):
    truth = gen.Truth(3, 4, 2, buckets)
    for f in range(4):
        ids = truth.ids(f, np.arange(buckets))
        assert sorted(ids.tolist()) == list(range(buckets))


def test_labels_follow_the_planted_truth(tmp_path):
    meta = run(tmp_path, rows=20000, rows_per_file=10000, test_rows=20000)
    assert 0.22 < meta["train"]["click_rate"] < 0.28
    c = meta["ceiling"]
    assert c["test_auc"] > 0.8 and c["test_accuracy"] > c["constant_accuracy"] + 0.03
    # Recompute the truth from the written test rows: it scores the labels as the generator reported.
    rows = read_rows(str(tmp_path / "test.csv"))[1:]
    truth = gen.Truth(1, 26, 13, 5000)
    truth.bias = meta["truth"]["bias"]
    num = np.array([[float(v) for v in r[1:14]] for r in rows])
    cat = np.array([[int(v) for v in r[14:]] for r in rows])
    y = np.array([int(r[0]) for r in rows])
    p = gen.sigmoid(truth.logit(num, cat))
    assert abs(gen.auc(p, y) - c["test_auc"]) < 1e-6


def test_auc_of_known_scores():
    assert gen.auc(np.array([0.1, 0.4, 0.35, 0.8]), np.array([0, 0, 1, 1])) == 0.75
    assert gen.auc(np.array([0.5, 0.5]), np.array([0, 1])) == 0.5


def test_gzip_files_hold_the_same_rows(tmp_path):
    run(tmp_path / "plain")
    meta = run(tmp_path / "gz", "--gzip")
    assert meta["train_files"][0] == "train/part-00000.csv.gz" and meta["test_file"] == "test.csv.gz"
    assert gzip.decompress((tmp_path / "gz" / "train" / "part-00001.csv.gz").read_bytes()) == \
        (tmp_path / "plain" / "train" / "part-00001.csv").read_bytes()


def test_other_shapes_and_edge_sizes(tmp_path):
    meta = run(tmp_path / "a", "--fields", "3", "--numeric", "0", rows=10, rows_per_file=3, buckets=1, test_rows=0)
    rows = train_rows(tmp_path / "a", meta)
    assert meta["columns"] == ["label", "c1", "c2", "c3"] and len(meta["train_files"]) == 4
    assert len(rows) == 10 and all(r[1:] == ["0", "0", "0"] for r in rows)
    meta = run(tmp_path / "b", "--fields", "2", "--numeric", "1", rows=0, test_rows=5, buckets=123456789)
    assert meta["train_files"] == [] and len(read_rows(str(tmp_path / "b" / "test.csv"))) == 6


def test_cli_refuses_bad_numbers_and_an_existing_log(tmp_path):
    base = [sys.executable, SCRIPT, "--out", str(tmp_path / "x")]
    for bad in (["--rows", "-1"], ["--rows", "10", "--buckets", "0"], ["--rows", "10", "--zipf", "0"],
                ["--rows", "1e3"], ["--rows", "10", "--buckets", str(1 << 40)]):
        r = subprocess.run(base + bad, capture_output=True, text=True)
        assert r.returncode == 2, bad
    r = subprocess.run(base + ["--rows", "5", "--test-rows", "5"], capture_output=True, text=True)
    assert r.returncode == 0
    result = json.loads(r.stdout.strip().splitlines()[-1].removeprefix("RESULT "))
    assert result["bench"] == "gen_clicklog" and result["rows"] == 5 and result["rows_per_s"] > 0
    r = subprocess.run(base + ["--rows", "5"], capture_output=True, text=True)
    assert r.returncode != 0 and "already holds a click log" in r.stderr
