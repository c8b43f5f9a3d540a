// Private to CCRC32C: the zero-append operators the hardware paths combine their streams with, and the
// hardware paths themselves (one file per architecture).
#ifndef TESSERA_CRC32C_INTERNAL_H
#define TESSERA_CRC32C_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#define TESSERA_CRC32C_POLY 0x82F63B78u
#define TESSERA_HIDDEN __attribute__((visibility("hidden")))

// Block sizes of the three interleaved streams: long blocks first, then short ones for what is left.
#define TESSERA_CRC32C_LONG_BLOCK 8192
#define TESSERA_CRC32C_SHORT_BLOCK 256

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TESSERA_CRC32C_X86 1
#elif defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define TESSERA_CRC32C_ARM 1
#endif

#if defined(TESSERA_CRC32C_X86) || defined(TESSERA_CRC32C_ARM)

// shift_long[k][b] advances a raw (uninverted) CRC over LONG_BLOCK zero bytes, one byte of the CRC at a
// time (k = byte index); shift_short the same over SHORT_BLOCK. Filled once by tessera_crc32c_shift_init.
TESSERA_HIDDEN extern uint32_t tessera_crc32c_shift_long[4][256];
TESSERA_HIDDEN extern uint32_t tessera_crc32c_shift_short[4][256];

// Fills the shift tables (once; safe from any thread).
TESSERA_HIDDEN void tessera_crc32c_shift_init(void);

// The raw CRC `crc` advanced over the table's block of zero bytes.
static inline uint32_t tessera_crc32c_shift(uint32_t table[4][256], uint32_t crc) {
    return table[0][crc & 0xff] ^ table[1][(crc >> 8) & 0xff] ^ table[2][(crc >> 16) & 0xff] ^
           table[3][(crc >> 24) & 0xff];
}

#endif

#ifdef TESSERA_CRC32C_X86
// SSE4.2 `crc32`: the CRC of `len` bytes at `data` continuing from `crc`, copying them to `out` unless NULL.
TESSERA_HIDDEN uint32_t tessera_crc32c_x86(uint32_t crc, unsigned char *out, const void *data, size_t len);
// 1 when the CPU has SSE4.2.
TESSERA_HIDDEN int tessera_crc32c_x86_available(void);
// AVX-512 + VPCLMULQDQ folding over whole 256-byte blocks, the rest through tessera_crc32c_x86 (crc32c_x86_fold.c);
// same contract as tessera_crc32c_x86.
TESSERA_HIDDEN uint32_t tessera_crc32c_x86_fold(uint32_t crc, unsigned char *out, const void *data, size_t len);
// 1 when the CPU (and OS) has AVX-512F/VL, VPCLMULQDQ, PCLMULQDQ and SSE4.2.
TESSERA_HIDDEN int tessera_crc32c_x86_fold_available(void);
#endif

#ifdef TESSERA_CRC32C_ARM
// ARMv8 `crc32c{b,x}`: the CRC of `len` bytes at `data` continuing from `crc`, copying them to `out` unless NULL.
TESSERA_HIDDEN uint32_t tessera_crc32c_arm(uint32_t crc, unsigned char *out, const void *data, size_t len);
// 1 when the CPU has the CRC32 extension (Linux: AT_HWCAP & HWCAP_CRC32).
TESSERA_HIDDEN int tessera_crc32c_arm_available(void);
#endif

#endif
