"""TensorFlow peer of the embeddings benchmark: wide & deep on a gen-clicklog click log with TensorFlow's own
parameter-server training (TF2 tf.distribute.ParameterServerStrategy + ClusterCoordinator), the embedding tables
partitioned over the ps tasks. What a TensorFlow user would write for this data and model.

    source scripts/lib/ensure-deps.sh scripts/lib/python-venv.sh scripts/lib/tf-venv.sh && ensure_tf_venv
    .venv-tf/bin/python scripts/peer/tf_ps_embeddings.py --data DIR [--buckets N] [--steps 2000] [--batch-size 256]
        [--workers 1] [--ps 2] [--seconds 120] [--warmup-steps 50] [--eval-rows 100000] [--partitioner fixed|minsize]

DIR is a `scripts/gen-clicklog` output (train/part-*.csv[.gz], test.csv[.gz], clicklog.json). The script starts the
cluster itself on loopback: one `tf.distribute.Server` process per ps and per worker task (this file run with
--serve), the coordinator (chief) in this process, no TF_CONFIG (SimpleClusterResolver over a ClusterSpec).

Model (the one Tessera's side trains): wide = one weight per (field, id) for the F categorical fields (1-wide
tables) + a bias; deep = 16-wide embeddings of the F fields (each table --buckets rows) concatenated with the numeric
columns -> Dense 64 ReLU -> Dense 32 ReLU -> 1; logit = wide + deep; sigmoid cross-entropy; Adagrad (lr 0.05, initial
accumulator 0.1) for every variable; --batch-size examples per step (a step runs on one worker; the coordinator keeps
all workers busy). Tables are Keras Embedding layers whose variables the strategy's partitioner splits over the ps
tasks (FixedShardsPartitioner(--ps) by default); the optimizer is tf.keras.optimizers.legacy.Adagrad (sparse
ResourceSparseApplyAdagradV2 on the ps for the tables' IndexedSlices gradients).

Measures samples/s over a timed window after --warmup-steps (steps scheduled in rounds of --round-steps; the window
ends after --steps or --seconds, whichever first), then test accuracy (threshold 0.5) and AUC on the first
--eval-rows rows of the test file, evaluated by the coordinator reading the ps-resident tables. Peak RSS: VmHWM of
each process (ps, workers, chief). Ends with one line
    RESULT {"bench":"tf_ps_embeddings","samples_per_s":...,"steps":...,"test_accuracy":...,"test_auc":...,
            "rows_total":...,"param_bytes":...,"peak_rss_mib":...,...}
where steps counts the timed window, rows_total every training row consumed (warm-up included), param_bytes the
model's variables (the Adagrad accumulators are as large again: optimizer_bytes), peak_rss_mib the sum of all
processes' peaks (per process in peak_rss_mib_by_task).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

LR = 0.05
INITIAL_ACCUMULATOR = 0.1
DEEP_DIM = 16
HIDDEN = (64, 32)
EVAL_BATCH = 8192
SERVER_READY_TIMEOUT_S = 120
MAX_BUCKETS = 1 << 31


def serve(job: str, index: int, cluster_json: str, threads: int) -> None:
    """A ps or worker task: a tf.distribute.Server that runs until killed."""
    import tensorflow as tf
    cluster = tf.train.ClusterSpec(json.loads(cluster_json))
    config = tf.compat.v1.ConfigProto()
    if threads > 0:
        config.intra_op_parallelism_threads = threads
        config.inter_op_parallelism_threads = threads
    server = tf.distribute.Server(cluster, job_name=job, task_index=index, config=config, protocol="grpc", start=True)
    print("READY", flush=True)
    server.join()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vm_hwm_mib(pid: int) -> float:
    """Peak resident set (VmHWM) of a live process, MiB; 0 when unreadable."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


