"""The exceptions tessera_client raises: one base class, one class for every failed RPC."""

from __future__ import annotations

from typing import Any


class TesseraError(Exception):
    """Base class of every error this package raises."""


class ConfigError(TesseraError, ValueError):
    """A connection setting that cannot work (a token file others can read, a certificate without its key …)."""


class RpcError(TesseraError):
    """A gRPC call that failed: the status `code` (a grpc.StatusCode), its `code_name` ("INVALID_ARGUMENT") and the
    server's sentence (`message`), e.g. "job spec: data.batch_size: 0 is below the minimum 1"."""

    def __init__(self, code: Any, message: str, method: str = "") -> None:
        self.code = code
        self.code_name = getattr(code, "name", str(code))
        self.message = message
        self.method = method
        super().__init__(f"{self.code_name}: {message}")


class Timeout(TesseraError, TimeoutError):
    """`wait` gave up before the job ended; `job` is its last snapshot."""

    def __init__(self, message: str, job: Any = None) -> None:
        self.job = job
        super().__init__(message)


class JobNotSucceeded(TesseraError):
    """A waited-for job ended in another state than SUCCEEDED; `job` is its final snapshot."""

    def __init__(self, job: Any) -> None:
        self.job = job
        reason = f": {job.reason}" if job.reason else ""
        super().__init__(f"{job.id} {job.state}{reason}")


class JobFailed(JobNotSucceeded):
    """The job ended FAILED (its `reason` says why)."""


class JobCancelled(JobNotSucceeded):
    """The job ended CANCELLED."""


class ServingError(TesseraError):
    """A prediction request the server refused: the HTTP `status` and the server's sentence (`message`)."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(f"HTTP {status}: {message}")
