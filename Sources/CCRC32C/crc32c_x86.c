// CRC-32C on x86-64 with SSE4.2's `crc32` instruction: three independent streams interleaved so the
// instruction's 3-cycle latency is hidden (one 8-byte crc per cycle), the partial CRCs combined through
// the zero-append operators of crc32c_shift.c. The hot loop is inline assembly so that it runs at full
// speed even in -O0 debug builds.

#include "crc32c_internal.h"

#ifdef TESSERA_CRC32C_X86

#include <nmmintrin.h>
#include <string.h>

static int hardware_available = -1;

// Three interleaved streams of `block` bytes each, `block` a multiple of 8: on return crc0..2
// hold the raw (uninverted) CRCs of the three blocks, crc1 and crc2 having started at 0.
static inline void crc_three_streams(const unsigned char **next, size_t block, uint64_t *c0,
                                     uint64_t *c1, uint64_t *c2) {
    const unsigned char *p = *next;
    const unsigned char *end = p + block;
    uint64_t a = *c0, b = 0, c = 0;
    __asm__(
        "1:\n\t"
        "crc32q (%[p]), %[a]\n\t"
        "crc32q (%[p],%[blk],1), %[b]\n\t"
        "crc32q (%[p],%[blk],2), %[c]\n\t"
        "addq $8, %[p]\n\t"
        "cmpq %[end], %[p]\n\t"
        "jb 1b\n\t"
        : [a] "+r"(a), [b] "+r"(b), [c] "+r"(c), [p] "+r"(p)
        : [blk] "r"((uint64_t)block), [end] "r"(end)
        : "cc", "memory");
    *next = p + 2 * block;  // p advanced over the first block only
    *c0 = a;
    *c1 = b;
    *c2 = c;
}

// Three interleaved streams like crc_three_streams, each 8-byte word stored to `dst` right after
// it is loaded, so the copy costs no second pass over the source.
static inline void crc_copy_three_streams(const unsigned char **next, unsigned char **out, size_t block,
                                          uint64_t *c0, uint64_t *c1, uint64_t *c2) {
    const unsigned char *p = *next;
    unsigned char *d = *out;
    const unsigned char *end = p + block;
    uint64_t a = *c0, b = 0, c = 0, t0, t1, t2;
    __asm__(
        "1:\n\t"
        "movq (%[p]), %[t0]\n\t"
        "movq (%[p],%[blk],1), %[t1]\n\t"
        "movq (%[p],%[blk],2), %[t2]\n\t"
        "crc32q %[t0], %[a]\n\t"
        "crc32q %[t1], %[b]\n\t"
        "crc32q %[t2], %[c]\n\t"
        "movq %[t0], (%[d])\n\t"
        "movq %[t1], (%[d],%[blk],1)\n\t"
        "movq %[t2], (%[d],%[blk],2)\n\t"
        "addq $8, %[p]\n\t"
        "addq $8, %[d]\n\t"
        "cmpq %[end], %[p]\n\t"
        "jb 1b\n\t"
        : [a] "+r"(a), [b] "+r"(b), [c] "+r"(c), [p] "+r"(p), [d] "+r"(d), [t0] "=&r"(t0), [t1] "=&r"(t1),
          [t2] "=&r"(t2)
        : [blk] "r"((uint64_t)block), [end] "r"(end)
        : "cc", "memory");
    *next = p + 2 * block;  // p and d advanced over the first block only
    *out = d + 2 * block;
    *c0 = a;
    *c1 = b;
    *c2 = c;
}

// The CRC of `len` bytes at `data`, continuing from `crc`; when `out` is not NULL each byte is also
// stored there (the copy rides on the checksum's loads). One driver for both: the unaligned head,
// the interleaved blocks (long, then short) and the tail.
__attribute__((target("sse4.2")))
uint32_t tessera_crc32c_x86(uint32_t crc, unsigned char *out, const void *data, size_t len) {
    tessera_crc32c_shift_init();
    const unsigned char *next = (const unsigned char *)data;
    uint64_t crc0 = crc ^ 0xFFFFFFFFu, crc1, crc2;

    while (len && ((uintptr_t)next & 7) != 0) {
        if (out) *out++ = *next;
        crc0 = _mm_crc32_u8((uint32_t)crc0, *next++);
        len--;
    }
    static const size_t blocks[2] = {TESSERA_CRC32C_LONG_BLOCK, TESSERA_CRC32C_SHORT_BLOCK};
    for (int b = 0; b < 2; b++) {
        const size_t block = blocks[b];
        uint32_t(*shift)[256] = b == 0 ? tessera_crc32c_shift_long : tessera_crc32c_shift_short;
        while (len >= block * 3) {
            if (out) {
                crc_copy_three_streams(&next, &out, block, &crc0, &crc1, &crc2);
            } else {
                crc_three_streams(&next, block, &crc0, &crc1, &crc2);
            }
            crc0 = tessera_crc32c_shift(shift, (uint32_t)crc0) ^ crc1;
            crc0 = tessera_crc32c_shift(shift, (uint32_t)crc0) ^ crc2;
            len -= block * 3;
        }
    }
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, next, 8);
        if (out) {
            memcpy(out, &w, 8);
            out += 8;
        }
        crc0 = _mm_crc32_u64(crc0, w);
        next += 8;
        len -= 8;
    }
    while (len) {
        if (out) *out++ = *next;
        crc0 = _mm_crc32_u8((uint32_t)crc0, *next++);
        len--;
    }
    return (uint32_t)crc0 ^ 0xFFFFFFFFu;
}

int tessera_crc32c_x86_available(void) {
    int available = __atomic_load_n(&hardware_available, __ATOMIC_RELAXED);
    if (available < 0) {
        __builtin_cpu_init();
        available = __builtin_cpu_supports("sse4.2") ? 1 : 0;
        __atomic_store_n(&hardware_available, available, __ATOMIC_RELAXED);
    }
    return available;
}

#endif
