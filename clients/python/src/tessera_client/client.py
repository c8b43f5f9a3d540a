"""`Client`: the coordinator's API (submit, watch, wait, cancel …), variables to numpy, exports and predictions."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Mapping
from typing import Any

import grpc
import numpy as np

from . import files, serving, variables
from ._proto.grpc.health.v1 import health_pb2, health_pb2_grpc
from ._proto.tessera.v1 import coordinator_pb2 as pb
from ._proto.tessera.v1 import coordinator_pb2_grpc as pb_grpc
from .errors import JobCancelled, JobFailed, RpcError, TesseraError, Timeout
from .settings import Settings
from .studies import StudyMethods
from .types import JOB_STATES, Checkpoint, ClusterStatus, Job, Node

# The deadline of one data-plane pull message (ParameterClient.timeout).
DEFAULT_PULL_TIMEOUT = 60.0
# Transient failures `watch` rides out before giving up, one second apart (what `clusterctl watch` does).
WATCH_RETRIES = 30


def poll_until_done(fetch: Any, interval: float) -> Iterator[Any]:
    """`fetch()` every `interval` seconds until what it returns is `.done`, riding out a briefly unreachable
    coordinator like `clusterctl watch` (UNAVAILABLE or DEADLINE_EXCEEDED up to 30 times, a second apart)."""
    failures = 0
    while True:
        try:
            current = fetch()
            failures = 0
        except RpcError as error:
            failures += 1
            if error.code_name not in ("UNAVAILABLE", "DEADLINE_EXCEEDED") or failures > WATCH_RETRIES:
                raise
            time.sleep(1)
            continue
        yield current
        if current.done:
            return
        time.sleep(interval)


class JobList(list):
    """The jobs asked for (newest first); `total` is how many matched in all, more when the list was cut at the limit."""

    total: int = 0


def job_id(job: str | int | Job) -> str:
    """"job-7" for "job-7", "7", 7 or a Job."""
    if isinstance(job, Job):
        return job.id
    if isinstance(job, int):
        return f"job-{job}"
    return str(job)


def spec_text(spec: str | os.PathLike | Mapping[str, Any]) -> str:
    """The YAML text to submit: a dict (sent as JSON, which YAML reads), a path to a spec file, or YAML text itself."""
    if isinstance(spec, Mapping):
        return json.dumps(spec)
    if isinstance(spec, os.PathLike):
        with open(spec, encoding="utf-8") as handle:
            return handle.read()
    if isinstance(spec, str):
        if "\n" not in spec and spec.endswith((".yaml", ".yml", ".json")):
            with open(spec, encoding="utf-8") as handle:
                return handle.read()
        return spec
    raise TypeError(f"a job spec is YAML text, a path or a dict, not {type(spec).__name__}")


class Client(StudyMethods):
    """A connection to a Tessera coordinator.

    `coordinator` is "host:port" (default: $TESSERA_COORDINATOR, else the context's, else 127.0.0.1:7070). The
    bearer token is `token`, else read from `token_file`, else from $TESSERA_TOKEN_FILE, else the context's token
    file. TLS: `tls_cert` + `tls_key` (+ `tls_ca` to verify the servers; mutual TLS), else $TESSERA_TLS_CERT/KEY/CA,
    else the context's. The context is `context`, else the `current_context` of clusterctl's client config file
    ($TESSERA_CONFIG, else ~/.config/tessera/config.yaml). `timeout` is every call's deadline in seconds.
    """

    def __init__(self, coordinator: str | None = None, *, token: str | None = None, token_file: str | None = None,
                 tls_cert: str | None = None, tls_key: str | None = None, tls_ca: str | None = None,
                 tls_server_name: str | None = None, timeout: float = 10.0,
                 pull_timeout: float = DEFAULT_PULL_TIMEOUT, context: str | None = None) -> None:
        self.settings = Settings.resolve(coordinator, token, token_file, tls_cert, tls_key, tls_ca, tls_server_name,
                                         timeout, context=context)
        self.pull_timeout = pull_timeout
        self._channel: grpc.Channel | None = None
        self._stub: pb_grpc.CoordinatorStub | None = None

    @property
    def coordinator(self) -> str:
        """The coordinator's address."""
        return self.settings.coordinator

    def __repr__(self) -> str:
        context = f", context={self.settings.context!r}" if self.settings.context else ""
        return f"Client({self.coordinator!r}, token={'set' if self.settings.token else None}, tls={self.settings.tls}{context})"

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Closes the connection (a later call opens a new one)."""
        if self._channel is not None:
            self._channel.close()
        self._channel = self._stub = None

    def _coordinator(self) -> pb_grpc.CoordinatorStub:
        if self._stub is None:
            self._channel = self.settings.channel(self.settings.coordinator)
            self._stub = pb_grpc.CoordinatorStub(self._channel)
        return self._stub

    def _call(self, method: str, request: Any, timeout: float | None = None) -> Any:
        call = getattr(self._coordinator(), method)
        try:
            return call(request, timeout=timeout or self.settings.timeout, metadata=self.settings.metadata())
        except grpc.RpcError as error:
            raise RpcError(error.code(), error.details() or "", f"/tessera.v1.Coordinator/{method}") from None

    # Jobs.

    def submit(self, spec: str | os.PathLike | Mapping[str, Any]) -> Job:
        """Submits a job spec (YAML text, a path to a .yaml file, or a dict); returns the PENDING job. A spec the
        coordinator refuses raises RpcError INVALID_ARGUMENT naming the key, e.g. "data.batch_size"."""
        return Job.of(self._call("SubmitJob", pb.SubmitJobRequest(spec_yaml=spec_text(spec))).job)

    def get(self, job: str | int | Job, history: bool = False) -> Job:
        """One job (with its metric history in `.proto.history` when `history`)."""
        return Job.of(self._call("GetJob", pb.GetJobRequest(id=job_id(job), with_history=history)).job)

    def describe(self, job: str | int | Job) -> Job:
        """One job with its metric history, placement and workers (`clusterctl describe`)."""
        return self.get(job, history=True)

    def jobs(self, state: str | None = None, limit: int | None = None) -> JobList:
        """Jobs, newest first: only those in `state` ("running", "FAILED" …) and at most `limit` of them when given."""
        if state is not None and state.upper() not in JOB_STATES:
            raise ValueError(f"state must be one of {', '.join(JOB_STATES)}, not {state!r}")
        if limit is not None and not 0 < limit <= 2**31 - 1:
            raise ValueError(f"limit must be a positive int32, not {limit}")
        answer = self._call("ListJobs", pb.ListJobsRequest(limit=limit or 0, state=(state or "").lower()))
        result = JobList(Job.of(j) for j in answer.jobs)
        result.total = answer.total
        return result

    def _poll(self, job: str | int | Job, interval: float) -> Iterator[Job]:
        """The job every `interval` seconds until it ends (see `poll_until_done`)."""
        ident = job_id(job)
        return poll_until_done(lambda: self.get(ident), interval)

    def watch(self, job: str | int | Job, interval: float = 0.5) -> Iterator[Job]:
        """Yields the job now and whenever its state, step or metrics change, ending with its final snapshot
        (SUCCEEDED, FAILED or CANCELLED)."""
        last = None
        for current in self._poll(job, interval):
            key = (current.state, current.step, current.train_metrics, current.eval_metrics)
            if key != last or current.done:
                last = key
                yield current

    def wait(self, job: str | int | Job, timeout: float | None = None, interval: float = 0.5) -> Job:
        """Waits until the job ends and returns it when SUCCEEDED; raises JobFailed or JobCancelled (with `.job`)
        otherwise, and Timeout when `timeout` seconds pass first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        latest = None
        for latest in self._poll(job, interval):
            if latest.done:
                break
            if deadline is not None and time.monotonic() >= deadline:
                raise Timeout(f"{latest.id} is still {latest.state} after {timeout:g} s (step {latest.step})", latest)
        assert latest is not None
        if latest.state == "FAILED":
            raise JobFailed(latest)
        if latest.state == "CANCELLED":
            raise JobCancelled(latest)
        return latest

    def cancel(self, job: str | int | Job) -> Job:
        """Stops a job's workers and frees its shards; returns the job."""
        return Job.of(self._call("CancelJob", pb.CancelJobRequest(id=job_id(job))).job)

    def delete(self, job: str | int | Job, force: bool = False) -> Job:
        """Forgets an ended job (`force` cancels an active one first); returns it as it was."""
        return Job.of(self._call("DeleteJob", pb.DeleteJobRequest(id=job_id(job), force=force)).job)

    def checkpoint(self, job: str | int | Job, timeout: float | None = None) -> Checkpoint:
        """Takes a consistent checkpoint of a running job now."""
        a = self._call("CheckpointJob", pb.CheckpointJobRequest(id=job_id(job)), timeout or max(self.settings.timeout, 60))
        return Checkpoint(a.version, a.manifest, a.files, getattr(a, "bytes"))

    # The cluster.

    def status(self) -> ClusterStatus:
        """Nodes, job counts and health."""
        return ClusterStatus.of(self._call("ClusterStatus", pb.ClusterStatusRequest()))

    def nodes(self) -> list[Node]:
        """Every psd and workerd with its liveness."""
        return self.status().nodes

    def health(self) -> str:
        """The coordinator's grpc.health.v1 answer ("SERVING", "NOT_SERVING" …); needs no token."""
        self._coordinator()
        stub = health_pb2_grpc.HealthStub(self._channel)
        try:
            answer = stub.Check(health_pb2.HealthCheckRequest(), timeout=self.settings.timeout)
        except grpc.RpcError as error:
            raise RpcError(error.code(), error.details() or "", "/grpc.health.v1.Health/Check") from None
        return health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status)

    # Variables and models.

    def pull(self, job: str | int | Job, variable: str | None = None) -> dict[str, np.ndarray]:
        """The job's current variable values as float32 arrays of their full shapes, by name ("dense_0/kernel" …),
        read from its shards like `clusterctl pull`; only `variable` when given."""
        proto = self.get(job).proto
        shards = {n.id: n.address for n in self.status().nodes if n.role == "ps"}
        return variables.pull(proto, shards, self.settings.channel, self.settings.metadata(), self.pull_timeout,
                              only=variable)

    def export(self, job: str | int | Job, path: str | os.PathLike) -> dict[str, np.ndarray]:
        """Writes the job's variables to `path`: safetensors with the metadata `clusterctl export` writes (servable by
        `workerd --serve-model`), or a compressed numpy archive when `path` ends in .npz. Returns the variables."""
        path = os.fspath(path)
        proto = self.get(job).proto
        values = self.pull(proto.id)
        current = Job.of(proto)
        metadata = {"format": "tessera", "job": current.id, "name": current.name, "step": str(current.step),
                    "model": proto.spec.model.type, "state": current.state}
        if proto.preprocessing:
            metadata["preprocessing"] = proto.preprocessing
        if proto.spec_yaml:
            metadata["spec"] = proto.spec_yaml
        if path.endswith(".npz"):
            files.write_npz(path, values, metadata)
        else:
            files.write_safetensors(path, values, metadata)
        return values

    # Serving.

    def serve(self, job: str | int | Job, replicas: int = 1, refresh_ms: int | None = None) -> Job:
        """Serves the job's model from `replicas` replicas on workers started with --serve-listen, refreshed from its
        shards at most every `refresh_ms` (`clusterctl serve`); 0 replicas stops. Returns the job."""
        request = pb.ServeJobRequest(id=job_id(job), replicas=replicas)
        if refresh_ms is not None:
            request.refresh_ms = refresh_ms
        return Job.of(self._call("ServeJob", request).job)

    def unserve(self, job: str | int | Job) -> Job:
        """Stops serving the job's model."""
        return self.serve(job, 0)

    def predict(self, model: str | Job, instances: Any, address: str | None = None,
                timeout: float | None = None) -> np.ndarray:
        """Predictions for `instances` (rows of raw feature values, or dicts of named values) as an array with one row
        per instance, sent with this client's token.

        With `address` ("host:port" of `workerd --serve-model FILE --serve-listen`), `model` is the served model's
        name. Without, `model` is a served job (id, or the name of the newest job so named) and the request goes to
        its first replica in state "serving" (`serve`)."""
        timeout = timeout or self.settings.timeout
        if address is not None:
            return serving.predict(job_id(model), instances, address, self.settings.token, timeout)
        job = self._served_job(model)
        ready = [r for r in job.serving if r.state == "serving" and r.url]
        if not ready:
            states = ", ".join(f"{r.node}: {r.state}{' (' + r.problem + ')' if r.problem else ''}" for r in job.serving)
            raise TesseraError(f"{job.id} ({job.name}) has no replica serving yet"
                               + (f" ({states})" if states else ": serve it first (Client.serve / clusterctl serve)"))
        return serving.predict_url(ready[0].url, instances, self.settings.token, timeout)

    def _served_job(self, model: str | int | Job) -> Job:
        ident = job_id(model)
        if ident.removeprefix("job-").isdigit():
            return self.get(ident)
        named = [j for j in self.jobs(limit=1000) if j.name == ident]
        if not named:
            raise TesseraError(f"no job is named {ident!r}")
        return self.get(named[0].id)


def connect(coordinator: str | None = None, *, context: str | None = None, **options: Any) -> Client:
    """A `Client` set up as clusterctl would be: `connect()` uses $TESSERA_COORDINATOR/$TESSERA_TOKEN_FILE/
    $TESSERA_TLS_* where set, else the current context of the client config file; `connect(context="prod")` that
    context; `connect("host:port", token_file=...)` what it is given. `options` are Client's keyword arguments."""
    return Client(coordinator, context=context, **options)
