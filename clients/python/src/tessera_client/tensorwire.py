"""TensorWire version 1 frames (docs/wire-format.md): the bodies of the data plane's Pull and Push calls.

Only what a client reading variables needs: encoding requests and decoding (with every check the format
defines that matters to a reader: lengths, padding, header and data CRC32C) the answers.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np

from .crc32c import crc32c
from .errors import TesseraError

MAGIC = b"TSRW"
VERSION = 1

# Frame kinds.
PULL_REQUEST, PULL_RESPONSE, PUSH_REQUEST, PUSH_RESPONSE, ERROR = 1, 2, 3, 4, 5
# Entry encodings.
DENSE, SPARSE_ROWS = 0, 1
# Entry flags.
NO_PAYLOAD, ROW_RANGE = 1, 2
# dtypes: numpy type and byte width.
DTYPES = {1: np.dtype("<f4"), 2: np.dtype("<f2"), 4: np.dtype("<f8"), 5: np.dtype("<i4"), 6: np.dtype("<i8"), 7: np.dtype("u1")}
F32 = 1
BYTE_WIDTH = {1: 4, 2: 2, 3: 2, 4: 8, 5: 4, 6: 8, 7: 1}

MAX_MESSAGE_BYTES = 4096
MAX_ENTRIES = 65536
MAX_RANK = 8
MAX_ELEMENTS_PER_ENTRY = 1 << 31

_FRAME = struct.Struct("<4sHBBQQIIIIQ12sI")
_ENTRY = struct.Struct("<IIQBBBB4sQQIQ8sI")
assert _FRAME.size == 64 and _ENTRY.size == 64


class WireError(TesseraError):
    """A frame that breaks the TensorWire format (a sentence naming the part)."""


def align64(n: int) -> int:
    """`n` rounded up to a multiple of 64."""
    return (n + 63) // 64 * 64


@dataclass
class Entry:
    """One tensor (or rows of one) of one variable partition."""

    variable_id: int
    partition: int
    version: int = 0
    encoding: int = DENSE
    dtype: int = F32
    dims: tuple[int, ...] = ()
    flags: int = 0
    row_offset: int = 0
    row_keys: np.ndarray | None = None
    payload: np.ndarray | None = None

    @staticmethod
    def empty(variable_id: int, partition: int, version: int = 0) -> "Entry":
        """A whole dense partition asked for in a pull request (rank 0, no payload)."""
        return Entry(variable_id, partition, version, flags=NO_PAYLOAD)

    @staticmethod
    def chunk_request(variable_id: int, partition: int, row_offset: int, dims: tuple[int, ...], version: int = 0) -> "Entry":
        """Rows `row_offset ..< row_offset + dims[0]` of a dense partition asked for in a pull request."""
        return Entry(variable_id, partition, version, dims=tuple(dims), flags=NO_PAYLOAD | ROW_RANGE, row_offset=row_offset)

    @staticmethod
    def sparse_keys(variable_id: int, partition: int, dims: tuple[int, ...], keys: np.ndarray, version: int = 0) -> "Entry":
        """The rows of `keys` of an embedding partition asked for in a pull request."""
        return Entry(variable_id, partition, version, encoding=SPARSE_ROWS, dims=tuple(dims), flags=NO_PAYLOAD,
                     row_keys=np.ascontiguousarray(keys, dtype="<i8"))


@dataclass
class Frame:
    """A decoded frame: its header fields, message and entries."""

    kind: int
    request_id: int
    job_id: int
    sender_id: int = 0
    status: int = 0
    message: str = ""
    entries: list[Entry] = field(default_factory=list)


def _payload_bytes(entry: Entry) -> bytes:
    return b"" if entry.payload is None else np.ascontiguousarray(entry.payload).tobytes()


def encode(frame: Frame) -> bytes:
    """The frame's bytes."""
    message = frame.message.encode("utf-8")[:MAX_MESSAGE_BYTES]
    parts: list[bytes] = []
    offset = align64(64 + len(message))
    for e in frame.entries:
        keys = b"" if e.row_keys is None else np.ascontiguousarray(e.row_keys, dtype="<i8").tobytes()
        payload = _payload_bytes(e)
        dims = struct.pack(f"<{len(e.dims)}q", *e.dims)
        row_count = 0 if e.row_keys is None else len(keys) // 8
        data_crc = crc32c(keys, payload) if keys or payload else 0
        fixed = _ENTRY.pack(e.variable_id, e.partition, e.version, e.encoding, e.dtype, len(e.dims), e.flags, bytes(4),
                            row_count, len(payload), data_crc, e.row_offset, bytes(8), 0)[:60]
        header = fixed + struct.pack("<I", crc32c(fixed, dims))
        keys_at = align64(offset + 64 + len(dims))
        payload_at = align64(keys_at + len(keys))
        end = align64(payload_at + len(payload))
        entry = bytearray(end - offset)
        entry[0:64] = header
        entry[64:64 + len(dims)] = dims
        entry[keys_at - offset:keys_at - offset + len(keys)] = keys
        entry[payload_at - offset:payload_at - offset + len(payload)] = payload
        parts.append(bytes(entry))
        offset = end
    fixed = _FRAME.pack(MAGIC, VERSION, frame.kind, 0, frame.request_id, frame.job_id, frame.sender_id, frame.status,
                        len(frame.entries), len(message), offset, bytes(12), 0)[:60]
    head = bytearray(align64(64 + len(message)))
    head[0:60] = fixed
    head[60:64] = struct.pack("<I", crc32c(fixed, message))
    head[64:64 + len(message)] = message
    return bytes(head) + b"".join(parts)


