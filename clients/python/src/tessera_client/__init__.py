"""Python client of Tessera, the parameter-server training cluster: submit and watch jobs, run tuning studies, read
variables into numpy, export them, and ask a serving worker for predictions.

    import tessera_client as tessera
    with tessera.connect() as client:        # TESSERA_COORDINATOR, else clusterctl's current context
        job = client.submit("examples/cancer-logistic.yaml")
        job = client.wait(job, timeout=600)
        weights = client.pull(job)           # {"dense_0/kernel": array(...), ...}

`tessera.connect(context="prod")` uses another context of that file; `Client("10.0.0.10:7070", token_file=...)` (or
`connect` with the same arguments) connects where it is told.
"""

from .client import Client, JobList, connect
from .config import ClientConfig, Context, config_path, load_config
from .errors import (ConfigError, JobCancelled, JobFailed, JobNotSucceeded, RpcError, ServingError, TesseraError,
                     Timeout)
from .files import read_safetensors, write_npz, write_safetensors
from .serving import model_status, predict, predict_url
from .settings import Settings, read_token
from .studies import Study, StudyNotSucceeded, Trial
from .types import Checkpoint, ClusterStatus, Job, Metrics, Node, ServingReplica, Variable

__version__ = "0.1.0"

__all__ = [
    "Checkpoint", "Client", "ClientConfig", "ClusterStatus", "ConfigError", "Job", "JobCancelled", "JobFailed", "JobList",
    "JobNotSucceeded", "Context", "Metrics", "Node", "RpcError", "ServingError", "ServingReplica", "Settings", "Study", "StudyNotSucceeded", "TesseraError", "Timeout", "Trial", "Variable",
    "config_path", "connect", "load_config", "model_status", "predict", "predict_url", "read_safetensors", "read_token", "write_npz", "write_safetensors",
]
