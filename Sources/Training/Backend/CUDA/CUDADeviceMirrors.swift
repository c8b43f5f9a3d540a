/// Device copies of host tensor storages for the steps a `CUDABackend` runs on the GPU.
///
/// Each storage a step touches gets a device buffer of the same size, kept across steps while
/// the storage is in use. Within a step the mirror tracks which element ranges hold current
/// values: a kernel's read of a range that is not current uploads it from host memory first, a
/// kernel's write makes its range current. Every range is stale again when the next step
/// begins, because the host may have rewritten any storage between steps.
final class CUDADeviceMirrors {
    private struct Mirror {
        let storage: TensorStorage
        let pointer: UnsafeMutableRawPointer
        var current: [Range<Int>] = []
        var lastStep: UInt64
    }

    private let libs: CUDALibraries
    private var mirrors: [ObjectIdentifier: Mirror] = [:]
    private var step: UInt64 = 0
    /// Bytes copied host → device and device → host since the backend opened.
    private(set) var uploadedBytes = 0, downloadedBytes = 0
    /// Steps a mirror may go unused before its device buffer is freed.
    static let idleStepsBeforeFree: UInt64 = 4

    init(libs: CUDALibraries) { self.libs = libs }

    /// Starts a step: every range is stale.
    func beginStep() {
        step &+= 1
        for key in mirrors.keys { mirrors[key]?.current.removeAll(keepingCapacity: true) }
    }

    /// Ends a step: frees the buffers of storages no step used lately.
    func endStep() {
        for (key, mirror) in mirrors where step &- mirror.lastStep > Self.idleStepsBeforeFree {
            _ = libs.free(mirror.pointer)
            mirrors[key] = nil
        }
    }

    /// The device address of `tensor`'s first element, uploading its elements first unless current.
    func read(_ tensor: Tensor) throws -> UnsafeMutableRawPointer {
        let key = try ensure(tensor.storage)
        let range = tensor.offset..<(tensor.offset + tensor.count)
        let base = mirrors[key]!.pointer
        if !mirrors[key]!.current.contains(where: { $0.lowerBound <= range.lowerBound && range.upperBound <= $0.upperBound }) {
            try libs.check(libs.memcpy(base + range.lowerBound * 4, tensor.baseAddress, range.count * 4, CUDALibraries.hostToDevice),
                           "cudaMemcpy (upload \(range.count * 4) bytes)")
            uploadedBytes += range.count * 4
            markCurrent(key, range)
        }
        return base + range.lowerBound * 4
    }

    /// The device address of `tensor`'s first element for a kernel that overwrites all of it.
    func write(_ tensor: Tensor) throws -> UnsafeMutableRawPointer {
        let key = try ensure(tensor.storage)
        markCurrent(key, tensor.offset..<(tensor.offset + tensor.count))
        return mirrors[key]!.pointer + tensor.offset * 4
    }

    /// Copies `tensor`'s device elements back to host memory (they must be current).
    func download(_ tensor: Tensor) throws {
        let pointer = try read(tensor)
        try libs.check(libs.memcpy(tensor.baseAddress, pointer, tensor.count * 4, CUDALibraries.deviceToHost),
                       "cudaMemcpy (download \(tensor.count * 4) bytes)")
        downloadedBytes += tensor.count * 4
    }

    /// Frees every device buffer.
    func freeAll() {
        for mirror in mirrors.values { _ = libs.free(mirror.pointer) }
        mirrors.removeAll()
    }

    private func ensure(_ storage: TensorStorage) throws -> ObjectIdentifier {
        let key = ObjectIdentifier(storage)
        if mirrors[key] == nil {
            var pointer: UnsafeMutableRawPointer?
            try libs.check(libs.malloc(&pointer, max(storage.count, 1) * 4), "cudaMalloc(\(max(storage.count, 1) * 4) bytes)")
            guard let pointer else { throw TrainingError(.unsupported, "CUDA: cudaMalloc returned no memory") }
            mirrors[key] = Mirror(storage: storage, pointer: pointer, lastStep: step)
        }
        mirrors[key]!.lastStep = step
        return key
    }

    /// Adds `range` to the current ranges of a mirror, merging overlapping and adjacent ones.
    private func markCurrent(_ key: ObjectIdentifier, _ range: Range<Int>) {
        guard !range.isEmpty else { return }
        var merged = range
        var kept: [Range<Int>] = []
        for r in mirrors[key]!.current {
            if r.upperBound < merged.lowerBound || merged.upperBound < r.lowerBound {
                kept.append(r)
            } else {
                merged = min(r.lowerBound, merged.lowerBound)..<max(r.upperBound, merged.upperBound)
            }
        }
        kept.append(merged)
        mirrors[key]!.current = kept
    }
}
