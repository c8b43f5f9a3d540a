import Foundation
import TensorWire
@testable import Training

/// Helpers shared by the Training tests.
enum TestSupport {
    /// A tensor of `dims` with uniform values in [lo, hi), fixed by `seed`; values with |x| < gap are pushed away from 0.
    static func random(_ dims: [Int], seed: UInt64, lo: Float = -1, hi: Float = 1, gap: Float = 0) -> Tensor {
        let t = Tensor(zeros: Shape(dims))
        var rng = SeededGenerator(seed: seed)
        t.withUnsafeMutableBufferPointer { b in
            for i in b.indices {
                var v = lo + (hi - lo) * rng.nextUnitFloat()
                if abs(v) < gap { v = v < 0 ? v - gap : v + gap }
                b[i] = v
            }
        }
        return t
    }

    /// Σ a ⊙ b in double precision.
    static func dot(_ a: Tensor, _ b: Tensor) -> Double {
        var s = 0.0
        let x = a.toArray(), y = b.toArray()
        for i in x.indices { s += Double(x[i]) * Double(y[i]) }
        return s
    }

    /// Central-difference gradient of `f` with respect to every element of `t` (perturbed in place, restored).
    static func numericGradient(of t: Tensor, eps: Float = 1e-2, _ f: () throws -> Double) rethrows -> [Double] {
        var out: [Double] = []
        for i in 0..<t.count {
            let p = t.baseAddress + i
            let saved = p.pointee
            p.pointee = saved + eps
            let plus = try f()
            p.pointee = saved - eps
            let minus = try f()
            p.pointee = saved
            out.append((plus - minus) / (2 * Double(eps)))
        }
        return out
    }

    /// True when every pair agrees within `tol` relative to max(1, |analytic|).
    static func close(_ analytic: [Float], _ numeric: [Double], tol: Double = 2e-2) -> Bool {
        guard analytic.count == numeric.count else { return false }
        for (a, n) in zip(analytic, numeric) where abs(Double(a) - n) > tol * max(1, abs(n)) {
            return false
        }
        return true
    }

    /// The data root for dataset tests: $TESSERA_DATA_ROOT, else ../shared/data from the package root, else nil.
    static var dataRoot: URL? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["TESSERA_DATA_ROOT"], fm.fileExists(atPath: env) {
            return URL(fileURLWithPath: env)
        }
        // This file is Tests/TrainingTests/TestSupport.swift: the package root is two levels up.
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidate = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
        return fm.fileExists(atPath: candidate.path) ? candidate : nil
    }

    /// Whether the data root holds adult/adult.csv.gz (the census tests are skipped without it).
    static var hasAdult: Bool { hasData("adult/adult.csv.gz") }

    /// Whether the data root holds the four MNIST IDX files (the MNIST tests are skipped without them).
    static var hasMNIST: Bool {
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
            .allSatisfy { hasData("mnist/" + $0) }
    }

    /// Whether `relativePath` exists under the data root.
    static func hasData(_ relativePath: String) -> Bool {
        guard let root = dataRoot else { return false }
        return FileManager.default.fileExists(atPath: root.appendingPathComponent(relativePath).path)
    }

    /// What the CUDA backend said when asked for device 0, found once per test run.
    struct CUDAProbe: Sendable {
        /// Why there is no CUDA backend here (no libcudart/libcublas or no GPU), nil when there is one.
        var unavailable: TrainingError?
        /// Whether it runs whole model steps on the device (its kernels loaded).
        var runsStepsOnDevice = false
    }

    /// The CUDA probe (the CUDA tests are skipped without a device).
    static let cuda: CUDAProbe = {
        do {
            let backend = try CUDABackend(device: 0)
            print("CUDA backend: \(backend.details)")
            return CUDAProbe(unavailable: nil, runsStepsOnDevice: backend.runsStepsOnDevice)
        } catch let error as TrainingError {
            return CUDAProbe(unavailable: error)
        } catch {
            return CUDAProbe(unavailable: TrainingError(.unsupported, "CUDA: \(error)"))
        }
    }()

    /// Whether a CUDA device and its libraries are usable here.
    static var hasCUDA: Bool { cuda.unavailable == nil }

    /// Why NVRTC (the CUDA kernel compiler, usable without a GPU) cannot be loaded here, nil when it can.
    static let nvrtcUnavailable: TrainingError? = {
        do {
            _ = try CUDAKernelLibraries.Compiler.load()
            return nil
        } catch let error as TrainingError {
            return error
        } catch {
            return TrainingError(.unsupported, "NVRTC: \(error)")
        }
    }()

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-training-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