def _zero(buf: memoryview, start: int, end: int, what: str) -> None:
    if start < end and any(buf[start:end]):
        raise WireError(f"{what}: padding or reserved bytes are not zero")


def decode(data: bytes | bytearray | memoryview) -> Frame:
    """Decodes and checks one whole frame; raises WireError naming the first problem."""
    buf = memoryview(data).cast("B")
    n = len(buf)
    if n < 64:
        raise WireError(f"the frame has {n} bytes; a header needs 64")
    (magic, version, kind, flags, request_id, job_id, sender_id, status, entry_count, message_length, frame_length,
     reserved, header_crc) = _FRAME.unpack_from(buf, 0)
    if magic != MAGIC:
        raise WireError("the frame does not start with TSRW")
    if version != VERSION:
        raise WireError(f"format version {version} is not supported (1 is)")
    if frame_length != n:
        raise WireError(f"the frame says {frame_length} bytes but {n} arrived")
    if message_length > MAX_MESSAGE_BYTES or align64(64 + message_length) > n:
        raise WireError(f"message length {message_length} exceeds the limit {MAX_MESSAGE_BYTES} or the frame")
    message = bytes(buf[64:64 + message_length])
    if crc32c(buf[0:60], message) != header_crc:
        raise WireError("frame header checksum mismatch")
    if kind not in (PULL_REQUEST, PULL_RESPONSE, PUSH_REQUEST, PUSH_RESPONSE, ERROR) or flags != 0 or any(reserved):
        raise WireError(f"frame kind {kind} or flags {flags} unknown, or reserved bytes set")
    offset = align64(64 + message_length)
    _zero(buf, 64 + message_length, offset, "the message")
    if entry_count > MAX_ENTRIES or entry_count * 64 > n - offset:
        raise WireError(f"{entry_count} entries exceed the limit {MAX_ENTRIES} or the frame")
    frame = Frame(kind, request_id, job_id, sender_id, status, message.decode("utf-8", errors="replace"))
    for index in range(entry_count):
        where = f"entry {index}"
        if offset + 64 > n:
            raise WireError(f"{where}: truncated")
        (variable_id, partition, entry_version, encoding, dtype, rank, entry_flags, reserved1, row_count, payload_length,
         data_crc, row_offset, reserved2, entry_crc) = _ENTRY.unpack_from(buf, offset)
        where = f"entry {index} (variable {variable_id})"
        if rank > MAX_RANK or offset + 64 + 8 * rank > n:
            raise WireError(f"{where}: rank {rank} exceeds the limit {MAX_RANK} or the frame")
        dims = struct.unpack_from(f"<{rank}q", buf, offset + 64)
        if crc32c(buf[offset:offset + 60], buf[offset + 64:offset + 64 + 8 * rank]) != entry_crc:
            raise WireError(f"{where}: header checksum mismatch")
        if encoding not in (DENSE, SPARSE_ROWS) or dtype not in BYTE_WIDTH or any(reserved1) or any(reserved2):
            raise WireError(f"{where}: encoding {encoding} or dtype {dtype} unknown, or reserved bytes set")
        if any(d < 0 for d in dims) or entry_flags & ~(NO_PAYLOAD | ROW_RANGE):
            raise WireError(f"{where}: shape {list(dims)} has a negative dimension or flags {entry_flags} are unknown")
        if row_count > MAX_ELEMENTS_PER_ENTRY:
            raise WireError(f"{where}: {row_count} rows exceed the limit {MAX_ELEMENTS_PER_ENTRY}")
        elements = 1
        for d in dims:
            elements *= d
        width = BYTE_WIDTH[dtype]
        if entry_flags & NO_PAYLOAD:
            expected = 0
        elif encoding == DENSE:
            expected = elements * width
        else:
            if rank == 0:
                raise WireError(f"{where}: sparse rows need rank ≥ 1")
            row_width = 1
            for d in dims[1:]:
                row_width *= d
            expected = row_count * row_width * width
        if encoding == DENSE and row_count != 0:
            raise WireError(f"{where}: a dense entry has row keys")
        if payload_length != expected or expected // width > MAX_ELEMENTS_PER_ENTRY:
            raise WireError(f"{where}: payload of {payload_length} bytes, expected {expected}")
        keys_at = align64(offset + 64 + 8 * rank)
        payload_at = align64(keys_at + 8 * row_count)
        end = align64(payload_at + payload_length)
        if end > n:
            raise WireError(f"{where}: truncated")
        _zero(buf, offset + 64 + 8 * rank, keys_at, where)
        _zero(buf, keys_at + 8 * row_count, payload_at, where)
        _zero(buf, payload_at + payload_length, end, where)
        keys = np.frombuffer(buf, dtype="<i8", count=row_count, offset=keys_at) if row_count else None
        raw = np.frombuffer(buf, dtype=np.uint8, count=payload_length, offset=payload_at)
        if row_count or payload_length:
            if crc32c(buf[keys_at:keys_at + 8 * row_count], raw) != data_crc:
                raise WireError(f"{where}: data checksum mismatch")
        elif data_crc != 0:
            raise WireError(f"{where}: data checksum set on an empty entry")
        payload = None
        if payload_length:
            if dtype not in DTYPES:
                raise WireError(f"{where}: bf16 payloads are not supported by this client")
            payload = raw.view(DTYPES[dtype])
        frame.entries.append(Entry(variable_id, partition, entry_version, encoding, dtype, tuple(dims), entry_flags,
                                   row_offset, keys, payload))
        offset = end
    if offset != n:
        raise WireError(f"entries end at byte {offset}, the frame at {n}")
    return frame
