from tessera_client._proto.tessera.v1 import common_pb2 as _common_pb2
from tessera_client._proto.tessera.v1 import job_pb2 as _job_pb2
from tessera_client._proto.tessera.v1 import study_pb2 as _study_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RegisterRequest(_message.Message):
    __slots__ = ("node", "node_secret")
    NODE_FIELD_NUMBER: _ClassVar[int]
    NODE_SECRET_FIELD_NUMBER: _ClassVar[int]
    node: _common_pb2.NodeInfo
    node_secret: str
    def __init__(self, node: _Optional[_Union[_common_pb2.NodeInfo, _Mapping]] = ..., node_secret: _Optional[str] = ...) -> None: ...

class RegisterResponse(_message.Message):
    __slots__ = ("node_id", "heartbeat_interval_ms", "node_secret")
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    NODE_SECRET_FIELD_NUMBER: _ClassVar[int]
    node_id: int
    heartbeat_interval_ms: int
    node_secret: str
    def __init__(self, node_id: _Optional[int] = ..., heartbeat_interval_ms: _Optional[int] = ..., node_secret: _Optional[str] = ...) -> None: ...

class HeartbeatRequest(_message.Message):
    __slots__ = ("node_id", "node_secret")
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    NODE_SECRET_FIELD_NUMBER: _ClassVar[int]
    node_id: int
    node_secret: str
    def __init__(self, node_id: _Optional[int] = ..., node_secret: _Optional[str] = ...) -> None: ...

class HeartbeatResponse(_message.Message):
    __slots__ = ("reregister",)
    REREGISTER_FIELD_NUMBER: _ClassVar[int]
    reregister: bool
    def __init__(self, reregister: bool = ...) -> None: ...

class SubmitJobRequest(_message.Message):
    __slots__ = ("spec_yaml", "spec")
    SPEC_YAML_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    spec_yaml: str
    spec: _job_pb2.JobSpec
    def __init__(self, spec_yaml: _Optional[str] = ..., spec: _Optional[_Union[_job_pb2.JobSpec, _Mapping]] = ...) -> None: ...

class SubmitJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _job_pb2.Job
    def __init__(self, job: _Optional[_Union[_job_pb2.Job, _Mapping]] = ...) -> None: ...

class GetJobRequest(_message.Message):
    __slots__ = ("id", "with_history")
    ID_FIELD_NUMBER: _ClassVar[int]
    WITH_HISTORY_FIELD_NUMBER: _ClassVar[int]
    id: str
    with_history: bool
    def __init__(self, id: _Optional[str] = ..., with_history: bool = ...) -> None: ...

class GetJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _job_pb2.Job
    def __init__(self, job: _Optional[_Union[_job_pb2.Job, _Mapping]] = ...) -> None: ...

class ListJobsRequest(_message.Message):
    __slots__ = ("limit", "state")
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    limit: int
    state: str
    def __init__(self, limit: _Optional[int] = ..., state: _Optional[str] = ...) -> None: ...

