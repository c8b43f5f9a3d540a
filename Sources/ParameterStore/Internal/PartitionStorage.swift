/// The memory of one partition on a shard: values, optimizer slots and (sync mode) the gradient sum.
/// Unchecked Sendable: every mutable field is only touched under the owning job's mutex.
final class PartitionStorage: @unchecked Sendable {
    /// What this partition is.
    let spec: PartitionSpec
    /// Elements held.
    let count: Int
    /// Current parameter values.
    let values: FloatBuffer
    /// Optimizer slots in `OptimizerConfig.slotNames` order.
    let slots: [FloatBuffer]
    /// Sync mode: sum of the gradients received for the current version (allocated once).
    let sum: FloatBuffer?
    /// Sync mode: whether `sum` holds gradients of the current version (else its contents are left over).
    var summed = false
    /// Embedding partitions: the rows keyed by Int64 (then `count` is 0 and `values` empty).
    let rows: SparseRows?

    /// Allocates and initialises a partition.
    init(spec: PartitionSpec, optimizer: OptimizerConfig, sync: Bool) {
        self.spec = spec
        if spec.isSparse {
            count = 0
            values = FloatBuffer(count: 0, repeating: 0)
            slots = []
            sum = nil
            rows = SparseRows(spec: spec, optimizer: optimizer, sync: sync)
            return
        }
        rows = nil
        count = spec.elementCount
        values = FloatBuffer(count: count, repeating: 0)
        spec.fillInitialValues(values.buffer)
        slots = optimizer.slotInitialValues.map { FloatBuffer(count: spec.elementCount, repeating: $0) }
        sum = sync ? FloatBuffer(count: spec.elementCount, repeating: 0) : nil
    }

    /// Bytes this partition's values occupy.
    var valueBytes: Int { rows.map { $0.rowCount * $0.width * MemoryLayout<Float>.stride } ?? count * MemoryLayout<Float>.stride }
    /// Bytes its slots and sum buffer occupy (embedding partitions: the rest of the arenas' allocation).
    var auxiliaryBytes: Int {
        if let rows { return max(0, rows.allocatedBytes - valueBytes) }
        return (slots.count + (sum == nil ? 0 : 1)) * valueBytes
    }

    /// Bytes a partition of `spec` will need under `optimizer`; nil when they overflow an Int.
    static func plannedBytes(_ spec: PartitionSpec, optimizer: OptimizerConfig, sync: Bool) -> Int? {
        // Embedding rows are created on first touch: they are reserved as they grow.
        if spec.isSparse { return 0 }
        let buffers = 1 + optimizer.slotNames.count + (sync ? 1 : 0)
        let (bytes, overflow) = spec.elementCount.multipliedReportingOverflow(by: buffers * MemoryLayout<Float>.stride)
        return overflow ? nil : bytes
    }

    /// Applies `kernel` with `grad` (scaled by `scale`) to the values and slots.
    func apply(_ kernel: OptimizerKernel, grad: UnsafePointer<Float>, scale: Float, step: UInt64) {
        apply(kernel, grad: grad, elements: 0..<count, scale: scale, step: step)
    }

    /// Applies `kernel` with `grad` (`elements.count` floats, scaled by `scale`) to `elements` of the values and slots.
    func apply(_ kernel: OptimizerKernel, grad: UnsafePointer<Float>, elements: Range<Int>, scale: Float, step: UInt64) {
        let o = elements.lowerBound
        kernel.apply(
            values: values.base + o, slot0: slots.first.map { $0.base + o }, slot1: slots.count > 1 ? slots[1].base + o : nil,
            grad: grad, count: elements.count, scale: scale, step: step
        )
    }

    /// Sync mode: adds a whole gradient to the sum (the version's first one is copied).
    func accumulate(_ grad: UnsafePointer<Float>?) {
        guard let sum, let grad, count > 0 else { return }
        if summed {
            VectorKernels.add(sum.base, grad, count)
        } else {
            VectorKernels.copy(sum.base, grad, count)
            summed = true
        }
    }

    /// Sync mode: adds `elements` (a row chunk) of a gradient to the sum (zeroed first for the version's first one).
    func accumulate(_ grad: UnsafePointer<Float>, elements: Range<Int>) {
        guard let sum else { return }
        if !summed {
            sum.buffer.update(repeating: 0)
            summed = true
        }
        VectorKernels.add(sum.base + elements.lowerBound, grad, elements.count)
    }

    /// Sync mode: forgets the current version's gradients (keeps the memory).
    func resetAccumulation() {
        rows?.resetAccumulation()
        summed = false
    }
}
