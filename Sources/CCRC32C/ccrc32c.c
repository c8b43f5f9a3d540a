// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the portable slicing-by-8 loop, and the
// dispatch to a hardware path chosen at run time — on x86-64 carry-less folding with AVX-512 and
// VPCLMULQDQ from 256 bytes on (crc32c_x86_fold.c), else SSE4.2's crc32 (crc32c_x86.c); the ARMv8
// CRC32 extension on AArch64 (crc32c_arm.c) — falling back to the portable loop on CPUs without them.

#include "ccrc32c.h"
#include "crc32c_internal.h"

#include <pthread.h>
#include <string.h>

#define POLY TESSERA_CRC32C_POLY

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
// Dispatch.

int tessera_crc32c_hardware_available(void) {
#if defined(TESSERA_CRC32C_X86)
    return tessera_crc32c_x86_available();
#elif defined(TESSERA_CRC32C_ARM)
    return tessera_crc32c_arm_available();
#else
    return 0;
#endif
}

int tessera_crc32c_folding_available(void) {
#if defined(TESSERA_CRC32C_X86)
    return tessera_crc32c_x86_fold_available();
#else
    return 0;
#endif
}

// Folding pays from one 256-byte block on; shorter inputs (and the tail) take the crc32 streams.
#define FOLD_MIN_BYTES 256

uint32_t tessera_crc32c(uint32_t crc, const void *data, size_t len) {
    if (len == 0 || data == NULL) return crc;
#if defined(TESSERA_CRC32C_X86)
    if (len >= FOLD_MIN_BYTES && tessera_crc32c_x86_fold_available()) return tessera_crc32c_x86_fold(crc, NULL, data, len);
    if (tessera_crc32c_x86_available()) return tessera_crc32c_x86(crc, NULL, data, len);
#elif defined(TESSERA_CRC32C_ARM)
    if (tessera_crc32c_arm_available()) return tessera_crc32c_arm(crc, NULL, data, len);
#endif
    return tessera_crc32c_software(crc, data, len);
}

uint32_t tessera_crc32c_copy(uint32_t crc, void *dst, const void *src, size_t len) {
    if (len == 0 || src == NULL || dst == NULL) return crc;
#if defined(TESSERA_CRC32C_X86)
    if (len >= FOLD_MIN_BYTES && tessera_crc32c_x86_fold_available())
        return tessera_crc32c_x86_fold(crc, (unsigned char *)dst, src, len);
    if (tessera_crc32c_x86_available()) return tessera_crc32c_x86(crc, (unsigned char *)dst, src, len);
#elif defined(TESSERA_CRC32C_ARM)
    if (tessera_crc32c_arm_available()) return tessera_crc32c_arm(crc, (unsigned char *)dst, src, len);
#endif
    memcpy(dst, src, len);
    return tessera_crc32c(crc, dst, len);
}

uint32_t tessera_crc32c_streams(uint32_t crc, void *dst, const void *src, size_t len) {
    if (len == 0 || src == NULL) return crc;
#if defined(TESSERA_CRC32C_X86)
    if (tessera_crc32c_x86_available()) return tessera_crc32c_x86(crc, (unsigned char *)dst, src, len);
#elif defined(TESSERA_CRC32C_ARM)
    if (tessera_crc32c_arm_available()) return tessera_crc32c_arm(crc, (unsigned char *)dst, src, len);
#endif
    if (dst) memcpy(dst, src, len);
    return tessera_crc32c_software(crc, src, len);
}
