from tessera_client._proto.tessera.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class JobState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JOB_STATE_UNSPECIFIED: _ClassVar[JobState]
    JOB_STATE_PENDING: _ClassVar[JobState]
    JOB_STATE_RUNNING: _ClassVar[JobState]
    JOB_STATE_SUCCEEDED: _ClassVar[JobState]
    JOB_STATE_FAILED: _ClassVar[JobState]
    JOB_STATE_CANCELLED: _ClassVar[JobState]
    JOB_STATE_RECOVERING: _ClassVar[JobState]
JOB_STATE_UNSPECIFIED: JobState
JOB_STATE_PENDING: JobState
JOB_STATE_RUNNING: JobState
JOB_STATE_SUCCEEDED: JobState
JOB_STATE_FAILED: JobState
JOB_STATE_CANCELLED: JobState
JOB_STATE_RECOVERING: JobState

class JobSpec(_message.Message):
    __slots__ = ("name", "model", "data", "optimizer", "training", "cluster", "init_from", "serving")
    NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    OPTIMIZER_FIELD_NUMBER: _ClassVar[int]
    TRAINING_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    INIT_FROM_FIELD_NUMBER: _ClassVar[int]
    SERVING_FIELD_NUMBER: _ClassVar[int]
    name: str
    model: ModelSpec
    data: DataSpec
    optimizer: OptimizerSpec
    training: TrainingSpec
    cluster: ClusterShape
    init_from: str
    serving: ServingSpec
    def __init__(self, name: _Optional[str] = ..., model: _Optional[_Union[ModelSpec, _Mapping]] = ..., data: _Optional[_Union[DataSpec, _Mapping]] = ..., optimizer: _Optional[_Union[OptimizerSpec, _Mapping]] = ..., training: _Optional[_Union[TrainingSpec, _Mapping]] = ..., cluster: _Optional[_Union[ClusterShape, _Mapping]] = ..., init_from: _Optional[str] = ..., serving: _Optional[_Union[ServingSpec, _Mapping]] = ...) -> None: ...

class ServingSpec(_message.Message):
    __slots__ = ("replicas", "refresh_ms")
    REPLICAS_FIELD_NUMBER: _ClassVar[int]
    REFRESH_MS_FIELD_NUMBER: _ClassVar[int]
    replicas: int
    refresh_ms: int
    def __init__(self, replicas: _Optional[int] = ..., refresh_ms: _Optional[int] = ...) -> None: ...

class ModelSpec(_message.Message):
    __slots__ = ("type", "hidden", "activation", "dropout", "classes", "cnn", "wide_deep")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    HIDDEN_FIELD_NUMBER: _ClassVar[int]
    ACTIVATION_FIELD_NUMBER: _ClassVar[int]
    DROPOUT_FIELD_NUMBER: _ClassVar[int]
    CLASSES_FIELD_NUMBER: _ClassVar[int]
    CNN_FIELD_NUMBER: _ClassVar[int]
    WIDE_DEEP_FIELD_NUMBER: _ClassVar[int]
    type: str
    hidden: _containers.RepeatedScalarFieldContainer[int]
    activation: str
    dropout: float
    classes: int
    cnn: CnnSpec
    wide_deep: WideDeepSpec
    def __init__(self, type: _Optional[str] = ..., hidden: _Optional[_Iterable[int]] = ..., activation: _Optional[str] = ..., dropout: _Optional[float] = ..., classes: _Optional[int] = ..., cnn: _Optional[_Union[CnnSpec, _Mapping]] = ..., wide_deep: _Optional[_Union[WideDeepSpec, _Mapping]] = ...) -> None: ...

class CnnSpec(_message.Message):
    __slots__ = ("filters", "kernel_size", "pool_size", "input_shape")
    FILTERS_FIELD_NUMBER: _ClassVar[int]
    KERNEL_SIZE_FIELD_NUMBER: _ClassVar[int]
    POOL_SIZE_FIELD_NUMBER: _ClassVar[int]
    INPUT_SHAPE_FIELD_NUMBER: _ClassVar[int]
    filters: _containers.RepeatedScalarFieldContainer[int]
    kernel_size: int
    pool_size: int
    input_shape: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, filters: _Optional[_Iterable[int]] = ..., kernel_size: _Optional[int] = ..., pool_size: _Optional[int] = ..., input_shape: _Optional[_Iterable[int]] = ...) -> None: ...

