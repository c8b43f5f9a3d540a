"""Model files: safetensors (what `clusterctl export` writes and `workerd --serve-model` serves) and numpy .npz."""

from __future__ import annotations

import json
import os
import struct
import tempfile
from collections.abc import Mapping

import numpy as np

from .errors import TesseraError

# The largest safetensors header this reader accepts (the psd's bound, docs/security.md).
MAX_HEADER_BYTES = 100_000_000
_DTYPES = {"F32": "<f4", "F16": "<f2", "F64": "<f8", "I32": "<i4", "I64": "<i8", "U8": "u1"}


def _atomic_write(path: str, write) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".tessera-export-")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def write_safetensors(path: str, tensors: Mapping[str, np.ndarray], metadata: Mapping[str, str] | None = None) -> None:
    """Writes float32 tensors (in the given order) and string metadata as one safetensors file, atomically."""
    header: dict[str, object] = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    offset = 0
    arrays = []
    for name, value in tensors.items():
        array = np.ascontiguousarray(value, dtype="<f4")
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
        arrays.append(array)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the format pads the header to 8 bytes with spaces

    def write(handle) -> None:
        handle.write(struct.pack("<Q", len(text)))
        handle.write(text)
        for array in arrays:
            handle.write(array.tobytes())

    _atomic_write(path, write)


def read_safetensors(path: str) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """The tensors (by name, in file order) and the `__metadata__` of a safetensors file."""
    with open(path, "rb") as handle:
        data = handle.read()
    if len(data) < 8:
        raise TesseraError(f"{path} is not a safetensors file (shorter than its 8-byte header length)")
    (length,) = struct.unpack_from("<Q", data, 0)
    if length > MAX_HEADER_BYTES or 8 + length > len(data):
        raise TesseraError(f"{path}: header of {length} bytes exceeds the limit {MAX_HEADER_BYTES} or the file")
    try:
        header = json.loads(data[8:8 + length])
    except ValueError as error:
        raise TesseraError(f"{path}: the header is not JSON ({error})") from None
    metadata = header.pop("__metadata__", {}) or {}
    base = 8 + length
    tensors = {}
    for name, info in header.items():
        dtype = _DTYPES.get(info.get("dtype"))
        start, end = info.get("data_offsets", (0, -1))
        if dtype is None or not 0 <= start <= end <= len(data) - base:
            raise TesseraError(f"{path}: tensor {name} has an unsupported dtype or offsets outside the file")
        array = np.frombuffer(data, dtype=dtype, count=(end - start) // np.dtype(dtype).itemsize, offset=base + start)
        tensors[name] = array.reshape(info.get("shape", [])).copy()
    return tensors, metadata


def write_npz(path: str, tensors: Mapping[str, np.ndarray], metadata: Mapping[str, str] | None = None) -> None:
    """Writes the tensors to a compressed .npz (names as keys, e.g. "dense_0/kernel"), metadata as `__metadata__`
    (a JSON string array), atomically."""
    arrays = {name: np.asarray(value, dtype=np.float32) for name, value in tensors.items()}
    if metadata:
        arrays["__metadata__"] = np.array(json.dumps(dict(metadata), sort_keys=True))

    def write(handle) -> None:
        np.savez_compressed(handle, **arrays)

    _atomic_write(path, write)
