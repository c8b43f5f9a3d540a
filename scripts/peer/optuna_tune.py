#!/usr/bin/env python3
"""The Optuna peer of `scripts/bench tune` (issue 15): a Tessera study run the way an Optuna user would run it.

Reads a Tessera study file (a job spec plus `tuning:`, docs/tuning.md), maps its params to an Optuna search space, and
runs `optuna.create_study(sampler=TPESampler, pruner=MedianPruner).optimize(objective, n_jobs=parallel)`. Each trial is
an ordinary job submitted through the Python client (clients/python) and polled; every new evaluation in its metric
history is `trial.report`ed, and a trial the pruner stops has its job cancelled. Prints a table on stderr and one line
on stdout:

    RESULT {"tool":"optuna","best_value":…,"best_params":{…},"wall_s":…,"trial_steps":…,"trials":…,"pruned":…,
            "failed":…}

    venv-optuna/bin/python scripts/peer/optuna_tune.py --study examples/studies/mnist-tune.yaml \\
        --coordinator 127.0.0.1:7070 --token-file token [--trials N] [--parallel N] [--seed S] [--json-out FILE]

See scripts/peer/README-optuna.md.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import signal
import sys
import threading
import time
from typing import Any

import optuna
import yaml

from tessera_client import Client, TesseraError

from optuna_study_file import StudyFileError, load_study, set_key, suggest

# Job names are at most 128 bytes (the coordinator's limit).
MAX_JOB_NAME = 128
# How long a cancelled job may take to reach CANCELLED before its last seen step is counted.
CANCEL_WAIT_S = 60.0


class TrialJobError(TesseraError):
    """A trial's job failed, was cancelled by someone else, or reported no value: the trial is FAILED."""


class Interrupted(Exception):
    """Ctrl-C (or SIGTERM): the trial's job was cancelled and the study stops."""


# One trial.


def metric_value(metrics: Any, name: str) -> float | None:
    """accuracy/auc/loss of a Metrics protobuf message, None when the task has none."""
    if name == "loss":
        return metrics.loss
    return getattr(metrics, name) if metrics.HasField(name) else None


def steps_of(job: Any) -> int:
    """Steps the job trained: its step, or its latest history point's when that is ahead (a cancelled job's step can
    stay at its last progress report while an evaluation after it was recorded)."""
    return max([job.step, *(p.step for p in job.proto.history)])


