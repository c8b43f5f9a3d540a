"""Reads a job's variables from its shards, as `clusterctl pull` does, over the gRPC data plane.

Every psd serves the data plane on its gRPC control port too (`/tessera.v1.DataPlane/Pull`, TensorWire frames as raw
message bytes, docs/protocol.md), whatever transport the job's workers use, so this client needs no native-transport
code: each shard is dialled at its control address (from ClusterStatus) with the connection's token and TLS.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import grpc
import numpy as np

from . import tensorwire as tw
from .errors import RpcError, TesseraError
from .types import job_state_name

PULL_METHOD = "/tessera.v1.DataPlane/Pull"
# Largest payload asked for in one message, as workers chunk (ParameterClient.defaultChunkLimitBytes).
CHUNK_BYTES = 2 << 20
# Largest answer of many small partitions asked for at once (ParameterClient.maxUnchunkedPullBytes).
MAX_UNCHUNKED_BYTES = 64 << 20


@dataclass
class _Route:
    variable_id: int
    partition: int
    dims: tuple[int, ...]  # the partition's (dense) or the whole variable's (embedding)
    element_offset: int

    @property
    def rows(self) -> int:
        return self.dims[0] if self.dims else 1

    @property
    def row_width(self) -> int:
        return int(np.prod(self.dims[1:], dtype=np.int64)) if self.dims else 1

    @property
    def elements(self) -> int:
        return self.rows * self.row_width


def splitmix64(keys: np.ndarray) -> np.ndarray:
    """The SplitMix64 finaliser of each key (as uint64), wrapping like the Swift `&+`/`&*`."""
    with np.errstate(over="ignore"):
        z = np.asarray(keys, dtype=np.int64).view(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def shard_index(keys: np.ndarray, shards: int) -> np.ndarray:
    """The partition owning each embedding row key (RowKeyPartitioner: SplitMix64 finaliser mod shards)."""
    if shards <= 1:
        return np.zeros(len(keys), dtype=np.int64)
    return (splitmix64(keys) % np.uint64(shards)).astype(np.int64)


def _plan_chunks(routes: list[_Route], limit: int) -> list[list[tuple[int, int, int]]]:
    """Messages of (route index, first row, rows) whose payloads stay within `limit` bytes (≥ 1 row each)."""
    plan: list[list[tuple[int, int, int]]] = []
    current: list[tuple[int, int, int]] = []
    used = 0
    for i, r in enumerate(routes):
        row_bytes = r.row_width * 4
        row = 0
        while row < r.rows:
            room = (limit - used) // max(row_bytes, 1)
            if room < 1 and current:
                plan.append(current)
                current, used = [], 0
                continue
            take = min(r.rows - row, max(room, 1))
            current.append((i, row, take))
            used += take * row_bytes
            row += take
    if current:
        plan.append(current)
    return plan


class _Shard:
    """One shard's gRPC data plane."""

    def __init__(self, channel: grpc.Channel, address: str, job_number: int, metadata, timeout: float) -> None:
        self.call = channel.unary_unary(PULL_METHOD)
        self.address = address
        self.job_number = job_number
        self.metadata = metadata
        self.timeout = timeout

    def pull(self, entries: list[tw.Entry]) -> list[tw.Entry]:
        request = tw.encode(tw.Frame(tw.PULL_REQUEST, random.getrandbits(64), self.job_number, 0, entries=entries))
        try:
            answer = self.call(request, timeout=self.timeout, metadata=self.metadata)
        except grpc.RpcError as error:
            raise RpcError(error.code(), f"shard {self.address}: {error.details()}", PULL_METHOD) from None
        try:
            frame = tw.decode(answer)
        except tw.WireError as error:
            raise TesseraError(f"shard {self.address} sent a malformed pull response: {error}") from None
        if frame.kind == tw.ERROR or frame.status != 0:
            raise TesseraError(f"shard {self.address} answered status {frame.status}: {frame.message}")
        if len(frame.entries) != len(entries):
            raise TesseraError(f"shard {self.address} answered {len(frame.entries)} partitions, asked for {len(entries)}")
        for got, asked in zip(frame.entries, entries):
            if (got.variable_id, got.partition) != (asked.variable_id, asked.partition) or got.dtype != tw.F32:
                raise TesseraError(f"shard {self.address} answered variable {got.variable_id}/{got.partition}; "
                                   f"expected {asked.variable_id}/{asked.partition} as f32")
        return frame.entries


def _check_size(entry: tw.Entry, elements: int, address: str) -> np.ndarray:
    payload = entry.payload if entry.payload is not None else np.zeros(0, np.float32)
    if payload.size != elements:
        raise TesseraError(f"shard {address} answered variable {entry.variable_id}/{entry.partition} with "
                           f"{payload.size} values; expected {elements}")
    return payload