class Cluster:
    """The ps and worker server processes on loopback, and the cluster spec the chief joins."""

    def __init__(self, workers: int, ps: int, threads: int):
        self.spec = {"worker": [f"127.0.0.1:{free_port()}" for _ in range(workers)],
                     "ps": [f"127.0.0.1:{free_port()}" for _ in range(ps)],
                     "chief": [f"127.0.0.1:{free_port()}"]}
        self.procs = {}
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
        for job in ("ps", "worker"):
            for i in range(len(self.spec[job])):
                self.procs[f"{job}{i}"] = subprocess.Popen(
                    [sys.executable, os.path.abspath(__file__), "--serve", job, str(i), json.dumps(self.spec),
                     "--threads", str(threads)], stdout=subprocess.PIPE, env=env, start_new_session=True)
        deadline = time.monotonic() + SERVER_READY_TIMEOUT_S
        for name, p in self.procs.items():
            line = p.stdout.readline().decode().strip()
            if line != "READY" or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start (exit {p.poll()})")

    def peaks(self) -> dict:
        return {name: round(vm_hwm_mib(p.pid), 1) for name, p in self.procs.items()}

    def stop(self) -> None:
        for p in self.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for p in self.procs.values():
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def build_model(tf, fields: int, buckets: int):
    class WideDeep(tf.keras.Model):
        """Wide (1-wide tables + bias) plus deep (16-wide tables ++ numerics -> 64 -> 32 -> 1), one logit."""

        def __init__(self):
            super().__init__()
            self.wide = [tf.keras.layers.Embedding(buckets, 1, embeddings_initializer="zeros", name=f"wide_{f}")
                         for f in range(fields)]
            self.deep = [tf.keras.layers.Embedding(buckets, DEEP_DIM, name=f"deep_{f}") for f in range(fields)]
            self.hidden = [tf.keras.layers.Dense(h, activation="relu", name=f"dense_{h}") for h in HIDDEN]
            self.out = tf.keras.layers.Dense(1, name="deep_out")
            self.wide_bias = self.add_weight(name="wide_bias", shape=(1,), initializer="zeros")

        def call(self, inputs):
            num, cat = inputs
            wide = tf.add_n([self.wide[f](cat[:, f]) for f in range(fields)]) + self.wide_bias
            x = tf.concat([self.deep[f](cat[:, f]) for f in range(fields)] + [num], axis=1)
            for layer in self.hidden:
                x = layer(x)
            return wide + self.out(x)

    return WideDeep()


def csv_dataset(tf, files, numeric: int, fields: int, batch: int, gzip: bool, repeat: bool, shuffle_files=False):
    """Rows of the CSV files (header skipped) as batches of (numerics float32 [B, M], ids int64 [B, F]), labels;
    shuffle_files: the files in a new random order on each pass (unseeded: each worker its own order)."""
    compression = "GZIP" if gzip else ""
    ds = tf.data.Dataset.from_tensor_slices(files)
    if shuffle_files:
        ds = ds.shuffle(len(files), reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    ds = ds.interleave(lambda f: tf.data.TextLineDataset(f, compression_type=compression, buffer_size=1 << 20).skip(1),
                       cycle_length=1, num_parallel_calls=1)
    ds = ds.batch(batch, drop_remainder=repeat)
    defaults = [[0.0]] + [[0.0]] * numeric + [[0]] * fields

    def parse(lines):
        cols = tf.io.decode_csv(lines, record_defaults=[tf.constant(d, dtype=tf.int64 if isinstance(d[0], int)
                                                                   else tf.float32) for d in defaults])
        label = tf.reshape(cols[0], [-1, 1])
        num = tf.stack(cols[1:1 + numeric], axis=1) if numeric else tf.zeros([tf.shape(lines)[0], 0])
        cat = tf.stack(cols[1 + numeric:], axis=1)
        return (num, cat), label

    return ds.map(parse, num_parallel_calls=tf.data.AUTOTUNE).prefetch(2)


def auc(scores, labels) -> float:
    import numpy as np
    pos = int(labels.sum())
    neg = labels.size - pos
    if pos == 0 or neg == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    s = scores[order]
    boundaries = np.flatnonzero(np.diff(s)) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [s.size]))
    ranks = np.empty(scores.size)
    ranks[order] = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    return float((ranks[labels == 1].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def positive(lo: int, hi: int):
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}")
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"{v} is outside [{lo}, {hi}]")
        return v
    return parse


