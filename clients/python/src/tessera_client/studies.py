"""Hyperparameter-tuning studies (docs/tuning.md): `Client.tune`, `study`, `studies`, `wait_study`, `cancel_study`,
`delete_study`. A study is a job spec plus a `tuning:` section; the coordinator runs its trials as jobs."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._proto.tessera.v1 import study_pb2
from .errors import TesseraError, Timeout

STUDY_STATES = ("RUNNING", "SUCCEEDED", "FAILED", "CANCELLED")


@dataclass(frozen=True)
class Trial:
    """One trial: its number, state (pending/running/succeeded/stopped/failed), job, tuned values, the value it is
    ranked by (None without one), the step its job reached and why it stopped or failed."""

    number: int
    state: str
    job: str | None
    job_state: str | None
    params: dict[str, str]
    value: float | None
    steps: int
    reason: str

    @staticmethod
    def of(t: study_pb2.StudyTrial) -> "Trial":
        """From the protobuf message."""
        return Trial(t.number, t.state, t.job_id or None, t.job_state or None, {p.key: p.value for p in t.params},
                     t.value if t.has_value else None, t.steps, t.reason)


@dataclass(frozen=True)
class Study:
    """A study as the coordinator reports it; `trials` best first, `best` the best succeeded trial (or None)."""

    id: str
    name: str
    state: str
    reason: str
    goal: str
    metric: str
    algorithm: str
    early_stopping: str
    max_trials: int
    max_parallel_trials: int
    trial_steps: int
    trials: tuple[Trial, ...]
    best: Trial | None
    proto: Any

    @property
    def done(self) -> bool:
        """Whether the study ended."""
        return self.state != "RUNNING"

    @staticmethod
    def of(s: study_pb2.Study) -> "Study":
        """From the protobuf message."""
        trials = tuple(Trial.of(t) for t in s.trials)
        best = next((t for t in trials if t.number == s.best_trial), None) if s.best_trial else None
        return Study(s.id, s.name, s.state, s.reason, s.goal, s.metric, s.algorithm, s.early_stopping, s.max_trials,
                     s.max_parallel_trials, s.trial_steps, trials, best, s)


class StudyNotSucceeded(TesseraError):
    """The study ended FAILED (no trial succeeded) or CANCELLED; `.study` holds it."""

    def __init__(self, study: Study) -> None:
        super().__init__(f"{study.id} ended {study.state}: {study.reason}")
        self.study = study


def study_id(study: str | int | Study) -> str:
    """"study-3" for "study-3", "3", 3 or a Study."""
    if isinstance(study, Study):
        return study.id
    if isinstance(study, int):
        return f"study-{study}"
    return study if study.startswith("study-") else f"study-{study}"


class StudyMethods:
    """The study calls of `Client` (mixed in; uses its `_call` and `spec_text`)."""

    def tune(self, spec: str | os.PathLike | Mapping[str, Any], dry_run: bool = False) -> Study:
        """Starts a study (YAML text, a path or a dict: a job spec plus `tuning:`); `dry_run` only validates. A study
        the coordinator refuses raises RpcError INVALID_ARGUMENT naming the key, e.g. "tuning.max_trials"."""
        from .client import spec_text
        request = study_pb2.SubmitStudyRequest(spec_yaml=spec_text(spec), dry_run=dry_run)
        return Study.of(self._call("SubmitStudy", request).study)  # type: ignore[attr-defined]

    def study(self, study: str | int | Study) -> Study:
        """One study with its trials, best first."""
        return Study.of(self._call("GetStudy", study_pb2.GetStudyRequest(id=study_id(study))).study)  # type: ignore[attr-defined]

    def studies(self, limit: int | None = None) -> list[Study]:
        """Studies, newest first (at most `limit`, 1…1000; default the coordinator's page of 100)."""
        if limit is not None and not 0 < limit <= 1000:
            raise ValueError(f"limit must be in 1…1000, not {limit}")
        answer = self._call("ListStudies", study_pb2.ListStudiesRequest(limit=limit or 0))  # type: ignore[attr-defined]
        return [Study.of(s) for s in answer.studies]

    def wait_study(self, study: str | int | Study, timeout: float | None = None, interval: float = 1.0) -> Study:
        """Waits until the study ends and returns it when SUCCEEDED; raises StudyNotSucceeded otherwise and Timeout
        when `timeout` seconds pass first. A briefly unreachable coordinator is ridden out (30 tries, 1 s apart)."""
        from .client import poll_until_done
        deadline = None if timeout is None else time.monotonic() + timeout
        ident = study_id(study)
        for current in poll_until_done(lambda: self.study(ident), interval):
            if current.done:
                if current.state != "SUCCEEDED":
                    raise StudyNotSucceeded(current)
                return current
            if deadline is not None and time.monotonic() >= deadline:
                raise Timeout(f"{current.id} is still RUNNING after {timeout:g} s ({len(current.trials)} trials)", None)
        raise AssertionError("unreachable: polling ends with a finished study")

    def cancel_study(self, study: str | int | Study) -> Study:
        """Cancels a running study: its running trials' jobs are cancelled, pending ones never start."""
        return Study.of(self._call("CancelStudy", study_pb2.CancelStudyRequest(id=study_id(study))).study)  # type: ignore[attr-defined]

    def delete_study(self, study: str | int | Study, force: bool = False) -> Study:
        """Forgets a study (`force` cancels a running one first); its trials' jobs stay."""
        request = study_pb2.DeleteStudyRequest(id=study_id(study), force=force)
        return Study.of(self._call("DeleteStudy", request).study)  # type: ignore[attr-defined]
