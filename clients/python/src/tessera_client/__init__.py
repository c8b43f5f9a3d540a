"""Python client of Tessera, the parameter-server training cluster: submit and watch jobs, read variables into numpy,
export them, and ask a serving worker for predictions.

    from tessera_client import Client
    with Client("127.0.0.1:7070") as tessera:
        job = tessera.submit("examples/cancer-logistic.yaml")
        job = tessera.wait(job, timeout=600)
        weights = tessera.pull(job)          # {"dense_0/kernel": array(...), ...}
"""

from .client import Client, JobList
from .errors import (ConfigError, JobCancelled, JobFailed, JobNotSucceeded, RpcError, ServingError, TesseraError,
                     Timeout)
from .files import read_safetensors, write_npz, write_safetensors
from .serving import model_status, predict, predict_url
from .settings import Settings, read_token
from .types import Checkpoint, ClusterStatus, Job, Metrics, Node, ServingReplica, Variable

__version__ = "0.1.0"

__all__ = [
    "Checkpoint", "Client", "ClusterStatus", "ConfigError", "Job", "JobCancelled", "JobFailed", "JobList",
    "JobNotSucceeded", "Metrics", "Node", "RpcError", "ServingError", "ServingReplica", "Settings", "TesseraError", "Timeout", "Variable",
    "model_status", "predict", "predict_url", "read_safetensors", "read_token", "write_npz", "write_safetensors",
]
