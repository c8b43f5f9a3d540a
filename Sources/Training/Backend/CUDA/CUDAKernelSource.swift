/// The elementwise and loss kernels of the CUDA backend, compiled by NVRTC when the backend
/// opens. Each mirrors a `CPUBackend` kernel; losses write one value (and one hit flag, −1 for a
/// label that is not a class id) per row, summed on the host in double precision.
enum CUDAKernelSource {
    /// Threads per block of every launch.
    static let blockSize = 256

    /// The kernel names, in the order `CUDAKernels` resolves them.
    static let names = [
        "tessera_add_bias", "tessera_column_sums", "tessera_activate", "tessera_activation_backward", "tessera_multiply",
        "tessera_axpy", "tessera_softmax", "tessera_softmax_xent", "tessera_sigmoid_xent", "tessera_mse",
    ]

    /// CUDA C++ for NVRTC (no headers: only built-ins and the math functions NVRTC provides).
    static let source = #"""
    #define GRID_LOOP(i, n) for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < (n); \
                                 i += (long long)blockDim.x * gridDim.x)

    extern "C" __global__ void tessera_add_bias(float* x, const float* bias, long long count, int width) {
        GRID_LOOP(i, count) { x[i] += bias[i % width]; }
    }

    extern "C" __global__ void tessera_column_sums(const float* x, float* out, long long rows, int width, float beta) {
        GRID_LOOP(c, width) {
            float s = 0.0f;
            for (long long r = 0; r < rows; ++r) s += x[r * width + c];
            out[c] = beta == 0.0f ? s : beta * out[c] + s;
        }
    }

    // kind: 0 relu, 1 sigmoid, 2 tanh, 3 linear (as ActivationFunction's cases).
    extern "C" __global__ void tessera_activate(int kind, const float* x, float* y, long long count) {
        GRID_LOOP(i, count) {
            float v = x[i];
            y[i] = kind == 0 ? (v > 0.0f ? v : 0.0f) : kind == 1 ? 1.0f / (1.0f + expf(-v)) : kind == 2 ? tanhf(v) : v;
        }
    }

    extern "C" __global__ void tessera_activation_backward(int kind, const float* y, const float* dy, float* dx, long long count) {
        GRID_LOOP(i, count) {
            float o = y[i], g = dy[i];
            dx[i] = kind == 0 ? (o > 0.0f ? g : 0.0f) : kind == 1 ? g * o * (1.0f - o) : kind == 2 ? g * (1.0f - o * o) : g;
        }
    }

    extern "C" __global__ void tessera_multiply(const float* a, const float* b, float* c, long long count) {
        GRID_LOOP(i, count) { c[i] = a[i] * b[i]; }
    }

    extern "C" __global__ void tessera_axpy(float alpha, const float* x, float* y, long long count) {
        GRID_LOOP(i, count) { y[i] += alpha * x[i]; }
    }

    extern "C" __global__ void tessera_softmax(const float* logits, float* p, long long rows, int classes) {
        GRID_LOOP(r, rows) {
            const float* x = logits + r * classes;
            float* q = p + r * classes;
            float m = __int_as_float(0xff800000); // -infinity
            for (int j = 0; j < classes; ++j) m = x[j] > m ? x[j] : m;
            float sum = 0.0f;
            for (int j = 0; j < classes; ++j) { float e = expf(x[j] - m); q[j] = e; sum += e; }
            float inv = 1.0f / sum;
            for (int j = 0; j < classes; ++j) q[j] *= inv;
        }
    }

    // grad may be null. rowLoss[r] = loss of row r; rowHit[r] = 1 hit, 0 miss, -1 bad label.
    extern "C" __global__ void tessera_softmax_xent(const float* logits, const float* labels, float* grad, float* rowLoss,
                                                    float* rowHit, long long rows, int classes, float scale) {
        GRID_LOOP(r, rows) {
            const float* x = logits + r * classes;
            float lv = labels[r];
            int label = (int)lv;
            if (!(lv >= 0.0f) || (float)label != lv || label >= classes) { rowLoss[r] = 0.0f; rowHit[r] = -1.0f; continue; }
            float m = __int_as_float(0xff800000); // -infinity
            int best = 0;
            for (int j = 0; j < classes; ++j) if (x[j] > m) { m = x[j]; best = j; }
            float sum = 0.0f;
            if (grad) {
                float* g = grad + r * classes;
                for (int j = 0; j < classes; ++j) { float e = expf(x[j] - m); g[j] = e; sum += e; }
                float inv = scale / sum;
                for (int j = 0; j < classes; ++j) g[j] *= inv;
                g[label] -= scale;
            } else {
                for (int j = 0; j < classes; ++j) sum += expf(x[j] - m);
            }
            rowLoss[r] = logf(sum) - (x[label] - m);
            rowHit[r] = best == label ? 1.0f : 0.0f;
        }
    }

    extern "C" __global__ void tessera_sigmoid_xent(const float* logits, const float* labels, float* grad, float* rowLoss,
                                                    float* rowHit, long long count, float scale) {
        GRID_LOOP(i, count) {
            float x = logits[i], y = labels[i];
            rowLoss[i] = fmaxf(x, 0.0f) - x * y + log1pf(expf(-fabsf(x)));
            rowHit[i] = ((x >= 0.0f) == (y >= 0.5f)) ? 1.0f : 0.0f;
            if (grad) grad[i] = (1.0f / (1.0f + expf(-x)) - y) * scale;
        }
    }

    extern "C" __global__ void tessera_mse(const float* p, const float* t, float* grad, float* rowLoss, float* rowHit,
                                           long long count, float scale) {
        GRID_LOOP(i, count) {
            float d = p[i] - t[i];
            rowLoss[i] = d * d;
            rowHit[i] = 0.0f;
            if (grad) grad[i] = d * scale;
        }
    }
    """#
}
