// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78).
//
// x86-64: the SSE4.2 `crc32` instruction, three independent streams interleaved so the
// instruction's 3-cycle latency is hidden (one 8-byte crc per cycle), with the three partial
// CRCs combined through precomputed "append N zero bytes" operators (Mark Adler's method).
// The hot loop is inline assembly so that it runs at full speed even in -O0 debug builds.
// Elsewhere (and on x86 CPUs without SSE4.2): portable slicing-by-8.

#include "ccrc32c.h"

#include <pthread.h>
#include <string.h>

#define POLY 0x82F63B78u

// ---------------------------------------------------------------------------------------------
// Portable slicing-by-8.

static uint32_t crc32c_table[8][256];
static pthread_once_t crc32c_table_once = PTHREAD_ONCE_INIT;

static void crc32c_init_table(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t crc = n;
        for (int k = 0; k < 8; k++) crc = (crc & 1) ? (crc >> 1) ^ POLY : crc >> 1;
        crc32c_table[0][n] = crc;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t crc = crc32c_table[0][n];
        for (int k = 1; k < 8; k++) {
            crc = crc32c_table[0][crc & 0xff] ^ (crc >> 8);
            crc32c_table[k][n] = crc;
        }
    }
}

static inline uint64_t load_le64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

uint32_t tessera_crc32c_software(uint32_t crc, const void *data, size_t len) {
    pthread_once(&crc32c_table_once, crc32c_init_table);
    const unsigned char *p = (const unsigned char *)data;
    uint64_t c = crc ^ 0xFFFFFFFFu;
    while (len && ((uintptr_t)p & 7) != 0) {
        c = crc32c_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
        len--;
    }
    while (len >= 8) {
        uint64_t w = load_le64(p) ^ c;
        c = crc32c_table[7][w & 0xff] ^ crc32c_table[6][(w >> 8) & 0xff] ^
            crc32c_table[5][(w >> 16) & 0xff] ^ crc32c_table[4][(w >> 24) & 0xff] ^
            crc32c_table[3][(w >> 32) & 0xff] ^ crc32c_table[2][(w >> 40) & 0xff] ^
            crc32c_table[1][(w >> 48) & 0xff] ^ crc32c_table[0][w >> 56];
        p += 8;
        len -= 8;
    }
    while (len--) c = crc32c_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return (uint32_t)c ^ 0xFFFFFFFFu;
}

// ---------------------------------------------------------------------------------------------
// x86-64 hardware path.

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TESSERA_CRC32C_X86 1

#include <nmmintrin.h>

#define LONG_BLOCK 8192
#define SHORT_BLOCK 256

// Zero-append operators: shift_long[k][b] advances a CRC over LONG_BLOCK zero bytes, one byte
// of the CRC at a time (k = byte index).
static uint32_t shift_long[4][256];
static uint32_t shift_short[4][256];
static pthread_once_t shift_once = PTHREAD_ONCE_INIT;
static int hardware_available = -1;

static uint32_t gf2_matrix_times(const uint32_t *mat, uint32_t vec) {
    uint32_t sum = 0;
    while (vec) {
        if (vec & 1) sum ^= *mat;
        vec >>= 1;
        mat++;
    }
    return sum;
}

static void gf2_matrix_square(uint32_t *square, const uint32_t *mat) {
    for (int n = 0; n < 32; n++) square[n] = gf2_matrix_times(mat, mat[n]);
}

// Operator (32x32 GF(2) matrix) that appends `len` zero bytes to a CRC (len > 0).
static void zeros_operator(uint32_t *even, size_t len) {
    uint32_t odd[32];
    odd[0] = POLY;
    uint32_t row = 1;
    for (int n = 1; n < 32; n++) {
        odd[n] = row;
        row <<= 1;
    }
    gf2_matrix_square(even, odd);  // two zero bits
    gf2_matrix_square(odd, even);  // four zero bits
    do {
        gf2_matrix_square(even, odd);
        len >>= 1;
        if (len == 0) return;
        gf2_matrix_square(odd, even);
        len >>= 1;
    } while (len);
    memcpy(even, odd, sizeof(odd));
}

static void zeros_table(uint32_t table[4][256], size_t len) {
    uint32_t op[32];
    zeros_operator(op, len);
    for (uint32_t n = 0; n < 256; n++) {
        table[0][n] = gf2_matrix_times(op, n);
        table[1][n] = gf2_matrix_times(op, n << 8);
        table[2][n] = gf2_matrix_times(op, n << 16);
        table[3][n] = gf2_matrix_times(op, n << 24);
    }
}

static void init_shift_tables(void) {
    zeros_table(shift_long, LONG_BLOCK);
    zeros_table(shift_short, SHORT_BLOCK);
}

static inline uint64_t shift_crc(uint32_t table[4][256], uint64_t crc) {
    return table[0][crc & 0xff] ^ table[1][(crc >> 8) & 0xff] ^ table[2][(crc >> 16) & 0xff] ^
           table[3][(crc >> 24) & 0xff];
}

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
static uint32_t crc32c_hardware(uint32_t crc, unsigned char *out, const void *data, size_t len) {
    pthread_once(&shift_once, init_shift_tables);
    const unsigned char *next = (const unsigned char *)data;
    uint64_t crc0 = crc ^ 0xFFFFFFFFu, crc1, crc2;

    while (len && ((uintptr_t)next & 7) != 0) {
        if (out) *out++ = *next;
        crc0 = _mm_crc32_u8((uint32_t)crc0, *next++);
        len--;
    }
    static const size_t blocks[2] = {LONG_BLOCK, SHORT_BLOCK};
    for (int b = 0; b < 2; b++) {
        const size_t block = blocks[b];
        uint32_t(*shift)[256] = b == 0 ? shift_long : shift_short;
        while (len >= block * 3) {
            if (out) {
                crc_copy_three_streams(&next, &out, block, &crc0, &crc1, &crc2);
            } else {
                crc_three_streams(&next, block, &crc0, &crc1, &crc2);
            }
            crc0 = shift_crc(shift, crc0) ^ crc1;
            crc0 = shift_crc(shift, crc0) ^ crc2;
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

int tessera_crc32c_hardware_available(void) {
    int available = __atomic_load_n(&hardware_available, __ATOMIC_RELAXED);
    if (available < 0) {
        __builtin_cpu_init();
        available = __builtin_cpu_supports("sse4.2") ? 1 : 0;
        __atomic_store_n(&hardware_available, available, __ATOMIC_RELAXED);
    }
    return available;
}

#else

int tessera_crc32c_hardware_available(void) { return 0; }

#endif

uint32_t tessera_crc32c(uint32_t crc, const void *data, size_t len) {
    if (len == 0 || data == NULL) return crc;
#ifdef TESSERA_CRC32C_X86
    if (tessera_crc32c_hardware_available()) return crc32c_hardware(crc, NULL, data, len);
#endif
    return tessera_crc32c_software(crc, data, len);
}

uint32_t tessera_crc32c_copy(uint32_t crc, void *dst, const void *src, size_t len) {
    if (len == 0 || src == NULL || dst == NULL) return crc;
#ifdef TESSERA_CRC32C_X86
    if (tessera_crc32c_hardware_available()) return crc32c_hardware(crc, (unsigned char *)dst, src, len);
#endif
    memcpy(dst, src, len);
    return tessera_crc32c(crc, dst, len);
}
