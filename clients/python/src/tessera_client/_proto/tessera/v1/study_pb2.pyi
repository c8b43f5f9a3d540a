from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SubmitStudyRequest(_message.Message):
    __slots__ = ("spec_yaml", "dry_run")
    SPEC_YAML_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    spec_yaml: str
    dry_run: bool
    def __init__(self, spec_yaml: _Optional[str] = ..., dry_run: bool = ...) -> None: ...

class SubmitStudyResponse(_message.Message):
    __slots__ = ("study",)
    STUDY_FIELD_NUMBER: _ClassVar[int]
    study: Study
    def __init__(self, study: _Optional[_Union[Study, _Mapping]] = ...) -> None: ...

class GetStudyRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetStudyResponse(_message.Message):
    __slots__ = ("study",)
    STUDY_FIELD_NUMBER: _ClassVar[int]
    study: Study
    def __init__(self, study: _Optional[_Union[Study, _Mapping]] = ...) -> None: ...

class ListStudiesRequest(_message.Message):
    __slots__ = ("limit",)
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    limit: int
    def __init__(self, limit: _Optional[int] = ...) -> None: ...

class ListStudiesResponse(_message.Message):
    __slots__ = ("studies", "total")
    STUDIES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    studies: _containers.RepeatedCompositeFieldContainer[Study]
    total: int
    def __init__(self, studies: _Optional[_Iterable[_Union[Study, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class CancelStudyRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CancelStudyResponse(_message.Message):
    __slots__ = ("study",)
    STUDY_FIELD_NUMBER: _ClassVar[int]
    study: Study
    def __init__(self, study: _Optional[_Union[Study, _Mapping]] = ...) -> None: ...

class DeleteStudyRequest(_message.Message):
    __slots__ = ("id", "force")
    ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    id: str
    force: bool
    def __init__(self, id: _Optional[str] = ..., force: bool = ...) -> None: ...

class DeleteStudyResponse(_message.Message):
    __slots__ = ("study",)
    STUDY_FIELD_NUMBER: _ClassVar[int]
    study: Study
    def __init__(self, study: _Optional[_Union[Study, _Mapping]] = ...) -> None: ...

class Study(_message.Message):
    __slots__ = ("id", "name", "state", "reason", "goal", "metric", "algorithm", "early_stopping", "max_trials", "max_parallel_trials", "submitted_at", "ended_at", "trials", "best_trial", "trial_steps", "spec_yaml", "param_keys")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    GOAL_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    EARLY_STOPPING_FIELD_NUMBER: _ClassVar[int]
    MAX_TRIALS_FIELD_NUMBER: _ClassVar[int]
    MAX_PARALLEL_TRIALS_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    TRIALS_FIELD_NUMBER: _ClassVar[int]
    BEST_TRIAL_FIELD_NUMBER: _ClassVar[int]
    TRIAL_STEPS_FIELD_NUMBER: _ClassVar[int]
    SPEC_YAML_FIELD_NUMBER: _ClassVar[int]
    PARAM_KEYS_FIELD_NUMBER: _ClassVar[int]
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
    submitted_at: float
    ended_at: float
    trials: _containers.RepeatedCompositeFieldContainer[StudyTrial]
    best_trial: int
    trial_steps: int
    spec_yaml: str
    param_keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., state: _Optional[str] = ..., reason: _Optional[str] = ..., goal: _Optional[str] = ..., metric: _Optional[str] = ..., algorithm: _Optional[str] = ..., early_stopping: _Optional[str] = ..., max_trials: _Optional[int] = ..., max_parallel_trials: _Optional[int] = ..., submitted_at: _Optional[float] = ..., ended_at: _Optional[float] = ..., trials: _Optional[_Iterable[_Union[StudyTrial, _Mapping]]] = ..., best_trial: _Optional[int] = ..., trial_steps: _Optional[int] = ..., spec_yaml: _Optional[str] = ..., param_keys: _Optional[_Iterable[str]] = ...) -> None: ...

class StudyTrial(_message.Message):
    __slots__ = ("number", "state", "job_id", "params", "has_value", "value", "steps", "reason", "job_state")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    HAS_VALUE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    JOB_STATE_FIELD_NUMBER: _ClassVar[int]
    number: int
    state: str
    job_id: str
    params: _containers.RepeatedCompositeFieldContainer[TrialParam]
    has_value: bool
    value: float
    steps: int
    reason: str
    job_state: str
    def __init__(self, number: _Optional[int] = ..., state: _Optional[str] = ..., job_id: _Optional[str] = ..., params: _Optional[_Iterable[_Union[TrialParam, _Mapping]]] = ..., has_value: bool = ..., value: _Optional[float] = ..., steps: _Optional[int] = ..., reason: _Optional[str] = ..., job_state: _Optional[str] = ...) -> None: ...

class TrialParam(_message.Message):
    __slots__ = ("key", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    value: str
    def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
