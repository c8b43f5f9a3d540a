"""Synthetic Criteo-like click log, streamed chunk by chunk (numpy only).

    python clicklog_gen.py --out DIR --rows N [--rows-per-file 100000] [--fields 26] [--numeric 13]
                           [--buckets 2000000] [--zipf 1.1] [--seed 1] [--test-rows 100000] [--gzip]

Writes DIR/train/part-00000.csv ... (each written as DIR/train/.part-NNNNN.csv.tmp, then renamed: the stream
convention of docs/streams.md), DIR/test.csv and DIR/clicklog.json (parameters, planted truth, the truth's own test
accuracy/AUC: the ceiling any model can reach). With --gzip the files end in .csv.gz (gzip level 1).

Rows: `label,n1..nM,c1..cF`. label 0/1; n* ~ N(0,1) with 4 decimals (clipped to +-9.9999); c* integer ids in
[0, buckets): a truncated Zipf rank (exponent --zipf; ranks 1..K exactly by an alias table, the tail by inverting
the continuous density and rounding, K = 1024) mapped through a per-field bijection of [0, buckets) (an affine map
mod the smallest prime p >= buckets, cycle-walked until the value is < buckets), so the popular ids are spread over
hash partitions.

Planted truth: logit = bias + sum_j w_j n_j + sum_f v_f(c_f) + sum_pairs <e_pf(c_f), e_pg(c_g)> + sum u_ab n_a n_b
+ sum_k n_k * s_k(c_f); v, e, s are hashes (splitmix64) of (seed, tag, field, id) turned into near-normals (sum of
four 16-bit uniforms) or unit-variance uniforms, so they are exact and deterministic without any table; the bias is
set once (from a 50k-row sample) for a ~25 % click rate. label ~ Bernoulli(sigmoid(logit)), computed from the
values as written (the rounded numerics).

Memory: BLOCK_ROWS rows at a time (~30 MB), plus the test rows' true probabilities (9 bytes a row).
Prints progress on stderr and one `RESULT {json}` line on stdout (rows/s, click rate, ceiling).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np

FORMAT_VERSION = 1
ZIPF_TABLE_RANKS = 1024           # ranks 1..K sampled exactly from a table; the tail by the continuous inverse
                                  # (rounded: relative error of a rank's mass ~ s(s+1)/24/k^2 < 1e-7 past K)
MAX_BUCKETS = 1 << 31             # affine products stay below 2^62
MAX_FIELDS = 1000
MAX_NUMERIC = 1000
MAX_ROWS = 1 << 40
NUMERIC_CLIP = 99999              # |n| <= 9.9999 (4 decimals): one integer digit
TARGET_CLICK_RATE = 0.25
CALIBRATION_ROWS = 50_000
INTERACTION_DIM = 4               # width of the planted factorised categorical interactions
GZIP_LEVEL = 1
BLOCK_ROWS = 16384                # rows drawn and formatted at once (arrays of a few MB: cache- and malloc-friendly)

GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser of a uint64 array (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        x = x + GOLDEN
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def field_key(seed: int, tag: int, field: int) -> np.uint64:
    """The hash key of one (seed, tag, field)."""
    return splitmix64(np.array([(seed << 20) ^ (tag << 12) ^ field], dtype=np.uint64))[0]


def hashed_normal(seed: int, tag: int, field: int, ids: np.ndarray) -> np.ndarray:
    """A near-standard normal per id, a pure function of (seed, tag, field, id): the sum of the hash's four 16-bit
    quarters (Irwin-Hall, 4 terms), centred and scaled to variance 1 (bounded by +-3.46)."""
    h = splitmix64(ids.astype(np.uint64) ^ field_key(seed, tag, field))
    m = np.uint64(0xFFFF)
    s = (h & m) + ((h >> np.uint64(16)) & m) + ((h >> np.uint64(32)) & m) + (h >> np.uint64(48))
    return (s.astype(np.float64) * (1.0 / 65536.0) - 2.0) * math.sqrt(3.0)


def hashed_vector4(seed: int, tag: int, field: int, ids: np.ndarray) -> np.ndarray:
    """Four unit-variance uniforms per id (the hash's 16-bit quarters), shape ids.shape + (4,)."""
    h = splitmix64(ids.astype(np.uint64) ^ field_key(seed, tag, field))
    q = np.stack([(h >> np.uint64(16 * k)) & np.uint64(0xFFFF) for k in range(4)], axis=-1)
    return (q.astype(np.float64) * (1.0 / 65536.0) - 0.5) * math.sqrt(12.0)


def next_prime(n: int) -> int:
    """The smallest prime >= n (trial division; n <= 2^31)."""
    def is_prime(k: int) -> bool:
        if k < 2:
            return False
        if k % 2 == 0:
            return k == 2
        d = 3
        while d * d <= k:
            if k % d == 0:
                return False
            d += 2
        return True
    while not is_prime(n):
        n += 1
    return n


class Zipf:
    """Truncated Zipf ranks 0..buckets-1 (rank 0 the most popular), P(rank k-1) ~ k^-s: the first K ranks exactly
    by an alias table (Vose), the rest by inverting the continuous density x^-s on [K+0.5, buckets+0.5] and rounding."""

    def __init__(self, buckets: int, s: float):
        self.buckets, self.s = buckets, s
        head = min(buckets, ZIPF_TABLE_RANKS)
        weights = np.arange(1, head + 1, dtype=np.float64) ** -s
        head_mass = float(weights.sum())
        self.lo, self.hi = head + 0.5, buckets + 0.5
        tail_mass = self._integral(self.lo, self.hi) if buckets > head else 0.0
        self.p_head = head_mass / (head_mass + tail_mass)
        self.head = head
        self.prob, self.alias = alias_table(weights / head_mass)

    def _integral(self, a: float, b: float) -> float:
        if abs(self.s - 1.0) < 1e-12:
            return math.log(b / a)
        return (b ** (1 - self.s) - a ** (1 - self.s)) / (1 - self.s)

    def sample(self, rng: np.random.Generator, shape) -> np.ndarray:
        u = rng.random(shape)
        # Head: u / p_head is uniform on [0, 1): its integer part (x K) picks a column, its fraction the side.
        v = np.minimum(u * (self.head / self.p_head), self.head - 1e-9)
        col = v.astype(np.intp)
        ranks = np.where(v - col < self.prob[col], col, self.alias[col])
        if self.buckets > self.head:
            tail = u >= self.p_head
            t = (u[tail] - self.p_head) * (1.0 / (1.0 - self.p_head))
            if abs(self.s - 1.0) < 1e-12:
                x = self.lo * (self.hi / self.lo) ** t
            else:
                e = 1 - self.s
                x = (self.lo ** e + t * (self.hi ** e - self.lo ** e)) ** (1 / e)
            ranks[tail] = np.clip(np.floor(x + 0.5).astype(np.int64) - 1, self.head, self.buckets - 1)
        return ranks


def alias_table(p: np.ndarray):
    """Vose's alias table of the distribution p: (acceptance probabilities, aliases)."""
    k = p.size
    scaled = p * k
    prob = np.ones(k)
    alias = np.arange(k, dtype=np.int64)
    small = [i for i in range(k) if scaled[i] < 1.0]
    large = [i for i in range(k) if scaled[i] >= 1.0]
    while small and large:
        s, l = small.pop(), large.pop()
        prob[s], alias[s] = scaled[s], l
        scaled[l] -= 1.0 - scaled[s]
        (small if scaled[l] < 1.0 else large).append(l)
    return prob, alias


class Truth:
    """The planted model and the id maps, all derived from (seed, shape parameters)."""

    def __init__(self, seed: int, fields: int, numeric: int, buckets: int):
        self.seed, self.fields, self.numeric, self.buckets = seed, fields, numeric, buckets
        rng = np.random.default_rng([seed, 0x7EE7])
        self.prime = next_prime(buckets)
        # Per-field bijection rank -> id: id = (a*r + c) mod p, repeated while >= buckets.
        self.mul = rng.integers(max(1, self.prime // 4), max(2, 3 * self.prime // 4), size=fields, dtype=np.int64)
        self.add = rng.integers(0, self.prime, size=fields, dtype=np.int64)
        self.numeric_weights = rng.normal(0.0, 0.3, size=numeric)
        self.field_sigma = rng.uniform(0.15, 0.45, size=fields)
        n_pairs = min(4, fields // 2)
        perm = rng.permutation(fields)
        self.cat_pairs = [(int(perm[2 * i]), int(perm[2 * i + 1])) for i in range(n_pairs)]
        self.cat_pair_scale = 0.6
        n_num_pairs = min(2, numeric // 2)
        nperm = rng.permutation(numeric) if numeric else np.array([], dtype=np.int64)
        self.num_pairs = [(int(nperm[2 * i]), int(nperm[2 * i + 1]), float(rng.normal(0.0, 0.4)))
                          for i in range(n_num_pairs)]
        n_cross = min(2, numeric, fields)
        self.cross = [(int(rng.integers(numeric)), int(rng.integers(fields))) for _ in range(n_cross)]
        self.cross_scale = 0.3
        self.bias = 0.0

    def ids(self, field: int, ranks: np.ndarray) -> np.ndarray:
        a, c, p = np.uint64(self.mul[field]), np.uint64(self.add[field]), np.uint64(self.prime)
        x = (ranks.astype(np.uint64) * a + c) % p
        while True:
            over = x >= np.uint64(self.buckets)
            if not over.any():
                return x.astype(np.int64)
            x[over] = (x[over] * a + c) % p

    def logit(self, num: np.ndarray, cat: np.ndarray) -> np.ndarray:
        z = np.full(num.shape[0], self.bias)
        if self.numeric:
            z += num @ self.numeric_weights
        for f in range(self.fields):
            z += self.field_sigma[f] * hashed_normal(self.seed, 1, f, cat[:, f])
        for k, (f, g) in enumerate(self.cat_pairs):
            dot = np.einsum("ij,ij->i", hashed_vector4(self.seed, 16 + 2 * k, f, cat[:, f]),
                            hashed_vector4(self.seed, 17 + 2 * k, g, cat[:, g]))
            z += self.cat_pair_scale * dot / math.sqrt(INTERACTION_DIM)
        for a, b, w in self.num_pairs:
            z += w * num[:, a] * num[:, b]
        for j, f in self.cross:
            z += self.cross_scale * num[:, j] * hashed_normal(self.seed, 3, f, cat[:, f])
        return z

    def describe(self) -> dict:
        return {
            "bias": self.bias,
            "numeric_weights": [round(float(w), 6) for w in self.numeric_weights],
            "field_sigma": [round(float(s), 6) for s in self.field_sigma],
            "categorical_pairs": [[f, g] for f, g in self.cat_pairs],
            "categorical_pair_scale": self.cat_pair_scale,
            "categorical_pair_dim": INTERACTION_DIM,
            "numeric_pairs": [[a, b, round(w, 6)] for a, b, w in self.num_pairs],
            "numeric_x_categorical": [[j, f] for j, f in self.cross],
            "numeric_x_categorical_scale": self.cross_scale,
            "id_map": {"kind": "affine mod prime, cycle-walked", "prime": self.prime,
                       "mul": [int(m) for m in self.mul], "add": [int(a) for a in self.add]},
            "hash": ("h = splitmix64(id ^ splitmix64((seed<<20)^(tag<<12)^field)); "
                     "normal = (sum of h's four 16-bit quarters / 65536 - 2) * sqrt(3); "
                     "pair vectors: (quarter / 65536 - 0.5) * sqrt(12)"),
        }


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


class Rows:
    """Draws chunks of rows: numerics (as the 4-decimal integers written), ids, labels, true probabilities."""

    def __init__(self, truth: Truth, zipf: Zipf):
        self.truth, self.zipf = truth, zipf

    def draw(self, rng: np.random.Generator, n: int):
        t = self.truth
        q = np.rint(rng.standard_normal((n, t.numeric)) * 10000.0)
        q = np.clip(q, -NUMERIC_CLIP, NUMERIC_CLIP).astype(np.int64)
        ranks = self.zipf.sample(rng, (n, t.fields))
        cat = np.empty_like(ranks)
        for f in range(t.fields):
            cat[:, f] = t.ids(f, ranks[:, f])
        p = sigmoid(t.logit(q / 10000.0, cat))
        labels = (rng.random(n) < p).astype(np.int64)
        return labels, q, cat, p


def digits_of(n: int) -> int:
    return max(1, len(str(n)))


# "0000".."9999" as little-endian uint32 words of four ASCII digits: a gather formats four digits at once.
_DIGITS4 = np.frombuffer("".join(f"{i:04d}" for i in range(10000)).encode(), dtype=np.uint32)


def format_rows(labels: np.ndarray, q: np.ndarray, cat: np.ndarray, id_digits: int) -> bytes:
    """CSV text of the rows, built as a fixed-width byte matrix with a keep-mask (vectorised, no per-value Python):
    numerics as [-]d.dddd, ids in id_digits digits whose leading zeros the mask drops."""
    n, m = q.shape
    f = cat.shape[1]
    limbs = (id_digits + 3) // 4            # base-10000 limbs of an id
    idw = 4 * limbs + 1                     # an id's slot: padded digits and its separator
    width = 2 + 8 * m + idw * f
    buf = np.empty((n, width), dtype=np.uint8)
    keep = np.ones((n, width), dtype=bool)
    buf[:, 0] = ord("0") + labels
    buf[:, 1] = ord(",")
    col = 2
    if m:
        a = np.abs(q)
        block = np.empty((n, m, 8), dtype=np.uint8)
        block[:, :, 0] = ord("-")
        block[:, :, 1] = ord("0") + a // 10000
        block[:, :, 2] = ord(".")
        block[:, :, 3:7] = _DIGITS4[a % 10000].view(np.uint8).reshape(n, m, 4)
        block[:, :, 7] = ord(",")
        kb = np.ones((n, m, 8), dtype=bool)
        kb[:, :, 0] = q < 0
        buf[:, col:col + 8 * m] = block.reshape(n, 8 * m)
        keep[:, col:col + 8 * m] = kb.reshape(n, 8 * m)
        col += 8 * m
    block = np.empty((n, f, idw), dtype=np.uint8)
    rest = cat.astype(np.int64)
    for k in range(limbs - 1, -1, -1):
        block[:, :, 4 * k:4 * k + 4] = _DIGITS4[rest % 10000].view(np.uint8).reshape(n, f, 4)
        rest //= 10000
    block[:, :, idw - 1] = ord(",")
    block[:, -1, idw - 1] = ord("\n")
    kb = np.ones((n, f, idw), dtype=bool)
    # Leading zeros dropped (the last digit always kept): digit k of 4*limbs is kept when id >= 10^(4*limbs-1-k).
    power = 1
    for k in range(4 * limbs - 2, -1, -1):
        power *= 10
        kb[:, :, k] = cat >= power
    buf[:, col:] = block.reshape(n, f * idw)
    keep[:, col:] = kb.reshape(n, f * idw)
    if f == 0:  # the numerics' last comma ends the row
        buf[:, col - 1] = ord("\n")
    return buf[keep].tobytes()


def header(fields: int, numeric: int) -> bytes:
    cols = ["label"] + [f"n{j + 1}" for j in range(numeric)] + [f"c{f + 1}" for f in range(fields)]
    return (",".join(cols) + "\n").encode()


def write_atomic(final_path: str, tmp_path: str, chunks, use_gzip: bool) -> int:
    """Writes the byte chunks to tmp_path, fsyncs and renames it to final_path; returns the bytes written."""
    size = 0
    with open(tmp_path, "wb") as raw:
        if use_gzip:
            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=GZIP_LEVEL, mtime=0) as gz:
                for c in chunks:
                    gz.write(c)
        else:
            for c in chunks:
                raw.write(c)
        raw.flush()
        size = raw.tell()
    os.replace(tmp_path, final_path)
    return size


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney with average ranks for ties)."""
    pos = int(labels.sum())
    neg = labels.size - pos
    if pos == 0 or neg == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    s = scores[order]
    ranks = np.empty(scores.size, dtype=np.float64)
    # Average rank over runs of equal scores.
    boundaries = np.flatnonzero(np.diff(s)) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [s.size]))
    avg = (starts + ends + 1) / 2.0
    ranks[order] = np.repeat(avg, ends - starts)
    return float((ranks[labels == 1].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def calibrate_bias(rows: Rows, seed: int) -> float:
    """The bias for which the mean click probability on a fixed sample is TARGET_CLICK_RATE (bisection)."""
    t = rows.truth
    rng = np.random.default_rng([seed, 0xCA11])
    t.bias = 0.0
    _, q, cat, _ = rows.draw(rng, CALIBRATION_ROWS)
    z0 = t.logit(q / 10000.0, cat)
    lo, hi = -20.0, 20.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if sigmoid(z0 + mid).mean() > TARGET_CLICK_RATE:
            hi = mid
        else:
            lo = mid
    return round((lo + hi) / 2, 6)


def positive_int(lo: int, hi: int):
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}")
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"{v} is outside [{lo}, {hi}]")
        return v
    return parse


def zipf_exponent(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}")
    if not (0.0 < v <= 10.0):
        raise argparse.ArgumentTypeError(f"--zipf {v} is outside (0, 10]")
    return v


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="gen-clicklog", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="output directory (created; must not hold a click log already)")
    ap.add_argument("--rows", required=True, type=positive_int(0, MAX_ROWS), help="training rows")
    ap.add_argument("--rows-per-file", type=positive_int(1, 10_000_000), default=100_000)
    ap.add_argument("--fields", type=positive_int(1, MAX_FIELDS), default=26, help="categorical fields")
    ap.add_argument("--numeric", type=positive_int(0, MAX_NUMERIC), default=13, help="numeric fields")
    ap.add_argument("--buckets", type=positive_int(1, MAX_BUCKETS), default=2_000_000, help="ids per field")
    ap.add_argument("--zipf", type=zipf_exponent, default=1.1, help="Zipf exponent of the id ranks")
    ap.add_argument("--seed", type=positive_int(0, (1 << 32) - 1), default=1)
    ap.add_argument("--test-rows", type=positive_int(0, 10_000_000), default=100_000)
    ap.add_argument("--gzip", action="store_true", help="write .csv.gz (gzip level 1)")
    return ap.parse_args(argv)


def generate(args) -> dict:
    out = os.path.abspath(args.out)
    train_dir = os.path.join(out, "train")
    meta_path = os.path.join(out, "clicklog.json")
    os.makedirs(train_dir, exist_ok=True)
    if os.path.exists(meta_path) or any(n.startswith("part-") for n in os.listdir(train_dir)):
        raise SystemExit(f"gen-clicklog: {out} already holds a click log (clicklog.json or train/part-*): "
                         "remove it first")
    ext = ".csv.gz" if args.gzip else ".csv"
    started = time.monotonic()
    truth = Truth(args.seed, args.fields, args.numeric, args.buckets)
    zipf = Zipf(args.buckets, args.zipf)
    rows = Rows(truth, zipf)
    truth.bias = calibrate_bias(rows, args.seed)
    id_digits = digits_of(args.buckets - 1)
    head = header(args.fields, args.numeric)
    n_files = (args.rows + args.rows_per_file - 1) // args.rows_per_file
    name_digits = max(5, digits_of(max(0, n_files - 1)))
    meta = {
        "format_version": FORMAT_VERSION,
        "complete": False,
        "params": {"rows": args.rows, "rows_per_file": args.rows_per_file, "fields": args.fields,
                   "numeric": args.numeric, "buckets": args.buckets, "zipf": args.zipf, "seed": args.seed,
                   "test_rows": args.test_rows, "gzip": bool(args.gzip)},
        "columns": head.decode().strip().split(","),
        "train_files": [f"train/part-{i:0{name_digits}d}{ext}" for i in range(n_files)],
        "test_file": f"test{ext}",
        "truth": {"seed": args.seed, "target_click_rate": TARGET_CLICK_RATE, **truth.describe()},
    }
    write_json(meta_path, meta)

    # Test rows first (their own random stream, so --rows does not change them): the ceiling needs their truth.
    t0 = time.monotonic()
    test_p = np.empty(args.test_rows, dtype=np.float64)
    test_y = np.empty(args.test_rows, dtype=np.int8)
    test_rng = np.random.default_rng([args.seed, 0x7E57])

    def test_chunks():
        yield head
        done = 0
        while done < args.test_rows:
            n = min(BLOCK_ROWS, args.test_rows - done)
            y, q, cat, p = rows.draw(test_rng, n)
            test_p[done:done + n], test_y[done:done + n] = p, y
            done += n
            yield format_rows(y, q, cat, id_digits)

    def train_chunks(n: int, counts: list):
        yield head
        done = 0
        while done < n:
            k = min(BLOCK_ROWS, n - done)
            y, q, cat, _ = rows.draw(train_rng, k)
            counts[0] += int(y.sum())
            done += k
            yield format_rows(y, q, cat, id_digits)

    test_bytes = write_atomic(os.path.join(out, meta["test_file"]), os.path.join(out, f".test{ext}.tmp"),
                              test_chunks(), args.gzip)
    test_s = time.monotonic() - t0

    # Training files, one at a time, each drawn and written in blocks of BLOCK_ROWS rows.
    t1 = time.monotonic()
    train_rng = np.random.default_rng([args.seed, 0x72A1])
    train_bytes, done = 0, 0
    clicks = [0]
    for i in range(n_files):
        n = min(args.rows_per_file, args.rows - done)
        name = f"part-{i:0{name_digits}d}{ext}"
        train_bytes += write_atomic(os.path.join(train_dir, name), os.path.join(train_dir, f".{name}.tmp"),
                                    train_chunks(n, clicks), args.gzip)
        done += n
        if (i + 1) % 10 == 0 or i + 1 == n_files:
            el = time.monotonic() - t1
            print(f"gen-clicklog: {done}/{args.rows} rows, {i + 1}/{n_files} files, "
                  f"{done / max(el, 1e-9):,.0f} rows/s", file=sys.stderr)
    train_s = time.monotonic() - t1

    ceiling = {}
    if args.test_rows:
        pred = test_p > 0.5
        eps = 1e-12
        ceiling = {
            "test_accuracy": round(float((pred == (test_y == 1)).mean()), 6),
            "test_auc": round(auc(test_p, test_y), 6),
            "test_logloss": round(float(-np.mean(test_y * np.log(test_p + eps) +
                                                 (1 - test_y) * np.log(1 - test_p + eps))), 6),
            "test_click_rate": round(float(test_y.mean()), 6),
            "constant_accuracy": round(float(max(test_y.mean(), 1 - test_y.mean())), 6),
        }
    total_s = time.monotonic() - started
    meta["complete"] = True
    meta["ceiling"] = ceiling
    meta["train"] = {"rows": args.rows, "files": n_files, "bytes": train_bytes,
                     "click_rate": round(clicks[0] / args.rows, 6) if args.rows else None}
    meta["timing"] = {"train_s": round(train_s, 3), "test_s": round(test_s, 3), "total_s": round(total_s, 3),
                      "train_rows_per_s": round(args.rows / train_s) if train_s > 0 else None}
    write_json(meta_path, meta)
    return {"bench": "gen_clicklog", "rows": args.rows, "files": n_files, "test_rows": args.test_rows,
            "buckets": args.buckets, "zipf": args.zipf, "gzip": bool(args.gzip),
            "rows_per_s": meta["timing"]["train_rows_per_s"],
            "mb_per_s": round(train_bytes / 1e6 / train_s, 1) if train_s > 0 else None,
            "train_bytes": train_bytes, "test_bytes": test_bytes,
            "click_rate": meta["train"]["click_rate"], **{f"ceiling_{k}": v for k, v in ceiling.items()},
            "total_s": round(total_s, 3)}


def write_json(path: str, obj: dict) -> None:
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "w") as fh:
        json.dump(obj, fh, indent=1)
        fh.write("\n")
    os.replace(tmp, path)


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    result = generate(args)
    width = max(len(k) for k in result)
    for k, v in result.items():
        print(f"  {k:<{width}}  {v}", file=sys.stderr)
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
