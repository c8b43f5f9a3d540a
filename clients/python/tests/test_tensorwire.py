"""TensorWire frames byte for byte against the Swift fixtures (Tests/TensorWireTests/TestSupport.swift), CRC32C, and
the embedding key partitioner; no cluster needed."""

from __future__ import annotations

import numpy as np
import pytest

from tessera_client import tensorwire as tw
from tessera_client.crc32c import crc32c
from tessera_client.variables import _plan_chunks, _Route, shard_index, splitmix64

PULL_REQUEST = bytes.fromhex("""
    545352570100010008070605040302012a000000000000000300000000000000
    0100000000000000800000000000000000000000000000000000000066eb0cf4
    0700000001000000050000000000000000010001000000000000000000000000
    0000000000000000000000000000000000000000000000000000000038d6309c""".replace("\n", "").replace(" ", ""))

DENSE_PUSH = bytes.fromhex("""
    545352570100030009000000000000002a000000000000000200000000000000
    0100000000000000000100000000000000000000000000000000000088228b69
    07000000000000000b0000000000000000010200000000000000000000000000
    10000000000000000a69ba9e00000000000000000000000000000000e1743200
    0200000000000000020000000000000000000000000000000000000000000000
    0000000000000000000000000000000000000000000000000000000000000000
    0000803f00000040000040400000804000000000000000000000000000000000
    0000000000000000000000000000000000000000000000000000000000000000""".replace("\n", "").replace(" ", ""))

SPARSE_PUSH = bytes.fromhex("""
    54535257010003000a000000000000002a000000000000000200000000000000
    010000000000000040010000000000000000000000000000000000007abc176d
    08000000010000000c0000000000000001020200000000000200000000000000
    08000000000000002fba8ef200000000000000000000000000000000c2f1dd8c
    e803000000000000020000000000000000000000000000000000000000000000
    0000000000000000000000000000000000000000000000000000000000000000
    0500000000000000840300000000000000000000000000000000000000000000
    0000000000000000000000000000000000000000000000000000000000000000
    003c00c00038ff7b000000000000000000000000000000000000000000000000
    0000000000000000000000000000000000000000000000000000000000000000""".replace("\n", "").replace(" ", ""))

ERROR = bytes.fromhex("""
    54535257010005000b000000000000002a00000000000000010000000e000000
    00000000130000008000000000000000000000000000000000000000876bc61c
    7368617264203220697320647261696e696e6700000000000000000000000000
    0000000000000000000000000000000000000000000000000000000000000000""".replace("\n", "").replace(" ", ""))


def test_crc32c_check_value_and_large_inputs():
    assert crc32c(b"123456789") == 0xE3069283
    assert crc32c(b"") == 0
    data = np.random.default_rng(1).integers(0, 256, 300_001, dtype=np.uint8)
    # The block-parallel path agrees with the byte loop over the same bytes split anywhere.
    assert crc32c(data) == crc32c(data[:7], data[7:4000].tobytes(), data[4000:])


def test_encoder_matches_the_swift_fixtures():
    pull = tw.Frame(tw.PULL_REQUEST, 0x0102030405060708, 42, 3, entries=[tw.Entry.empty(7, 1, version=5)])
    assert tw.encode(pull) == PULL_REQUEST
    push = tw.Frame(tw.PUSH_REQUEST, 9, 42, 2, entries=[
        tw.Entry(7, 0, 11, dims=(2, 2), payload=np.array([1, 2, 3, 4], np.float32))])
    assert tw.encode(push) == DENSE_PUSH
    error = tw.Frame(tw.ERROR, 11, 42, 1, status=14, message="shard 2 is draining")
    assert tw.encode(error) == ERROR


def test_decoder_reads_the_swift_fixtures():
    push = tw.decode(DENSE_PUSH)
    assert (push.kind, push.request_id, push.job_id, push.sender_id) == (tw.PUSH_REQUEST, 9, 42, 2)
    (entry,) = push.entries
    assert (entry.variable_id, entry.version, entry.dims) == (7, 11, (2, 2))
    assert entry.payload.tolist() == [1, 2, 3, 4]
    (rows,) = tw.decode(SPARSE_PUSH).entries
    assert rows.encoding == tw.SPARSE_ROWS and rows.row_keys.tolist() == [5, 900]
    assert rows.payload.astype(np.float32).tolist() == [1, -2, 0.5, 65504]
    error = tw.decode(ERROR)
    assert (error.kind, error.status, error.message) == (tw.ERROR, 14, "shard 2 is draining")
    assert tw.decode(tw.encode(tw.decode(PULL_REQUEST))) .entries[0].flags == tw.NO_PAYLOAD


@pytest.mark.parametrize("offset, what", [(0x3C, "frame header checksum"), (0x7C, "header checksum"),
                                          (0xC0, "data checksum"), (0xD0, "padding")])
def test_decoder_refuses_a_corrupt_frame_naming_the_part(offset, what):
    broken = bytearray(DENSE_PUSH)
    broken[offset] ^= 0x01
    with pytest.raises(tw.WireError, match=what):
        tw.decode(bytes(broken))


def test_decoder_refuses_truncated_and_oversized_frames():
    with pytest.raises(tw.WireError, match="says 256 bytes but 192 arrived"):
        tw.decode(DENSE_PUSH[:192])
    with pytest.raises(tw.WireError, match="a header needs 64"):
        tw.decode(b"TSRW")


def test_row_key_partitioner_is_splitmix64():
    # SplitMix64's first output for seed 0 is the finaliser of 0 + golden gamma.
    assert int(splitmix64(np.array([0]))[0]) == 0xE220A8397B1DCDAF
    owners = shard_index(np.arange(10_000), 3)
    assert set(owners.tolist()) == {0, 1, 2} and min(np.bincount(owners)) > 3000
    assert shard_index(np.arange(5), 1).tolist() == [0] * 5


def test_large_partitions_are_pulled_in_row_chunks_within_the_limit():
    routes = [_Route(0, 0, (1000, 1000), 0), _Route(1, 0, (10,), 0)]
    plan = _plan_chunks(routes, 2 << 20)
    assert sum(rows for message in plan for i, _, rows in message if i == 0) == 1000
    assert all(sum(rows * routes[i].row_width * 4 for i, _, rows in m) <= 2 << 20 for m in plan)