def say(line: str) -> None:
    """One line on stderr, whole (Optuna's threads print too)."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


class Runner:
    """The objective and the bookkeeping it shares across Optuna's threads."""

    def __init__(self, client: Client, base: dict[str, Any], tuning: dict[str, Any], prefix: str, poll: float,
                 trial_timeout: float) -> None:
        self.client, self.base, self.tuning, self.prefix = client, base, tuning, prefix
        self.metric, self.poll, self.trial_timeout = tuning["metric"], poll, trial_timeout
        self.every = int((base.get("training") or {}).get("eval_every_steps") or 0)
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.active: set[str] = set()

    def objective(self, trial: optuna.Trial) -> float:
        """Submits the trial's job, reports its evaluations, cancels it when pruned; the final evaluation metric."""
        if self.stopping.is_set():
            raise Interrupted("interrupted before the trial started")
        spec = copy.deepcopy(self.base)
        for param in self.tuning["params"]:
            set_key(spec, param["key"], suggest(trial, param))
        spec["name"] = f"{self.prefix}-optuna-{trial.number + 1}"
        trial.set_user_attr("steps", 0)
        job = self.client.submit(spec)  # a refused combination raises RpcError: the trial FAILS, the study goes on
        trial.set_user_attr("job", job.id)
        with self.lock:
            self.active.add(job.id)
        try:
            value = self.follow(trial, job.id)
        except (optuna.TrialPruned, TrialJobError, Interrupted):
            self.forget(job.id)  # the job ended or was cancelled
            raise
        except Exception as error:
            # e.g. the coordinator unreachable past the client's retries: do not leave the job running.
            say(f"trial {trial.number + 1}: {error}; cancelling {job.id}")
            self.cancel(trial, job.id)
            self.forget(job.id)
            raise
        # (A KeyboardInterrupt, Ctrl-C in the main thread with n_jobs 1, leaves the job to cancel_active.)
        self.forget(job.id)
        return value

    def forget(self, ident: str) -> None:
        with self.lock:
            self.active.discard(ident)

    def follow(self, trial: optuna.Trial, ident: str) -> float:
        """Polls the job until it ends, reporting evaluations and pruning; its final value."""
        started = time.monotonic()
        seen, evaluations, last = 0, 0, None
        while True:
            if self.stopping.is_set():
                self.cancel(trial, ident)
                raise Interrupted(f"{ident} cancelled: interrupted")
            if self.trial_timeout and time.monotonic() - started > self.trial_timeout:
                self.cancel(trial, ident)
                raise TrialJobError(f"{ident} still running after {self.trial_timeout:g} s; cancelled")
            last = self.client.get(ident, history=True)
            trial.set_user_attr("steps", steps_of(last))
            if last.done:
                break
            # Every evaluation not seen yet, in step order; the last one (at the end of training) is the final value.
            for point in last.proto.history:
                if point.kind != "eval" or point.step <= seen:
                    continue
                seen = point.step
                if last.total_steps and point.step >= last.total_steps:
                    continue
                value = metric_value(point.metrics, self.metric)
                if value is None:
                    continue
                evaluations += 1
                # The k-th evaluation is reported at step k·eval_every_steps: async evaluations land a few steps past
                # the multiple, and Optuna's median pruner compares trials only at equal steps.
                trial.report(value, evaluations * self.every if self.every else point.step)
                if trial.should_prune():
                    trial.set_user_attr("pruned_at", point.step)
                    self.cancel(trial, ident)
                    raise optuna.TrialPruned(f"{self.metric} {value:.4g} at step {point.step} below the median")
            time.sleep(self.poll)
        trial.set_user_attr("state", last.state)
        if last.state != "SUCCEEDED":
            raise TrialJobError(f"{ident} {last.state}: {last.reason}")
        value = metric_value(last.proto.eval_metrics, self.metric) if last.eval_metrics else None
        if value is None:
            values = [metric_value(p.metrics, self.metric) for p in last.proto.history if p.kind == "eval"]
            values = [v for v in values if v is not None]
            if not values:
                raise TrialJobError(f"{ident} succeeded without an evaluation reporting {self.metric}")
            value = values[-1]
        return float(value)

    def cancel(self, trial: optuna.Trial, ident: str) -> None:
        """Cancels the job and waits (bounded) until it ended, so its last step counts."""
        try:
            self.client.cancel(ident)
        except TesseraError as error:
            say(f"cancel {ident}: {error}")
        deadline = time.monotonic() + CANCEL_WAIT_S
        while time.monotonic() < deadline:
            try:
                job = self.client.get(ident, history=True)
            except TesseraError:
                break
            trial.set_user_attr("steps", steps_of(job))
            if job.done:
                trial.set_user_attr("state", job.state)
                return
            time.sleep(min(self.poll, 0.5))

    def cancel_active(self) -> None:
        """Cancels every job still running (after an interrupt)."""
        with self.lock:
            jobs = sorted(self.active)
        for ident in jobs:
            try:
                self.client.cancel(ident)
                say(f"cancelled {ident}")
            except TesseraError as error:
                say(f"cancel {ident}: {error}")


# The study.


def arguments() -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Run a Tessera study file with Optuna (TPE sampler + median pruner) "
                                            "through the gRPC API.")
    p.add_argument("--study", required=True, help="a Tessera study YAML (job spec + tuning:)")
    p.add_argument("--coordinator", default=os.environ.get("TESSERA_COORDINATOR"),
                   help="host:port (default $TESSERA_COORDINATOR)")
    p.add_argument("--token-file", default=os.environ.get("TESSERA_TOKEN_FILE"))
    p.add_argument("--trials", type=int, help="trials in all (default tuning.max_trials)")
    p.add_argument("--parallel", type=int, help="trials at once (default tuning.max_parallel_trials)")
    p.add_argument("--seed", type=int, help="TPE sampler seed (default tuning.seed, else 1)")
    p.add_argument("--poll", type=float, default=0.5, help="seconds between polls of a running trial")
    p.add_argument("--name-prefix", help="job names are PREFIX-optuna-N (default the study's name)")
    p.add_argument("--trial-timeout", type=float, default=0, help="cancel and fail a trial running longer (s; 0: no)")
    p.add_argument("--timeout", type=float, default=20.0, help="deadline of every RPC (s)")
    p.add_argument("--json-out", help="also write the RESULT JSON here")
    a = p.parse_args()
    for name in ("trials", "parallel"):
        value = getattr(a, name)
        if value is not None and not 1 <= value <= 1000:
            p.error(f"--{name} must be 1…1000, got {value}")
    if a.poll <= 0 or a.poll > 60:
        p.error(f"--poll must be in (0, 60] s, got {a.poll}")
    return a


def make_study(tuning: dict[str, Any], seed: int) -> optuna.Study:
    """TPE sampler and median pruner set as the study file says (startup trials, min steps, min trials)."""
    tpe = tuning.get("tpe") or {}
    sampler = optuna.samplers.TPESampler(seed=seed, **({"n_startup_trials": int(tpe["startup_trials"])}
                                                        if "startup_trials" in tpe else {}))
    stopping = tuning.get("early_stopping")
    stopping = stopping if isinstance(stopping, dict) else {}
    pruner = optuna.pruners.MedianPruner(n_startup_trials=int(stopping.get("min_trials", 5)),
                                         n_warmup_steps=int(stopping.get("min_steps", 0)))
    return optuna.create_study(direction=tuning["goal"], sampler=sampler, pruner=pruner)


