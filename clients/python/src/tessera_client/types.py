"""Plain Python views of the coordinator's answers (the protobuf message stays in `.proto`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._proto.tessera.v1 import common_pb2, job_pb2

TERMINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
JOB_STATES = ("PENDING", "RUNNING", "RECOVERING", "SUCCEEDED", "FAILED", "CANCELLED")


def job_state_name(value: int) -> str:
    """"SUCCEEDED" for JOB_STATE_SUCCEEDED (clusterctl's words)."""
    return job_pb2.JobState.Name(value).removeprefix("JOB_STATE_") if value in job_pb2.JobState.values() else "UNKNOWN"


@dataclass(frozen=True)
class Metrics:
    """Loss and quality figures; accuracy and auc are None where the task has none."""

    loss: float
    accuracy: float | None
    auc: float | None
    count: int

    @staticmethod
    def of(m: common_pb2.Metrics) -> "Metrics":
        """From the protobuf message."""
        return Metrics(m.loss, m.accuracy if m.HasField("accuracy") else None, m.auc if m.HasField("auc") else None, m.count)


@dataclass(frozen=True)
class Variable:
    """A variable as placed: name, full shape, kind ("dense" or "embedding") and its partitions."""

    name: str
    shape: tuple[int, ...]
    kind: str
    partitions: int


@dataclass(frozen=True)
class ServingReplica:
    """One serving replica of a job's model (`serve`): the worker, where predictions go, the step it answers with,
    how old those parameters are, and its state ("starting", "serving", "failing" with `problem`)."""

    node: str
    url: str
    version: int
    age_seconds: float
    state: str
    problem: str


@dataclass(frozen=True)
class Job:
    """A job as the coordinator reports it."""

    id: str
    name: str
    state: str
    reason: str
    step: int
    total_steps: int
    samples: int
    steps_per_second: float
    train_metrics: Metrics | None
    eval_metrics: Metrics | None
    created_at: float
    started_at: float | None
    finished_at: float | None
    spec_yaml: str
    checkpoint_version: int | None
    proto: Any = field(repr=False, compare=False)

    @staticmethod
    def of(job: job_pb2.Job) -> "Job":
        """From the protobuf message."""
        return Job(
            id=job.id, name=job.name, state=job_state_name(job.state), reason=job.reason, step=job.step,
            total_steps=job.total_steps, samples=job.samples, steps_per_second=job.steps_per_second,
            train_metrics=Metrics.of(job.train_metrics) if job.HasField("train_metrics") else None,
            eval_metrics=Metrics.of(job.eval_metrics) if job.HasField("eval_metrics") else None,
            created_at=job.created_at, started_at=job.started_at or None, finished_at=job.finished_at or None,
            spec_yaml=job.spec_yaml,
            checkpoint_version=job.checkpoint.version if job.HasField("checkpoint") else None, proto=job)

    @property
    def done(self) -> bool:
        """Whether the job has ended (SUCCEEDED, FAILED or CANCELLED)."""
        return self.state in TERMINAL_STATES

    @property
    def metrics(self) -> Metrics | None:
        """The latest evaluation, else the training figures (what clusterctl shows)."""
        return self.eval_metrics or self.train_metrics

    @property
    def accuracy(self) -> float | None:
        """Held-out accuracy when evaluated, else training accuracy, else None."""
        m = self.metrics
        return m.accuracy if m else None

    @property
    def loss(self) -> float | None:
        """Held-out loss when evaluated, else training loss, else None."""
        m = self.metrics
        return m.loss if m else None

    @property
    def variables(self) -> list[Variable]:
        """The job's variables in variable-id order (empty until the chief declared them)."""
        by_id: dict[int, list[Any]] = {}
        for p in self.proto.placement:
            by_id.setdefault(p.variable_id, []).append(p)
        return [Variable(ps[0].variable, tuple(ps[0].shape), ps[0].kind, len(ps)) for _, ps in sorted(by_id.items())]

    @property
    def serving(self) -> list[ServingReplica]:
        """The replicas serving the model (empty when it is not served; needs a coordinator with serving)."""
        return [ServingReplica(r.node, r.url, r.version, r.age_seconds, r.state, r.problem)
                for r in getattr(self.proto, "serving", ())]

    @property
    def preprocessing(self) -> str:
        """How raw inputs become model rows, as JSON (docs/serving.md#preprocessing); "" when unknown."""
        return self.proto.preprocessing


@dataclass(frozen=True)
class Node:
    """A psd or workerd as the coordinator sees it (a serving workerd: where it serves and the jobs it serves)."""

    id: int
    name: str
    role: str
    state: str
    address: str
    data_address: str
    device: str
    version: str
    current_job: str
    seconds_since_heartbeat: float
    serving_address: str = ""
    serving: tuple[str, ...] = ()

    @staticmethod
    def of(node: common_pb2.Node) -> "Node":
        """From the protobuf message; role "ps"/"worker", state "alive"/"suspect"/"dead" as clusterctl prints them."""
        role = {common_pb2.NODE_ROLE_PS: "ps", common_pb2.NODE_ROLE_WORKER: "worker"}.get(node.info.role, "unknown")
        state = {common_pb2.NODE_STATE_ALIVE: "alive", common_pb2.NODE_STATE_SUSPECT: "suspect",
                 common_pb2.NODE_STATE_DEAD: "dead"}.get(node.state, "unknown")
        return Node(node.id, node.info.name, role, state, node.info.address, node.info.data_address or node.info.address,
                    node.info.device, node.info.version, node.current_job, node.seconds_since_heartbeat,
                    node.info.serving_address, tuple(node.serving))


@dataclass(frozen=True)
class ClusterStatus:
    """Nodes, job counts and health at a glance."""

    coordinator_name: str
    coordinator_address: str
    version: str
    uptime_seconds: float
    health: str
    nodes: list[Node]
    jobs: dict[str, int]
    proto: Any = field(repr=False, compare=False)

    @staticmethod
    def of(s: Any) -> "ClusterStatus":
        """From the ClusterStatusResponse message."""
        jobs = {"PENDING": s.jobs_pending, "RUNNING": s.jobs_running, "SUCCEEDED": s.jobs_succeeded,
                "FAILED": s.jobs_failed, "CANCELLED": s.jobs_cancelled}
        return ClusterStatus(s.coordinator_name, s.coordinator_address, s.version, s.uptime_seconds, s.health,
                             [Node.of(n) for n in s.nodes], jobs, s)


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint just taken: the job step it holds, its manifest on the coordinator's host, files and bytes."""

    version: int
    manifest: str
    files: int
    bytes: int
