#ifndef CCRC32C_H
#define CCRC32C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// CRC-32C (Castagnoli) of `len` bytes at `data`, continuing from `crc` (0 to start; pass a
/// previous result to checksum data in pieces). Uses carry-less folding (AVX-512 + VPCLMULQDQ) or
/// the CPU's CRC32C instruction when it has them (SSE4.2 on x86-64, the ARMv8 CRC32 extension on
/// AArch64, detected at run time), otherwise a portable slicing-by-8 table implementation.
uint32_t tessera_crc32c(uint32_t crc, const void *data, size_t len);

/// Copies `len` bytes from `src` to `dst` (not overlapping) and returns their CRC-32C continuing
/// from `crc`, reading the source once: the same result as `tessera_crc32c(crc, src, len)` after a
/// memcpy, at about the cost of the checksum alone.
uint32_t tessera_crc32c_copy(uint32_t crc, void *dst, const void *src, size_t len);

/// The portable slicing-by-8 implementation (exposed for tests and benchmarks).
uint32_t tessera_crc32c_software(uint32_t crc, const void *data, size_t len);

/// 1 when `tessera_crc32c` uses the hardware instruction on this machine, 0 otherwise.
int tessera_crc32c_hardware_available(void);

/// 1 when `tessera_crc32c` folds inputs of 256 bytes and more with carry-less multiplication (x86-64
/// with AVX-512 and VPCLMULQDQ), 0 otherwise.
int tessera_crc32c_folding_available(void);

/// The CRC instruction's path alone (no folding; the portable loop without the instruction), copying to
/// `dst` unless NULL: the same result as `tessera_crc32c`, for tests and benchmarks of each path.
uint32_t tessera_crc32c_streams(uint32_t crc, void *dst, const void *src, size_t len);

#ifdef __cplusplus
}
#endif

#endif