class ListJobsResponse(_message.Message):
    __slots__ = ("jobs", "total")
    JOBS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[_job_pb2.Job]
    total: int
    def __init__(self, jobs: _Optional[_Iterable[_Union[_job_pb2.Job, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class CancelJobRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CancelJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _job_pb2.Job
    def __init__(self, job: _Optional[_Union[_job_pb2.Job, _Mapping]] = ...) -> None: ...

class ClusterStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ClusterStatusResponse(_message.Message):
    __slots__ = ("coordinator_name", "coordinator_address", "version", "uptime_seconds", "nodes", "jobs_pending", "jobs_running", "jobs_succeeded", "jobs_failed", "jobs_cancelled", "health")
    COORDINATOR_NAME_FIELD_NUMBER: _ClassVar[int]
    COORDINATOR_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    UPTIME_SECONDS_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    JOBS_PENDING_FIELD_NUMBER: _ClassVar[int]
    JOBS_RUNNING_FIELD_NUMBER: _ClassVar[int]
    JOBS_SUCCEEDED_FIELD_NUMBER: _ClassVar[int]
    JOBS_FAILED_FIELD_NUMBER: _ClassVar[int]
    JOBS_CANCELLED_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    coordinator_name: str
    coordinator_address: str
    version: str
    uptime_seconds: float
    nodes: _containers.RepeatedCompositeFieldContainer[_common_pb2.Node]
    jobs_pending: int
    jobs_running: int
    jobs_succeeded: int
    jobs_failed: int
    jobs_cancelled: int
    health: str
    def __init__(self, coordinator_name: _Optional[str] = ..., coordinator_address: _Optional[str] = ..., version: _Optional[str] = ..., uptime_seconds: _Optional[float] = ..., nodes: _Optional[_Iterable[_Union[_common_pb2.Node, _Mapping]]] = ..., jobs_pending: _Optional[int] = ..., jobs_running: _Optional[int] = ..., jobs_succeeded: _Optional[int] = ..., jobs_failed: _Optional[int] = ..., jobs_cancelled: _Optional[int] = ..., health: _Optional[str] = ...) -> None: ...

class GetTaskRequest(_message.Message):
    __slots__ = ("node_id", "node_secret", "wait_ms")
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    NODE_SECRET_FIELD_NUMBER: _ClassVar[int]
    WAIT_MS_FIELD_NUMBER: _ClassVar[int]
    node_id: int
    node_secret: str
    wait_ms: int
    def __init__(self, node_id: _Optional[int] = ..., node_secret: _Optional[str] = ..., wait_ms: _Optional[int] = ...) -> None: ...

class TaskAssignment(_message.Message):
    __slots__ = ("job_id", "job_number", "spec", "worker_index", "worker_count", "is_chief", "placement_ready", "placement", "transport", "resume_batches")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_NUMBER_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    WORKER_INDEX_FIELD_NUMBER: _ClassVar[int]
    WORKER_COUNT_FIELD_NUMBER: _ClassVar[int]
    IS_CHIEF_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_READY_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    TRANSPORT_FIELD_NUMBER: _ClassVar[int]
    RESUME_BATCHES_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    job_number: int
    spec: _job_pb2.JobSpec
    worker_index: int
    worker_count: int
    is_chief: bool
    placement_ready: bool
    placement: _containers.RepeatedCompositeFieldContainer[_job_pb2.PartitionPlacement]
    transport: str
    resume_batches: int
    def __init__(self, job_id: _Optional[str] = ..., job_number: _Optional[int] = ..., spec: _Optional[_Union[_job_pb2.JobSpec, _Mapping]] = ..., worker_index: _Optional[int] = ..., worker_count: _Optional[int] = ..., is_chief: bool = ..., placement_ready: bool = ..., placement: _Optional[_Iterable[_Union[_job_pb2.PartitionPlacement, _Mapping]]] = ..., transport: _Optional[str] = ..., resume_batches: _Optional[int] = ...) -> None: ...

class GetTaskResponse(_message.Message):
    __slots__ = ("task", "retry_after_ms")
    TASK_FIELD_NUMBER: _ClassVar[int]
    RETRY_AFTER_MS_FIELD_NUMBER: _ClassVar[int]
    task: TaskAssignment
    retry_after_ms: int
    def __init__(self, task: _Optional[_Union[TaskAssignment, _Mapping]] = ..., retry_after_ms: _Optional[int] = ...) -> None: ...

class VariableDecl(_message.Message):
    __slots__ = ("name", "shape", "dtype", "kind", "initializer", "initializer_args")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    INITIALIZER_FIELD_NUMBER: _ClassVar[int]
    INITIALIZER_ARGS_FIELD_NUMBER: _ClassVar[int]
    name: str
    shape: _containers.RepeatedScalarFieldContainer[int]
    dtype: str
    kind: str
    initializer: str
    initializer_args: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, name: _Optional[str] = ..., shape: _Optional[_Iterable[int]] = ..., dtype: _Optional[str] = ..., kind: _Optional[str] = ..., initializer: _Optional[str] = ..., initializer_args: _Optional[_Iterable[float]] = ...) -> None: ...

class DeclareVariablesRequest(_message.Message):
    __slots__ = ("node_id", "job_id", "variables", "node_secret", "preprocessing")
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    NODE_SECRET_FIELD_NUMBER: _ClassVar[int]
    PREPROCESSING_FIELD_NUMBER: _ClassVar[int]
    node_id: int
    job_id: str
    variables: _containers.RepeatedCompositeFieldContainer[VariableDecl]
    node_secret: str
    preprocessing: str
    def __init__(self, node_id: _Optional[int] = ..., job_id: _Optional[str] = ..., variables: _Optional[_Iterable[_Union[VariableDecl, _Mapping]]] = ..., node_secret: _Optional[str] = ..., preprocessing: _Optional[str] = ...) -> None: ...

class DeclareVariablesResponse(_message.Message):
    __slots__ = ("placement",)
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    placement: _containers.RepeatedCompositeFieldContainer[_job_pb2.PartitionPlacement]
    def __init__(self, placement: _Optional[_Iterable[_Union[_job_pb2.PartitionPlacement, _Mapping]]] = ...) -> None: ...

class ReportProgressRequest(_message.Message):
    __slots__ = ("node_id", "job_id", "worker_step", "epoch", "samples", "train", "eval", "shard_version", "stale_dropped", "steps_per_second", "finished", "failure", "total_steps", "training_done", "failure_shard", "node_secret")
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    WORKER_STEP_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    SAMPLES_FIELD_NUMBER: _ClassVar[int]
    TRAIN_FIELD_NUMBER: _ClassVar[int]
    EVAL_FIELD_NUMBER: _ClassVar[int]
    SHARD_VERSION_FIELD_NUMBER: _ClassVar[int]
    STALE_DROPPED_FIELD_NUMBER: _ClassVar[int]
    STEPS_PER_SECOND_FIELD_NUMBER: _ClassVar[int]
    FINISHED_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_STEPS_FIELD_NUMBER: _ClassVar[int]
    TRAINING_DONE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_SHARD_FIELD_NUMBER: _ClassVar[int]
    NODE_SECRET_FIELD_NUMBER: _ClassVar[int]
    node_id: int
    job_id: str
    worker_step: int
    epoch: int
    samples: int
    train: _common_pb2.Metrics
    eval: _common_pb2.Metrics
    shard_version: int
    stale_dropped: int
    steps_per_second: float
    finished: bool
    failure: str
    total_steps: int
    training_done: bool
    failure_shard: str
    node_secret: str
    def __init__(self, node_id: _Optional[int] = ..., job_id: _Optional[str] = ..., worker_step: _Optional[int] = ..., epoch: _Optional[int] = ..., samples: _Optional[int] = ..., train: _Optional[_Union[_common_pb2.Metrics, _Mapping]] = ..., eval: _Optional[_Union[_common_pb2.Metrics, _Mapping]] = ..., shard_version: _Optional[int] = ..., stale_dropped: _Optional[int] = ..., steps_per_second: _Optional[float] = ..., finished: bool = ..., failure: _Optional[str] = ..., total_steps: _Optional[int] = ..., training_done: bool = ..., failure_shard: _Optional[str] = ..., node_secret: _Optional[str] = ...) -> None: ...

class ReportProgressResponse(_message.Message):
    __slots__ = ("stop", "reason", "peers_finished")
    STOP_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    PEERS_FINISHED_FIELD_NUMBER: _ClassVar[int]
    stop: bool
    reason: str
    peers_finished: bool
    def __init__(self, stop: bool = ..., reason: _Optional[str] = ..., peers_finished: bool = ...) -> None: ...

class CheckpointJobRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CheckpointJobResponse(_message.Message):
    __slots__ = ("version", "manifest", "files", "bytes")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    BYTES_FIELD_NUMBER: _ClassVar[int]
    version: int
    manifest: str
    files: int
    bytes: int
    def __init__(self, version: _Optional[int] = ..., manifest: _Optional[str] = ..., files: _Optional[int] = ..., bytes: _Optional[int] = ...) -> None: ...

class DeleteJobRequest(_message.Message):
    __slots__ = ("id", "force")
    ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    id: str
    force: bool
    def __init__(self, id: _Optional[str] = ..., force: bool = ...) -> None: ...

class DeleteJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _job_pb2.Job
    def __init__(self, job: _Optional[_Union[_job_pb2.Job, _Mapping]] = ...) -> None: ...

class ServeJobRequest(_message.Message):
    __slots__ = ("id", "replicas", "refresh_ms")
    ID_FIELD_NUMBER: _ClassVar[int]
    REPLICAS_FIELD_NUMBER: _ClassVar[int]
    REFRESH_MS_FIELD_NUMBER: _ClassVar[int]
    id: str
    replicas: int
    refresh_ms: int
    def __init__(self, id: _Optional[str] = ..., replicas: _Optional[int] = ..., refresh_ms: _Optional[int] = ...) -> None: ...

class ServeJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _job_pb2.Job
    def __init__(self, job: _Optional[_Union[_job_pb2.Job, _Mapping]] = ...) -> None: ...

class ReplicaReport(_message.Message):
    __slots__ = ("job_id", "version", "age_ms", "problem", "available")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    AGE_MS_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    version: int
    age_ms: int
    problem: str
    available: bool
    def __init__(self, job_id: _Optional[str] = ..., version: _Optional[int] = ..., age_ms: _Optional[int] = ..., problem: _Optional[str] = ..., available: bool = ...) -> None: ...

class SyncServingRequest(_message.Message):
    __slots__ = ("node_id", "node_secret", "replicas")
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    NODE_SECRET_FIELD_NUMBER: _ClassVar[int]
    REPLICAS_FIELD_NUMBER: _ClassVar[int]
    node_id: int
    node_secret: str
    replicas: _containers.RepeatedCompositeFieldContainer[ReplicaReport]
    def __init__(self, node_id: _Optional[int] = ..., node_secret: _Optional[str] = ..., replicas: _Optional[_Iterable[_Union[ReplicaReport, _Mapping]]] = ...) -> None: ...

class ServingAssignment(_message.Message):
    __slots__ = ("job_id", "job_number", "spec", "placement", "preprocessing", "refresh_ms")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_NUMBER_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    PREPROCESSING_FIELD_NUMBER: _ClassVar[int]
    REFRESH_MS_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    job_number: int
    spec: _job_pb2.JobSpec
    placement: _containers.RepeatedCompositeFieldContainer[_job_pb2.PartitionPlacement]
    preprocessing: str
    refresh_ms: int
    def __init__(self, job_id: _Optional[str] = ..., job_number: _Optional[int] = ..., spec: _Optional[_Union[_job_pb2.JobSpec, _Mapping]] = ..., placement: _Optional[_Iterable[_Union[_job_pb2.PartitionPlacement, _Mapping]]] = ..., preprocessing: _Optional[str] = ..., refresh_ms: _Optional[int] = ...) -> None: ...

class SyncServingResponse(_message.Message):
    __slots__ = ("assignments", "poll_ms")
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    POLL_MS_FIELD_NUMBER: _ClassVar[int]
    assignments: _containers.RepeatedCompositeFieldContainer[ServingAssignment]
    poll_ms: int
    def __init__(self, assignments: _Optional[_Iterable[_Union[ServingAssignment, _Mapping]]] = ..., poll_ms: _Optional[int] = ...) -> None: ...
