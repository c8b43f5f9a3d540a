from tessera_client._proto.tessera.v1 import job_pb2 as _job_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PartitionSpecMsg(_message.Message):
    __slots__ = ("variable_id", "partition", "name", "shape", "dtype", "kind", "initializer", "initializer_args", "row_offset", "row_count", "seed")
    VARIABLE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTITION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    INITIALIZER_FIELD_NUMBER: _ClassVar[int]
    INITIALIZER_ARGS_FIELD_NUMBER: _ClassVar[int]
    ROW_OFFSET_FIELD_NUMBER: _ClassVar[int]
    ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    variable_id: int
    partition: int
    name: str
    shape: _containers.RepeatedScalarFieldContainer[int]
    dtype: str
    kind: str
    initializer: str
    initializer_args: _containers.RepeatedScalarFieldContainer[float]
    row_offset: int
    row_count: int
    seed: int
    def __init__(self, variable_id: _Optional[int] = ..., partition: _Optional[int] = ..., name: _Optional[str] = ..., shape: _Optional[_Iterable[int]] = ..., dtype: _Optional[str] = ..., kind: _Optional[str] = ..., initializer: _Optional[str] = ..., initializer_args: _Optional[_Iterable[float]] = ..., row_offset: _Optional[int] = ..., row_count: _Optional[int] = ..., seed: _Optional[int] = ...) -> None: ...

class CreateJobRequest(_message.Message):
    __slots__ = ("job_number", "job_id", "partitions", "optimizer", "training")
    JOB_NUMBER_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    PARTITIONS_FIELD_NUMBER: _ClassVar[int]
    OPTIMIZER_FIELD_NUMBER: _ClassVar[int]
    TRAINING_FIELD_NUMBER: _ClassVar[int]
    job_number: int
    job_id: str
    partitions: _containers.RepeatedCompositeFieldContainer[PartitionSpecMsg]
    optimizer: _job_pb2.OptimizerSpec
    training: _job_pb2.TrainingSpec
    def __init__(self, job_number: _Optional[int] = ..., job_id: _Optional[str] = ..., partitions: _Optional[_Iterable[_Union[PartitionSpecMsg, _Mapping]]] = ..., optimizer: _Optional[_Union[_job_pb2.OptimizerSpec, _Mapping]] = ..., training: _Optional[_Union[_job_pb2.TrainingSpec, _Mapping]] = ...) -> None: ...

class CreateJobResponse(_message.Message):
    __slots__ = ("bytes",)
    BYTES_FIELD_NUMBER: _ClassVar[int]
    bytes: int
    def __init__(self, bytes: _Optional[int] = ...) -> None: ...

class DropJobRequest(_message.Message):
    __slots__ = ("job_number",)
    JOB_NUMBER_FIELD_NUMBER: _ClassVar[int]
    job_number: int
    def __init__(self, job_number: _Optional[int] = ...) -> None: ...

class DropJobResponse(_message.Message):
    __slots__ = ("dropped",)
    DROPPED_FIELD_NUMBER: _ClassVar[int]
    dropped: bool
    def __init__(self, dropped: bool = ...) -> None: ...

class ShardStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ShardJobStatus(_message.Message):
    __slots__ = ("job_number", "version", "pushes", "applied", "stale_dropped", "rejected", "bytes_in", "bytes_out", "bytes_held", "effective_replicas", "non_finite_rejected", "duplicate_dropped")
    JOB_NUMBER_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PUSHES_FIELD_NUMBER: _ClassVar[int]
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    STALE_DROPPED_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    BYTES_IN_FIELD_NUMBER: _ClassVar[int]
    BYTES_OUT_FIELD_NUMBER: _ClassVar[int]
    BYTES_HELD_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_REPLICAS_FIELD_NUMBER: _ClassVar[int]
    NON_FINITE_REJECTED_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_DROPPED_FIELD_NUMBER: _ClassVar[int]
    job_number: int
    version: int
    pushes: int
    applied: int
    stale_dropped: int
    rejected: int
    bytes_in: int
    bytes_out: int
    bytes_held: int
    effective_replicas: int
    non_finite_rejected: int
    duplicate_dropped: int
    def __init__(self, job_number: _Optional[int] = ..., version: _Optional[int] = ..., pushes: _Optional[int] = ..., applied: _Optional[int] = ..., stale_dropped: _Optional[int] = ..., rejected: _Optional[int] = ..., bytes_in: _Optional[int] = ..., bytes_out: _Optional[int] = ..., bytes_held: _Optional[int] = ..., effective_replicas: _Optional[int] = ..., non_finite_rejected: _Optional[int] = ..., duplicate_dropped: _Optional[int] = ...) -> None: ...

