"""CRC32C (Castagnoli), as TensorWire frames carry it: a table for short inputs, numpy for payloads."""

from __future__ import annotations

import numpy as np

_POLY = 0x82F63B78


def _make_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ _POLY if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _make_table()
_TABLE_NP = np.array(_TABLE, dtype=np.uint32)
# Below this many bytes the plain loop is faster than setting up the block-parallel one.
_SMALL = 4096


def _update(register: int, data: bytes | memoryview) -> int:
    """Runs the raw CRC register over `data` (no initial value or final XOR applied)."""
    table = _TABLE
    for b in bytes(data):
        register = table[(register ^ b) & 0xFF] ^ (register >> 8)
    return register


def _shift_tables(length: int) -> list[list[int]]:
    """Four byte tables for the linear map 'run the register over `length` zero bytes'."""
    columns = [_update(1 << bit, bytes(length)) for bit in range(32)]
    tables = []
    for byte in range(4):
        row = []
        for value in range(256):
            out = 0
            for bit in range(8):
                if value >> bit & 1:
                    out ^= columns[byte * 8 + bit]
            row.append(out)
        tables.append(row)
    return tables


_shift_cache: dict[int, list[list[int]]] = {}


def _update_blocks(register: int, data: np.ndarray) -> int:
    """The raw register over `data` (uint8), computed for many equal blocks at once and then combined.

    The CRC register update is linear over GF(2): running it over a block from register r gives
    shift(r) ^ crc0(block), where crc0 starts from 0. Every block's crc0 is computed in parallel by numpy,
    then folded in order with the zero-shift operator for the block length.
    """
    n = data.size
    block = max(64, int(n ** 0.5) // 8 * 8)
    count = n // block
    blocks = data[: count * block].reshape(count, block)
    crcs = np.zeros(count, dtype=np.uint32)
    for i in range(block):
        crcs = _TABLE_NP[(crcs ^ blocks[:, i]) & 0xFF] ^ (crcs >> np.uint32(8))
    shift = _shift_cache.get(block)
    if shift is None:
        shift = _shift_cache[block] = _shift_tables(block)
    t0, t1, t2, t3 = shift
    for c in crcs.tolist():
        register = (t0[register & 0xFF] ^ t1[(register >> 8) & 0xFF] ^ t2[(register >> 16) & 0xFF]
                    ^ t3[register >> 24] ^ c)
    return _update(register, data[count * block:].tobytes())


def crc32c(*parts: bytes | bytearray | memoryview | np.ndarray) -> int:
    """CRC32C of the concatenation of `parts` (initial value and final XOR 0xFFFFFFFF)."""
    register = 0xFFFFFFFF
    for part in parts:
        if isinstance(part, np.ndarray):
            raw = part.reshape(-1).view(np.uint8)
        else:
            raw = np.frombuffer(part, dtype=np.uint8)
        if raw.size < _SMALL:
            register = _update(register, raw.tobytes())
        else:
            register = _update_blocks(register, raw)
    return register ^ 0xFFFFFFFF