def pull(job, shard_addresses: dict[int, str], open_channel: Callable[[str], grpc.Channel], metadata,
         timeout: float, only: str | None = None) -> dict[str, np.ndarray]:
    """Every variable of `job` (a tessera.v1.Job with its placement) as float32 arrays of their full shapes, by name.

    `shard_addresses` maps a shard's node id to its gRPC address; `only` keeps one variable.
    """
    if not job.placement:
        raise TesseraError(f"{job.id} has no placed variables yet (state {job_state_name(job.state)})")
    try:
        job_number = int(job.id.rsplit("-", 1)[-1])
    except ValueError:
        raise TesseraError(f"job id {job.id!r} does not end in a number") from None
    names: dict[int, str] = {}
    shapes: dict[int, tuple[int, ...]] = {}
    dense: dict[int, list[_Route]] = {}
    sparse: dict[int, list[tuple[int, _Route]]] = {}
    for p in job.placement:
        if only is not None and p.variable != only:
            continue
        shape = tuple(int(d) for d in p.shape)
        names[p.variable_id], shapes[p.variable_id] = p.variable, shape
        node = p.shard_node_id
        if node not in shard_addresses:
            raise TesseraError(f"{job.id}: shard {p.shard_name} (node {node}) holding {p.variable} is not in the cluster")
        if p.kind == "embedding":
            sparse.setdefault(p.variable_id, []).append((node, _Route(p.variable_id, p.partition, shape, 0)))
        else:
            dims = ((int(p.row_count),) + shape[1:]) if shape else ()
            width = int(np.prod(shape[1:], dtype=np.int64)) if shape else 1
            dense.setdefault(node, []).append(_Route(p.variable_id, p.partition, dims, int(p.row_offset) * width))
    if only is not None and not names:
        raise TesseraError(f"{job.id} has no variable named {only}")
    values = {v: np.zeros(int(np.prod(s, dtype=np.int64)), dtype=np.float32) for v, s in shapes.items()}
    channels: dict[int, grpc.Channel] = {}

    def shard(node: int) -> _Shard:
        if node not in channels:
            channels[node] = open_channel(shard_addresses[node])
        return _Shard(channels[node], shard_addresses[node], job_number, metadata, timeout)

    try:
        for node, routes in dense.items():
            _pull_dense(shard(node), routes, values)
        for variable_id, parts in sparse.items():
            _pull_embedding(parts, shard, shapes[variable_id], values[variable_id])
    finally:
        for channel in channels.values():
            channel.close()
    return {names[v]: values[v].reshape(shapes[v]) for v in sorted(names)}


def _pull_dense(link: _Shard, routes: list[_Route], values: dict[int, np.ndarray]) -> None:
    total = sum(r.elements * 4 for r in routes)
    if all(r.elements * 4 <= CHUNK_BYTES for r in routes) and total <= MAX_UNCHUNKED_BYTES:
        answers = link.pull([tw.Entry.empty(r.variable_id, r.partition) for r in routes])
        for r, entry in zip(routes, answers):
            values[r.variable_id][r.element_offset:r.element_offset + r.elements] = _check_size(entry, r.elements, link.address)
        return
    for message in _plan_chunks(routes, CHUNK_BYTES):
        entries = []
        for i, row, rows in message:
            r = routes[i]
            dims = (rows,) + r.dims[1:] if r.dims else (1,)
            entries.append(tw.Entry.chunk_request(r.variable_id, r.partition, row if r.dims else 0, dims))
        for (i, row, rows), entry in zip(message, link.pull(entries)):
            r = routes[i]
            start = r.element_offset + row * r.row_width
            values[r.variable_id][start:start + rows * r.row_width] = _check_size(entry, rows * r.row_width, link.address)


def _pull_embedding(parts: list[tuple[int, _Route]], shard: Callable[[int], _Shard], shape: tuple[int, ...],
                    out: np.ndarray) -> None:
    """Every row 0 ..< vocabulary of an embedding table, asked of the partition owning each key (an unbounded table,
    vocabulary 0, reads as empty, like clusterctl)."""
    if len(shape) != 2 or shape[0] <= 0:
        return
    parts = sorted(parts, key=lambda part: part[1].partition)
    width = shape[1]
    keys = np.arange(shape[0], dtype=np.int64)
    owner = shard_index(keys, len(parts))
    rows_out = out.reshape(shape)
    per_message = max(1, CHUNK_BYTES // max(width * 4, 1))
    for index, (node, route) in enumerate(parts):
        link = shard(node)
        mine = keys[owner == index]
        for start in range(0, len(mine), per_message):
            batch = mine[start:start + per_message]
            (entry,) = link.pull([tw.Entry.sparse_keys(route.variable_id, route.partition, shape, batch)])
            if entry.row_keys is None or len(entry.row_keys) != len(batch):
                raise TesseraError(f"shard {link.address} answered a pull of {len(batch)} rows of {route.variable_id} "
                                   "with something else")
            rows_out[entry.row_keys] = _check_size(entry, len(batch) * width, link.address).reshape(-1, width)