class ShardStatusResponse(_message.Message):
    __slots__ = ("jobs",)
    JOBS_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[ShardJobStatus]
    def __init__(self, jobs: _Optional[_Iterable[_Union[ShardJobStatus, _Mapping]]] = ...) -> None: ...

class SetReplicasRequest(_message.Message):
    __slots__ = ("job_number", "replicas")
    JOB_NUMBER_FIELD_NUMBER: _ClassVar[int]
    REPLICAS_FIELD_NUMBER: _ClassVar[int]
    job_number: int
    replicas: int
    def __init__(self, job_number: _Optional[int] = ..., replicas: _Optional[int] = ...) -> None: ...

class SetReplicasResponse(_message.Message):
    __slots__ = ("version",)
    VERSION_FIELD_NUMBER: _ClassVar[int]
    version: int
    def __init__(self, version: _Optional[int] = ...) -> None: ...

class CheckpointShardRequest(_message.Message):
    __slots__ = ("job_number", "at_version", "timeout_ms")
    JOB_NUMBER_FIELD_NUMBER: _ClassVar[int]
    AT_VERSION_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    job_number: int
    at_version: int
    timeout_ms: int
    def __init__(self, job_number: _Optional[int] = ..., at_version: _Optional[int] = ..., timeout_ms: _Optional[int] = ...) -> None: ...

class CheckpointShardResponse(_message.Message):
    __slots__ = ("version", "path", "bytes", "crc32c")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    BYTES_FIELD_NUMBER: _ClassVar[int]
    CRC32C_FIELD_NUMBER: _ClassVar[int]
    version: int
    path: str
    bytes: int
    crc32c: int
    def __init__(self, version: _Optional[int] = ..., path: _Optional[str] = ..., bytes: _Optional[int] = ..., crc32c: _Optional[int] = ...) -> None: ...

class PauseJobRequest(_message.Message):
    __slots__ = ("job_number", "paused", "max_pause_ms")
    JOB_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PAUSED_FIELD_NUMBER: _ClassVar[int]
    MAX_PAUSE_MS_FIELD_NUMBER: _ClassVar[int]
    job_number: int
    paused: bool
    max_pause_ms: int
    def __init__(self, job_number: _Optional[int] = ..., paused: bool = ..., max_pause_ms: _Optional[int] = ...) -> None: ...

class PauseJobResponse(_message.Message):
    __slots__ = ("version",)
    VERSION_FIELD_NUMBER: _ClassVar[int]
    version: int
    def __init__(self, version: _Optional[int] = ...) -> None: ...

class RestoreShardRequest(_message.Message):
    __slots__ = ("job_number", "path", "crc32c", "values_only", "source_job_number")
    JOB_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    CRC32C_FIELD_NUMBER: _ClassVar[int]
    VALUES_ONLY_FIELD_NUMBER: _ClassVar[int]
    SOURCE_JOB_NUMBER_FIELD_NUMBER: _ClassVar[int]
    job_number: int
    path: str
    crc32c: int
    values_only: bool
    source_job_number: int
    def __init__(self, job_number: _Optional[int] = ..., path: _Optional[str] = ..., crc32c: _Optional[int] = ..., values_only: bool = ..., source_job_number: _Optional[int] = ...) -> None: ...

class RestoreShardResponse(_message.Message):
    __slots__ = ("version",)
    VERSION_FIELD_NUMBER: _ClassVar[int]
    version: int
    def __init__(self, version: _Optional[int] = ...) -> None: ...

class PruneCheckpointsRequest(_message.Message):
    __slots__ = ("job_number", "keep_versions")
    JOB_NUMBER_FIELD_NUMBER: _ClassVar[int]
    KEEP_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    job_number: int
    keep_versions: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, job_number: _Optional[int] = ..., keep_versions: _Optional[_Iterable[int]] = ...) -> None: ...

class PruneCheckpointsResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: int
    def __init__(self, deleted: _Optional[int] = ...) -> None: ...