def parse_args(argv):
    ap = argparse.ArgumentParser(description="TensorFlow parameter-server wide & deep on a gen-clicklog click log")
    ap.add_argument("--data", help="a scripts/gen-clicklog output directory")
    ap.add_argument("--buckets", type=positive(1, MAX_BUCKETS), help="rows per table (default: the data's buckets)")
    ap.add_argument("--steps", type=positive(1, 10_000_000), default=2000, help="timed steps (after the warm-up)")
    ap.add_argument("--warmup-steps", type=positive(0, 1_000_000), default=50)
    ap.add_argument("--round-steps", type=positive(1, 100_000), default=100, help="steps scheduled between joins")
    ap.add_argument("--batch-size", type=positive(1, 1 << 20), default=256)
    ap.add_argument("--workers", type=positive(1, 64), default=1)
    ap.add_argument("--ps", type=positive(1, 64), default=2)
    ap.add_argument("--seconds", type=float, default=600.0, help="cap on the timed window")
    ap.add_argument("--eval-rows", type=positive(0, 100_000_000), default=100_000)
    ap.add_argument("--partitioner", choices=("fixed", "minsize"), default="fixed")
    ap.add_argument("--threads", type=positive(0, 256), default=0,
                    help="intra/inter-op threads of each ps/worker process (0: TensorFlow's default)")
    ap.add_argument("--json-out", help="also write the RESULT object to this file")
    ap.add_argument("--serve", nargs=3, metavar=("JOB", "INDEX", "CLUSTER_JSON"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve is None and not args.data:
        ap.error("--data is required")
    if not (0 < args.seconds <= 86400):
        ap.error("--seconds must be in (0, 86400]")
    return args


def run(args, clusters: list) -> dict:
    """Trains and evaluates; the cluster it starts is appended to clusters (the caller stops it, after this frame's
    TensorFlow functions are gone, so their remote clean-up still finds the servers)."""
    import numpy as np
    import tensorflow as tf

    with open(os.path.join(args.data, "clicklog.json")) as fh:
        meta = json.load(fh)
    params = meta["params"]
    fields, numeric, data_buckets = int(params["fields"]), int(params["numeric"]), int(params["buckets"])
    buckets = args.buckets or data_buckets
    if buckets < data_buckets:
        raise SystemExit(f"--buckets {buckets} is below the data's {data_buckets} (ids would fall outside the tables)")
    gz = bool(params.get("gzip"))
    train_files = [os.path.join(args.data, f) for f in meta["train_files"]]
    if not train_files:
        raise SystemExit(f"{args.data} has no training files")

    t_start = time.monotonic()
    cluster = Cluster(args.workers, args.ps, args.threads)
    clusters.append(cluster)
    resolver = tf.distribute.cluster_resolver.SimpleClusterResolver(
        tf.train.ClusterSpec(cluster.spec), rpc_layer="grpc", task_type="chief", task_id=0)
    if args.partitioner == "fixed":
        partitioner = tf.distribute.experimental.partitioners.FixedShardsPartitioner(num_shards=args.ps)
    else:
        partitioner = tf.distribute.experimental.partitioners.MinSizePartitioner(
            min_shard_bytes=256 << 10, max_shards=args.ps)
    strategy = tf.distribute.ParameterServerStrategy(resolver, variable_partitioner=partitioner)
    coordinator = tf.distribute.coordinator.ClusterCoordinator(strategy)

    t_build = time.monotonic()
    with strategy.scope():
        model = build_model(tf, fields, buckets)
        model((tf.zeros([1, numeric]), tf.zeros([1, fields], dtype=tf.int64)))
        optimizer = tf.keras.optimizers.legacy.Adagrad(learning_rate=LR, initial_accumulator_value=INITIAL_ACCUMULATOR)
        optimizer._create_all_weights(model.trainable_variables)
    build_s = time.monotonic() - t_build
    param_count = sum(int(np.prod(v.shape)) for v in model.trainable_variables)
    shards = {}
    for v in model.trainable_variables:
        for part in getattr(v, "variables", [v]):
            shards[part.device] = shards.get(part.device, 0) + int(np.prod(part.shape))

    # ParameterServerStrategy does not tell a dataset_fn which worker it runs on (its InputContext is not
    # populated), so rows cannot be dealt out once across workers: one worker reads the files in order, several
    # each read them in their own random order (what TensorFlow's guide suggests).
    def dataset_fn(input_context):
        return csv_dataset(tf, train_files, numeric, fields, args.batch_size, gz, repeat=True,
                           shuffle_files=args.workers > 1)

    per_worker_iterator = iter(coordinator.create_per_worker_dataset(
        lambda: strategy.distribute_datasets_from_function(dataset_fn)))

    loss_fn = tf.keras.losses.BinaryCrossentropy(from_logits=True, reduction=tf.keras.losses.Reduction.NONE)

    @tf.function
    def step_fn(iterator):
        def replica_fn(features, labels):
            with tf.GradientTape() as tape:
                logits = model(features, training=True)
                loss = tf.nn.compute_average_loss(loss_fn(labels, logits), global_batch_size=args.batch_size)
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            return loss
        features, labels = next(iterator)
        return strategy.run(replica_fn, args=(features, labels))

    def schedule(n: int):
        last = None
        for _ in range(n):
            last = coordinator.schedule(step_fn, args=(per_worker_iterator,))
        coordinator.join()
        return last

    t_warm = time.monotonic()
    if args.warmup_steps:
        schedule(args.warmup_steps)
    warm_s = time.monotonic() - t_warm
    steps, last = 0, None
    t0 = time.monotonic()
    while steps < args.steps and time.monotonic() - t0 < args.seconds:
        n = min(args.round_steps, args.steps - steps)
        last = schedule(n)
        steps += n
    window_s = time.monotonic() - t0
    last_loss = float(last.fetch()) if last is not None else float("nan")

    # Evaluation by the coordinator: the model's tables stay on the ps, lookups go to them.
    t_eval = time.monotonic()
    predict = tf.function(lambda feats: tf.sigmoid(model(feats, training=False)))
    scores, labels = [], []
    test_ds = csv_dataset(tf, [os.path.join(args.data, meta["test_file"])], numeric, fields, EVAL_BATCH, gz,
                          repeat=False)
    for feats, y in test_ds.take((args.eval_rows + EVAL_BATCH - 1) // EVAL_BATCH):
        scores.append(predict(feats).numpy().ravel())
        labels.append(y.numpy().ravel())
    eval_s = time.monotonic() - t_eval
    scores = (np.concatenate(scores) if scores else np.zeros(0))[:args.eval_rows]
    labels = (np.concatenate(labels) if labels else np.zeros(0)).astype(np.int64)[:args.eval_rows]
    accuracy = float(((scores > 0.5) == (labels == 1)).mean()) if labels.size else float("nan")
    peaks = cluster.peaks()
    peaks["chief"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)
    rows_total = (args.warmup_steps + steps) * args.batch_size
    ceiling = meta.get("ceiling", {})
    return {
        "bench": "tf_ps_embeddings",
        "samples_per_s": round(steps * args.batch_size / window_s, 1) if window_s > 0 else None,
        "steps": steps,
        "steps_per_s": round(steps / window_s, 2) if window_s > 0 else None,
        "test_accuracy": round(accuracy, 5),
        "test_auc": round(auc(scores, labels), 5) if labels.size else None,
        "test_rows": int(labels.size),
        "rows_total": rows_total,
        "param_bytes": param_count * 4,
        "optimizer_bytes": param_count * 4,
        "param_floats_by_device": shards,
        "peak_rss_mib": round(sum(peaks.values()), 1),
        "peak_rss_mib_by_task": peaks,
        "final_loss": round(last_loss, 5),
        "buckets": buckets, "fields": fields, "numeric": numeric, "batch_size": args.batch_size,
        "workers": args.workers, "ps": args.ps, "partitioner": args.partitioner,
        "window_s": round(window_s, 2), "warmup_s": round(warm_s, 2), "build_s": round(build_s, 2),
        "eval_s": round(eval_s, 2), "total_s": round(time.monotonic() - t_start, 2),
        "ceiling_test_accuracy": ceiling.get("test_accuracy"), "ceiling_test_auc": ceiling.get("test_auc"),
        "tensorflow": tf.__version__,
    }


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.serve:
        job, index, spec = args.serve
        serve(job, int(index), spec, args.threads)
        return 0
    clusters = []
    try:
        result = run(args, clusters)
    finally:
        for c in clusters:
            c.stop()
    rows = [(k, v) for k, v in result.items() if not isinstance(v, dict)]
    width = max(len(k) for k, _ in rows)
    print(f"  {'metric':<{width}}  value")
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")
    for k, v in result["peak_rss_mib_by_task"].items():
        print(f"  {'rss ' + k:<{width}}  {v} MiB")
    line = json.dumps(result)
    if args.json_out:
        with open(args.json_out, "w") as fh:
            fh.write(line + "\n")
    print("RESULT " + line, flush=True)
    return 0


if __name__ == "__main__":
    code = main()
    # The servers are gone by now: skip TensorFlow's teardown, whose remote clean-up only logs connection errors.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
