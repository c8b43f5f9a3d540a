// Zero-append operators (Mark Adler's method): the hardware paths run three independent streams to hide
// the CRC instruction's latency and combine the partial CRCs by advancing one over the next block's
// worth of zero bytes, a table lookup per CRC byte.

#include "crc32c_internal.h"

#if defined(TESSERA_CRC32C_X86) || defined(TESSERA_CRC32C_ARM)

#include <pthread.h>
#include <string.h>

uint32_t tessera_crc32c_shift_long[4][256];
uint32_t tessera_crc32c_shift_short[4][256];
static pthread_once_t shift_once = PTHREAD_ONCE_INIT;

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
    odd[0] = TESSERA_CRC32C_POLY;
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
    zeros_table(tessera_crc32c_shift_long, TESSERA_CRC32C_LONG_BLOCK);
    zeros_table(tessera_crc32c_shift_short, TESSERA_CRC32C_SHORT_BLOCK);
}

void tessera_crc32c_shift_init(void) { pthread_once(&shift_once, init_shift_tables); }

#endif