def summary(study: optuna.Study) -> dict[str, Any]:
    """The RESULT figures: best completed trial, trial-steps (each job's final step, pruned and failed included)."""
    trials = study.trials
    done = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    best = max(done, key=lambda t: t.value if study.direction == optuna.study.StudyDirection.MAXIMIZE else -t.value,
               default=None)
    return {"best_value": best.value if best else None, "best_params": best.params if best else {},
            "trial_steps": sum(int(t.user_attrs.get("steps", 0)) for t in trials), "trials": len(trials),
            "pruned": sum(t.state == optuna.trial.TrialState.PRUNED for t in trials),
            "failed": sum(t.state == optuna.trial.TrialState.FAIL for t in trials)}


def table(study: optuna.Study, metric: str) -> str:
    """The trials as a text table (a pruned one shows its last reported value)."""
    keys = sorted({k for t in study.trials for k in t.params})
    rows = [["trial", "job", "state", "steps", metric, *keys]]
    for t in study.trials:
        last = t.value
        if last is None and t.last_step is not None:
            last = t.intermediate_values[t.last_step]
        rows.append([str(t.number + 1), t.user_attrs.get("job", "-"), t.state.name, str(t.user_attrs.get("steps", 0)),
                     "-" if last is None else f"{last:.4f}",
                     *[f"{t.params[k]:.4g}" if isinstance(t.params.get(k), float) else str(t.params.get(k, "-"))
                       for k in keys]])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows)


def main() -> int:
    a = arguments()
    try:
        base, tuning = load_study(a.study)
    except (OSError, yaml.YAMLError, StudyFileError) as error:
        print(f"optuna_tune: {error}", file=sys.stderr)
        return 2
    trials = a.trials or int(tuning["max_trials"])
    parallel = a.parallel or int(tuning.get("max_parallel_trials", 1))
    seed = a.seed if a.seed is not None else int(tuning.get("seed", 1))
    prefix = a.name_prefix or str(base.get("name", "study"))
    if len(f"{prefix}-optuna-{trials}".encode()) > MAX_JOB_NAME:
        print(f"optuna_tune: --name-prefix too long: job names must fit {MAX_JOB_NAME} bytes", file=sys.stderr)
        return 2

    try:
        client = Client(a.coordinator, token_file=a.token_file, timeout=a.timeout)
        # Fails early on a wrong address or token, and opens the channel the threads share (gRPC is thread-safe).
        client.status()
    except (TesseraError, ValueError, OSError) as error:
        print(f"optuna_tune: the coordinator {a.coordinator or '(default)'}: {error}", file=sys.stderr)
        return 2
    runner = Runner(client, base, tuning, prefix, a.poll, a.trial_timeout)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = make_study(tuning, seed)

    def interrupt(signum: int, frame: Any) -> None:
        runner.stopping.set()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    print(f"optuna {optuna.__version__}: {trials} trials, {parallel} at once, TPE seed {seed}, median pruner "
          f"{tuning.get('early_stopping')}, {tuning['goal']} {tuning['metric']}", file=sys.stderr)
    started = time.monotonic()
    interrupted = False
    try:
        # Failed jobs and refused specs fail their trial only (Optuna's `catch`); an interrupt ends the study.
        study.optimize(runner.objective, n_trials=trials, n_jobs=parallel, catch=(TesseraError,),
                       callbacks=[lambda s, t: say(f"trial {t.number + 1}: {t.state.name} {t.value} "
                                                   f"{t.user_attrs.get('job', '')} "
                                                   f"steps {t.user_attrs.get('steps', 0)}")])
    except (KeyboardInterrupt, Interrupted):
        interrupted = True
        runner.stopping.set()
        print("interrupted: cancelling running trials", file=sys.stderr)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        runner.cancel_active()
    wall = time.monotonic() - started

    print(table(study, tuning["metric"]), file=sys.stderr)
    result = {"tool": "optuna", **summary(study), "wall_s": round(wall, 2)}
    result = {k: result[k] for k in ("tool", "best_value", "best_params", "wall_s", "trial_steps", "trials", "pruned",
                                     "failed")}
    if interrupted:
        result["interrupted"] = True
    line = json.dumps(result, separators=(",", ":"))
    print(f"RESULT {line}")
    if a.json_out:
        with open(a.json_out, "w", encoding="utf-8") as handle:
            handle.write(line + "\n")
    client.close()
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
