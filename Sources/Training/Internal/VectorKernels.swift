#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Vectorised loops on raw pointers: SIMD8 bodies with scalar tails, plain multiply + add (no FMA).
enum VectorKernels {
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// y[i] += x[i].
    static func add(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        var i = 0
        while i + 8 <= n {
            store(load(x + i) + load(y + i), y + i)
            i += 8
        }
        while i < n {
            y[i] += x[i]
            i += 1
        }
    }

    /// y[i] = beta · y[i] (beta 0 writes zeros even over NaN).
    static func scale(_ y: UnsafeMutablePointer<Float>, count n: Int, by beta: Float) {
        if beta == 0 {
            y.update(repeating: 0, count: n)
        } else if beta != 1 {
            var i = 0
            let b = SIMD8<Float>(repeating: beta)
            while i + 8 <= n {
                store(load(y + i) * b, y + i)
                i += 8
            }
            while i < n {
                y[i] *= beta
                i += 1
            }
        }
    }

    /// c[i] = a[i] · b[i].
    static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, count n: Int) {
        var i = 0
        while i + 8 <= n {
            store(load(a + i) * load(b + i), c + i)
            i += 8
        }
        while i < n {
            c[i] = a[i] * b[i]
            i += 1
        }
    }

    /// y[i] = max(x[i], 0).
    static func relu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        var i = 0
        let zero = SIMD8<Float>(repeating: 0)
        while i + 8 <= n {
            let v = load(x + i)
            store(v.replacing(with: zero, where: v .< zero), y + i)
            i += 8
        }
        while i < n {
            y[i] = x[i] > 0 ? x[i] : 0
            i += 1
        }
    }

    /// g[i] = y[i] > 0 ? d[i] : 0.
    static func reluBackward(_ y: UnsafePointer<Float>, _ d: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, count n: Int) {
        var i = 0
        let zero = SIMD8<Float>(repeating: 0)
        while i + 8 <= n {
            let v = load(d + i)
            store(v.replacing(with: zero, where: load(y + i) .<= zero), g + i)
            i += 8
        }
        while i < n {
            g[i] = y[i] > 0 ? d[i] : 0
            i += 1
        }
    }

    /// y[i] = 1 / (1 + e^-x[i]).
    static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        for i in 0..<n { y[i] = 1 / (1 + expf(-x[i])) }
    }

    /// g[i] = d[i] · y[i] · (1 − y[i]).
    static func sigmoidBackward(_ y: UnsafePointer<Float>, _ d: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, count n: Int) {
        var i = 0
        let one = SIMD8<Float>(repeating: 1)
        while i + 8 <= n {
            let v = load(y + i)
            store(load(d + i) * v * (one - v), g + i)
            i += 8
        }
        while i < n {
            g[i] = d[i] * y[i] * (1 - y[i])
            i += 1
        }
    }

    /// y[i] = tanh(x[i]).
    static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        for i in 0..<n { y[i] = tanhf(x[i]) }
    }

    /// g[i] = d[i] · (1 − y[i]²).
    static func tanhBackward(_ y: UnsafePointer<Float>, _ d: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, count n: Int) {
        var i = 0
        let one = SIMD8<Float>(repeating: 1)
        while i + 8 <= n {
            let v = load(y + i)
            store(load(d + i) * (one - v * v), g + i)
            i += 8
        }
        while i < n {
            g[i] = d[i] * (1 - y[i] * y[i])
            i += 1
        }
    }
}