class WideDeepSpec(_message.Message):
    __slots__ = ("embedding_dim", "categorical", "numeric", "wide", "vocabulary_hint")
    EMBEDDING_DIM_FIELD_NUMBER: _ClassVar[int]
    CATEGORICAL_FIELD_NUMBER: _ClassVar[int]
    NUMERIC_FIELD_NUMBER: _ClassVar[int]
    WIDE_FIELD_NUMBER: _ClassVar[int]
    VOCABULARY_HINT_FIELD_NUMBER: _ClassVar[int]
    embedding_dim: int
    categorical: _containers.RepeatedScalarFieldContainer[str]
    numeric: _containers.RepeatedScalarFieldContainer[str]
    wide: _containers.RepeatedScalarFieldContainer[str]
    vocabulary_hint: int
    def __init__(self, embedding_dim: _Optional[int] = ..., categorical: _Optional[_Iterable[str]] = ..., numeric: _Optional[_Iterable[str]] = ..., wide: _Optional[_Iterable[str]] = ..., vocabulary_hint: _Optional[int] = ...) -> None: ...

class DataSpec(_message.Message):
    __slots__ = ("format", "train", "train_labels", "test", "test_labels", "label", "test_fraction", "normalize", "batch_size", "shuffle", "samples", "weights", "bias", "noise", "x_min", "x_max", "features", "stream")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    TRAIN_FIELD_NUMBER: _ClassVar[int]
    TRAIN_LABELS_FIELD_NUMBER: _ClassVar[int]
    TEST_FIELD_NUMBER: _ClassVar[int]
    TEST_LABELS_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    TEST_FRACTION_FIELD_NUMBER: _ClassVar[int]
    NORMALIZE_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    SHUFFLE_FIELD_NUMBER: _ClassVar[int]
    SAMPLES_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    BIAS_FIELD_NUMBER: _ClassVar[int]
    NOISE_FIELD_NUMBER: _ClassVar[int]
    X_MIN_FIELD_NUMBER: _ClassVar[int]
    X_MAX_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    STREAM_FIELD_NUMBER: _ClassVar[int]
    format: str
    train: str
    train_labels: str
    test: str
    test_labels: str
    label: str
    test_fraction: float
    normalize: str
    batch_size: int
    shuffle: bool
    samples: int
    weights: _containers.RepeatedScalarFieldContainer[float]
    bias: float
    noise: float
    x_min: float
    x_max: float
    features: int
    stream: StreamSpec
    def __init__(self, format: _Optional[str] = ..., train: _Optional[str] = ..., train_labels: _Optional[str] = ..., test: _Optional[str] = ..., test_labels: _Optional[str] = ..., label: _Optional[str] = ..., test_fraction: _Optional[float] = ..., normalize: _Optional[str] = ..., batch_size: _Optional[int] = ..., shuffle: bool = ..., samples: _Optional[int] = ..., weights: _Optional[_Iterable[float]] = ..., bias: _Optional[float] = ..., noise: _Optional[float] = ..., x_min: _Optional[float] = ..., x_max: _Optional[float] = ..., features: _Optional[int] = ..., stream: _Optional[_Union[StreamSpec, _Mapping]] = ...) -> None: ...

class StreamSpec(_message.Message):
    __slots__ = ("dir", "pattern", "poll_ms", "eval_window")
    DIR_FIELD_NUMBER: _ClassVar[int]
    PATTERN_FIELD_NUMBER: _ClassVar[int]
    POLL_MS_FIELD_NUMBER: _ClassVar[int]
    EVAL_WINDOW_FIELD_NUMBER: _ClassVar[int]
    dir: str
    pattern: str
    poll_ms: int
    eval_window: int
    def __init__(self, dir: _Optional[str] = ..., pattern: _Optional[str] = ..., poll_ms: _Optional[int] = ..., eval_window: _Optional[int] = ...) -> None: ...

