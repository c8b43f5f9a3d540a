from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NodeRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NODE_ROLE_UNSPECIFIED: _ClassVar[NodeRole]
    NODE_ROLE_PS: _ClassVar[NodeRole]
    NODE_ROLE_WORKER: _ClassVar[NodeRole]

class NodeState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NODE_STATE_UNSPECIFIED: _ClassVar[NodeState]
    NODE_STATE_ALIVE: _ClassVar[NodeState]
    NODE_STATE_SUSPECT: _ClassVar[NodeState]
    NODE_STATE_DEAD: _ClassVar[NodeState]
NODE_ROLE_UNSPECIFIED: NodeRole
NODE_ROLE_PS: NodeRole
NODE_ROLE_WORKER: NodeRole
NODE_STATE_UNSPECIFIED: NodeState
NODE_STATE_ALIVE: NodeState
NODE_STATE_SUSPECT: NodeState
NODE_STATE_DEAD: NodeState

class NodeInfo(_message.Message):
    __slots__ = ("name", "role", "address", "data_address", "device", "threads", "version", "models", "memory_limit_bytes", "serving_address", "serving_grpc_address", "serving_tls")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    DATA_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    THREADS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    MEMORY_LIMIT_BYTES_FIELD_NUMBER: _ClassVar[int]
    SERVING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    SERVING_GRPC_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    SERVING_TLS_FIELD_NUMBER: _ClassVar[int]
    name: str
    role: NodeRole
    address: str
    data_address: str
    device: str
    threads: int
    version: str
    models: _containers.RepeatedScalarFieldContainer[str]
    memory_limit_bytes: int
    serving_address: str
    serving_grpc_address: str
    serving_tls: bool
    def __init__(self, name: _Optional[str] = ..., role: _Optional[_Union[NodeRole, str]] = ..., address: _Optional[str] = ..., data_address: _Optional[str] = ..., device: _Optional[str] = ..., threads: _Optional[int] = ..., version: _Optional[str] = ..., models: _Optional[_Iterable[str]] = ..., memory_limit_bytes: _Optional[int] = ..., serving_address: _Optional[str] = ..., serving_grpc_address: _Optional[str] = ..., serving_tls: bool = ...) -> None: ...

class Node(_message.Message):
    __slots__ = ("id", "info", "state", "seconds_since_heartbeat", "current_job", "memory_reserved_bytes", "serving")
    ID_FIELD_NUMBER: _ClassVar[int]
    INFO_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SECONDS_SINCE_HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    CURRENT_JOB_FIELD_NUMBER: _ClassVar[int]
    MEMORY_RESERVED_BYTES_FIELD_NUMBER: _ClassVar[int]
    SERVING_FIELD_NUMBER: _ClassVar[int]
    id: int
    info: NodeInfo
    state: NodeState
    seconds_since_heartbeat: float
    current_job: str
    memory_reserved_bytes: int
    serving: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., info: _Optional[_Union[NodeInfo, _Mapping]] = ..., state: _Optional[_Union[NodeState, str]] = ..., seconds_since_heartbeat: _Optional[float] = ..., current_job: _Optional[str] = ..., memory_reserved_bytes: _Optional[int] = ..., serving: _Optional[_Iterable[str]] = ...) -> None: ...

class Metrics(_message.Message):
    __slots__ = ("loss", "accuracy", "auc", "count")
    LOSS_FIELD_NUMBER: _ClassVar[int]
    ACCURACY_FIELD_NUMBER: _ClassVar[int]
    AUC_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    loss: float
    accuracy: float
    auc: float
    count: int
    def __init__(self, loss: _Optional[float] = ..., accuracy: _Optional[float] = ..., auc: _Optional[float] = ..., count: _Optional[int] = ...) -> None: ...
