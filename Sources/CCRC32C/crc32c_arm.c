// CRC-32C on AArch64 with the ARMv8 CRC32 extension (`crc32cx`/`crc32cb` through <arm_acle.h>), chosen at
// run time: Graviton, Grace, Ampere and Apple cores have it, and Linux reports it in AT_HWCAP. Three
// independent streams interleaved like the x86 path (the instruction has a 2–3 cycle latency and a
// throughput of one per cycle), combined through the zero-append operators of crc32c_shift.c.

#include "crc32c_internal.h"

#ifdef TESSERA_CRC32C_ARM

#include <arm_acle.h>
#include <string.h>

#if defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1 << 7)
#endif
#endif

// Compile the functions that use the instructions for the CRC extension even when the file is not.
#if defined(__ARM_FEATURE_CRC32)
#define CRC_TARGET
#elif defined(__clang__)
#define CRC_TARGET __attribute__((target("crc")))
#else
#define CRC_TARGET __attribute__((target("+crc")))
#endif

static int hardware_available = -1;

static inline uint64_t load64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

// Three interleaved streams of `block` bytes each (`block` a multiple of 8, `p` 8-byte aligned), copying
// each word to `out` unless NULL: on return *c0 continues the CRC over the first block and *c1, *c2 hold
// the raw CRCs (from 0) of the second and third.
CRC_TARGET
static inline void three_streams(const unsigned char *p, unsigned char *out, size_t block, uint32_t *c0,
                                 uint32_t *c1, uint32_t *c2) {
    uint32_t a = *c0, b = 0, c = 0;
    for (size_t i = 0; i < block; i += 8) {
        uint64_t w0 = load64(p + i), w1 = load64(p + block + i), w2 = load64(p + 2 * block + i);
        if (out) {
            memcpy(out + i, &w0, 8);
            memcpy(out + block + i, &w1, 8);
            memcpy(out + 2 * block + i, &w2, 8);
        }
        a = __crc32cd(a, w0);
        b = __crc32cd(b, w1);
        c = __crc32cd(c, w2);
    }
    *c0 = a;
    *c1 = b;
    *c2 = c;
}

CRC_TARGET
uint32_t tessera_crc32c_arm(uint32_t crc, unsigned char *out, const void *data, size_t len) {
    tessera_crc32c_shift_init();
    const unsigned char *next = (const unsigned char *)data;
    uint32_t crc0 = crc ^ 0xFFFFFFFFu, crc1, crc2;

    while (len && ((uintptr_t)next & 7) != 0) {
        if (out) *out++ = *next;
        crc0 = __crc32cb(crc0, *next++);
        len--;
    }
    static const size_t blocks[2] = {TESSERA_CRC32C_LONG_BLOCK, TESSERA_CRC32C_SHORT_BLOCK};
    for (int b = 0; b < 2; b++) {
        const size_t block = blocks[b];
        uint32_t(*shift)[256] = b == 0 ? tessera_crc32c_shift_long : tessera_crc32c_shift_short;
        while (len >= block * 3) {
            three_streams(next, out, block, &crc0, &crc1, &crc2);
            crc0 = tessera_crc32c_shift(shift, crc0) ^ crc1;
            crc0 = tessera_crc32c_shift(shift, crc0) ^ crc2;
            next += 3 * block;
            if (out) out += 3 * block;
            len -= block * 3;
        }
    }
    while (len >= 8) {
        uint64_t w = load64(next);
        if (out) {
            memcpy(out, &w, 8);
            out += 8;
        }
        crc0 = __crc32cd(crc0, w);
        next += 8;
        len -= 8;
    }
    while (len) {
        if (out) *out++ = *next;
        crc0 = __crc32cb(crc0, *next++);
        len--;
    }
    return crc0 ^ 0xFFFFFFFFu;
}

int tessera_crc32c_arm_available(void) {
    int available = __atomic_load_n(&hardware_available, __ATOMIC_RELAXED);
    if (available < 0) {
#if defined(__linux__)
        available = (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0;
#elif defined(__APPLE__) || defined(__ARM_FEATURE_CRC32)
        available = 1;  // every Apple arm64 core has it; or the whole build already requires it
#else
        available = 0;
#endif
        __atomic_store_n(&hardware_available, available, __ATOMIC_RELAXED);
    }
    return available;
}

#endif