class ScheduleSpec(_message.Message):
    __slots__ = ("type", "decay_steps", "decay_rate", "staircase", "warmup_steps")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DECAY_STEPS_FIELD_NUMBER: _ClassVar[int]
    DECAY_RATE_FIELD_NUMBER: _ClassVar[int]
    STAIRCASE_FIELD_NUMBER: _ClassVar[int]
    WARMUP_STEPS_FIELD_NUMBER: _ClassVar[int]
    type: str
    decay_steps: int
    decay_rate: float
    staircase: bool
    warmup_steps: int
    def __init__(self, type: _Optional[str] = ..., decay_steps: _Optional[int] = ..., decay_rate: _Optional[float] = ..., staircase: bool = ..., warmup_steps: _Optional[int] = ...) -> None: ...

class OptimizerSpec(_message.Message):
    __slots__ = ("type", "learning_rate", "momentum", "nesterov", "beta1", "beta2", "epsilon", "rho", "initial_accumulator", "l1", "l2", "schedule")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    LEARNING_RATE_FIELD_NUMBER: _ClassVar[int]
    MOMENTUM_FIELD_NUMBER: _ClassVar[int]
    NESTEROV_FIELD_NUMBER: _ClassVar[int]
    BETA1_FIELD_NUMBER: _ClassVar[int]
    BETA2_FIELD_NUMBER: _ClassVar[int]
    EPSILON_FIELD_NUMBER: _ClassVar[int]
    RHO_FIELD_NUMBER: _ClassVar[int]
    INITIAL_ACCUMULATOR_FIELD_NUMBER: _ClassVar[int]
    L1_FIELD_NUMBER: _ClassVar[int]
    L2_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    type: str
    learning_rate: float
    momentum: float
    nesterov: bool
    beta1: float
    beta2: float
    epsilon: float
    rho: float
    initial_accumulator: float
    l1: float
    l2: float
    schedule: ScheduleSpec
    def __init__(self, type: _Optional[str] = ..., learning_rate: _Optional[float] = ..., momentum: _Optional[float] = ..., nesterov: bool = ..., beta1: _Optional[float] = ..., beta2: _Optional[float] = ..., epsilon: _Optional[float] = ..., rho: _Optional[float] = ..., initial_accumulator: _Optional[float] = ..., l1: _Optional[float] = ..., l2: _Optional[float] = ..., schedule: _Optional[_Union[ScheduleSpec, _Mapping]] = ...) -> None: ...

class CheckpointSpec(_message.Message):
    __slots__ = ("every_steps", "every_seconds", "keep")
    EVERY_STEPS_FIELD_NUMBER: _ClassVar[int]
    EVERY_SECONDS_FIELD_NUMBER: _ClassVar[int]
    KEEP_FIELD_NUMBER: _ClassVar[int]
    every_steps: int
    every_seconds: float
    keep: int
    def __init__(self, every_steps: _Optional[int] = ..., every_seconds: _Optional[float] = ..., keep: _Optional[int] = ...) -> None: ...

class StopAt(_message.Message):
    __slots__ = ("metric", "value")
    METRIC_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    metric: str
    value: float
    def __init__(self, metric: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...

class TrainingSpec(_message.Message):
    __slots__ = ("mode", "replicas_to_aggregate", "backup_workers", "max_staleness", "epochs", "max_steps", "eval_every_steps", "checkpoint", "stop_at", "seed")
    MODE_FIELD_NUMBER: _ClassVar[int]
    REPLICAS_TO_AGGREGATE_FIELD_NUMBER: _ClassVar[int]
    BACKUP_WORKERS_FIELD_NUMBER: _ClassVar[int]
    MAX_STALENESS_FIELD_NUMBER: _ClassVar[int]
    EPOCHS_FIELD_NUMBER: _ClassVar[int]
    MAX_STEPS_FIELD_NUMBER: _ClassVar[int]
    EVAL_EVERY_STEPS_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    STOP_AT_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    mode: str
    replicas_to_aggregate: int
    backup_workers: int
    max_staleness: int
    epochs: int
    max_steps: int
    eval_every_steps: int
    checkpoint: CheckpointSpec
    stop_at: StopAt
    seed: int
    def __init__(self, mode: _Optional[str] = ..., replicas_to_aggregate: _Optional[int] = ..., backup_workers: _Optional[int] = ..., max_staleness: _Optional[int] = ..., epochs: _Optional[int] = ..., max_steps: _Optional[int] = ..., eval_every_steps: _Optional[int] = ..., checkpoint: _Optional[_Union[CheckpointSpec, _Mapping]] = ..., stop_at: _Optional[_Union[StopAt, _Mapping]] = ..., seed: _Optional[int] = ...) -> None: ...

class ClusterShape(_message.Message):
    __slots__ = ("workers", "ps_shards", "transport")
    WORKERS_FIELD_NUMBER: _ClassVar[int]
    PS_SHARDS_FIELD_NUMBER: _ClassVar[int]
    TRANSPORT_FIELD_NUMBER: _ClassVar[int]
    workers: int
    ps_shards: int
    transport: str
    def __init__(self, workers: _Optional[int] = ..., ps_shards: _Optional[int] = ..., transport: _Optional[str] = ...) -> None: ...

class PartitionPlacement(_message.Message):
    __slots__ = ("variable", "variable_id", "partition", "shard_node_id", "shard_name", "shard_address", "row_offset", "row_count", "bytes", "shape", "kind")
    VARIABLE_FIELD_NUMBER: _ClassVar[int]
    VARIABLE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTITION_FIELD_NUMBER: _ClassVar[int]
    SHARD_NODE_ID_FIELD_NUMBER: _ClassVar[int]
    SHARD_NAME_FIELD_NUMBER: _ClassVar[int]
    SHARD_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ROW_OFFSET_FIELD_NUMBER: _ClassVar[int]
    ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    BYTES_FIELD_NUMBER: _ClassVar[int]
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    variable: str
    variable_id: int
    partition: int
    shard_node_id: int
    shard_name: str
    shard_address: str
    row_offset: int
    row_count: int
    bytes: int
    shape: _containers.RepeatedScalarFieldContainer[int]
    kind: str
    def __init__(self, variable: _Optional[str] = ..., variable_id: _Optional[int] = ..., partition: _Optional[int] = ..., shard_node_id: _Optional[int] = ..., shard_name: _Optional[str] = ..., shard_address: _Optional[str] = ..., row_offset: _Optional[int] = ..., row_count: _Optional[int] = ..., bytes: _Optional[int] = ..., shape: _Optional[_Iterable[int]] = ..., kind: _Optional[str] = ...) -> None: ...

class WorkerTask(_message.Message):
    __slots__ = ("index", "node_id", "node_name", "step", "epoch", "finished")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    NODE_NAME_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    FINISHED_FIELD_NUMBER: _ClassVar[int]
    index: int
    node_id: int
    node_name: str
    step: int
    epoch: int
    finished: bool
    def __init__(self, index: _Optional[int] = ..., node_id: _Optional[int] = ..., node_name: _Optional[str] = ..., step: _Optional[int] = ..., epoch: _Optional[int] = ..., finished: bool = ...) -> None: ...

class MetricPoint(_message.Message):
    __slots__ = ("step", "time", "kind", "metrics")
    STEP_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    step: int
    time: float
    kind: str
    metrics: _common_pb2.Metrics
    def __init__(self, step: _Optional[int] = ..., time: _Optional[float] = ..., kind: _Optional[str] = ..., metrics: _Optional[_Union[_common_pb2.Metrics, _Mapping]] = ...) -> None: ...

class Job(_message.Message):
    __slots__ = ("id", "name", "state", "reason", "step", "total_steps", "train_metrics", "eval_metrics", "stale_dropped", "effective_replicas", "placement", "workers", "created_at", "started_at", "finished_at", "spec", "spec_yaml", "history", "tensorboard_dir", "steps_per_second", "samples", "checkpoint", "preprocessing", "serving_replicas", "serving_refresh_ms", "serving", "study_id", "trial")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    TOTAL_STEPS_FIELD_NUMBER: _ClassVar[int]
    TRAIN_METRICS_FIELD_NUMBER: _ClassVar[int]
    EVAL_METRICS_FIELD_NUMBER: _ClassVar[int]
    STALE_DROPPED_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_REPLICAS_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    WORKERS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    SPEC_YAML_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    TENSORBOARD_DIR_FIELD_NUMBER: _ClassVar[int]
    STEPS_PER_SECOND_FIELD_NUMBER: _ClassVar[int]
    SAMPLES_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    PREPROCESSING_FIELD_NUMBER: _ClassVar[int]
    SERVING_REPLICAS_FIELD_NUMBER: _ClassVar[int]
    SERVING_REFRESH_MS_FIELD_NUMBER: _ClassVar[int]
    SERVING_FIELD_NUMBER: _ClassVar[int]
    STUDY_ID_FIELD_NUMBER: _ClassVar[int]
    TRIAL_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    state: JobState
    reason: str
    step: int
    total_steps: int
    train_metrics: _common_pb2.Metrics
    eval_metrics: _common_pb2.Metrics
    stale_dropped: int
    effective_replicas: int
    placement: _containers.RepeatedCompositeFieldContainer[PartitionPlacement]
    workers: _containers.RepeatedCompositeFieldContainer[WorkerTask]
    created_at: float
    started_at: float
    finished_at: float
    spec: JobSpec
    spec_yaml: str
    history: _containers.RepeatedCompositeFieldContainer[MetricPoint]
    tensorboard_dir: str
    steps_per_second: float
    samples: int
    checkpoint: CheckpointRef
    preprocessing: str
    serving_replicas: int
    serving_refresh_ms: int
    serving: _containers.RepeatedCompositeFieldContainer[ServingReplica]
    study_id: str
    trial: int
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., state: _Optional[_Union[JobState, str]] = ..., reason: _Optional[str] = ..., step: _Optional[int] = ..., total_steps: _Optional[int] = ..., train_metrics: _Optional[_Union[_common_pb2.Metrics, _Mapping]] = ..., eval_metrics: _Optional[_Union[_common_pb2.Metrics, _Mapping]] = ..., stale_dropped: _Optional[int] = ..., effective_replicas: _Optional[int] = ..., placement: _Optional[_Iterable[_Union[PartitionPlacement, _Mapping]]] = ..., workers: _Optional[_Iterable[_Union[WorkerTask, _Mapping]]] = ..., created_at: _Optional[float] = ..., started_at: _Optional[float] = ..., finished_at: _Optional[float] = ..., spec: _Optional[_Union[JobSpec, _Mapping]] = ..., spec_yaml: _Optional[str] = ..., history: _Optional[_Iterable[_Union[MetricPoint, _Mapping]]] = ..., tensorboard_dir: _Optional[str] = ..., steps_per_second: _Optional[float] = ..., samples: _Optional[int] = ..., checkpoint: _Optional[_Union[CheckpointRef, _Mapping]] = ..., preprocessing: _Optional[str] = ..., serving_replicas: _Optional[int] = ..., serving_refresh_ms: _Optional[int] = ..., serving: _Optional[_Iterable[_Union[ServingReplica, _Mapping]]] = ..., study_id: _Optional[str] = ..., trial: _Optional[int] = ...) -> None: ...

class ServingReplica(_message.Message):
    __slots__ = ("node", "url", "version", "age_seconds", "state", "problem", "grpc_address")
    NODE_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    AGE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    GRPC_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    node: str
    url: str
    version: int
    age_seconds: float
    state: str
    problem: str
    grpc_address: str
    def __init__(self, node: _Optional[str] = ..., url: _Optional[str] = ..., version: _Optional[int] = ..., age_seconds: _Optional[float] = ..., state: _Optional[str] = ..., problem: _Optional[str] = ..., grpc_address: _Optional[str] = ...) -> None: ...

class CheckpointRef(_message.Message):
    __slots__ = ("version", "manifest")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_FIELD_NUMBER: _ClassVar[int]
    version: int
    manifest: str
    def __init__(self, version: _Optional[int] = ..., manifest: _Optional[str] = ...) -> None: ...
