import TensorWire

/// The rows of one embedding partition: row key → slot in a contiguous arena (values, then optimizer slots),
/// rows created on first touch from the variable's initializer, seeded per (variable seed, row key) so every
/// shard and every restart creates the same initial row. Sync mode keeps a second arena with the current
/// version's per-row gradient sums. Unchecked Sendable: only touched under the owning job's mutex.
final class SparseRows: @unchecked Sendable {
    let spec: PartitionSpec
    /// Floats per row.
    let width: Int
    /// Initial value of each optimizer slot.
    let slotInitialValues: [Float]
    /// Row key → slot in `arena`.
    private(set) var index: [Int64: Int] = [:]
    /// Row key of each slot, in creation order.
    private(set) var keys: [Int64] = []
    /// Array 0: values; arrays 1…: optimizer slots.
    let arena: RowArena
    /// Sync mode: row key → slot in `sums` for the current version.
    private var sumIndex: [Int64: Int] = [:]
    /// Sync mode: row key of each sum slot.
    private var sumKeys: [Int64] = []
    /// Sync mode: the current version's per-row gradient sums.
    private let sums: RowArena?
    /// Sync mode: summed keys without a row yet (created when the version is applied).
    private var pendingRows = 0

    /// An empty table for `spec` under `optimizer`.
    init(spec: PartitionSpec, optimizer: OptimizerConfig, sync: Bool) {
        self.spec = spec
        width = spec.rowWidth
        slotInitialValues = optimizer.slotInitialValues
        arena = RowArena(width: width, arrays: 1 + slotInitialValues.count)
        sums = sync ? RowArena(width: width, arrays: 1) : nil
    }

    /// Rows held.
    var rowCount: Int { keys.count }

    /// Bytes allocated for rows, slots and sums.
    var allocatedBytes: Int { arena.allocatedBytes + (sums?.allocatedBytes ?? 0) }

    /// What holding the rows of some keys would take: the rows and sum slots the arenas must fit, and the bytes
    /// beyond what they have allocated (nil: more than an Int counts).
    struct Growth {
        var rows: Int
        var sums: Int
        var bytes: Int?
    }

    /// The growth needed for the rows of `keyLists` that do not exist yet; `accumulating` (sync pushes): the keys
    /// also get sum slots for this version, and rows when it is applied. Changes nothing.
    func growth(for keyLists: [UnsafeBufferPointer<Int64>], accumulating: Bool) -> Growth {
        var fresh = Set<Int64>()
        var newSums = 0
        if accumulating {
            var summed = Set<Int64>()
            for list in keyLists {
                for k in list where sumIndex[k] == nil && summed.insert(k).inserted {
                    newSums += 1
                    if index[k] == nil { fresh.insert(k) }
                }
            }
        } else {
            for list in keyLists {
                for k in list where index[k] == nil { fresh.insert(k) }
            }
        }
        let rows = keys.count + pendingRows + fresh.count
        let sumRows = sumKeys.count + newSums
        guard let rowBytes = arena.growthBytes(toHold: rows) else { return Growth(rows: rows, sums: sumRows, bytes: nil) }
        let sumBytes = accumulating ? sums?.growthBytes(toHold: sumRows) : 0
        guard let sumBytes, case let (total, false) = rowBytes.addingReportingOverflow(sumBytes) else {
            return Growth(rows: rows, sums: sumRows, bytes: nil)
        }
        return Growth(rows: rows, sums: sumRows, bytes: total)
    }

    /// Grows the arenas to fit `growth` (whose bytes the caller reserved), so no row created next allocates.
    func reserve(_ growth: Growth) {
        arena.reserveCapacity(growth.rows)
        sums?.reserveCapacity(growth.sums)
    }

    /// Nil when `key` may be a row of this variable, else the sentence saying why not (outside a bounded vocabulary).
    static func problem(spec: PartitionSpec, key: Int64) -> String? {
        let vocabulary = spec.variable.shape.dims[0]
        if vocabulary > 0, key < 0 || key >= Int64(vocabulary) {
            return "row key \(key) is outside the vocabulary 0..<\(vocabulary)"
        }
        return nil
    }

    /// The slot of `key` when its row exists; nil when it was never touched.
    func existingSlot(for key: Int64) -> Int? { index[key] }

    /// Writes the values the row of `key` is created with (the initializer, seeded by the key) into `row` (width floats).
    func initialValues(for key: Int64, into row: UnsafeMutableBufferPointer<Float>) {
        spec.variable.initializer.fill(
            row, shape: spec.variable.shape,
            seed: PartitionSpec.rowSeed(variableSeed: spec.seed, row: Int(truncatingIfNeeded: key)))
    }

    /// The slot of `key`, creating and initialising the row on first touch.
    func slot(for key: Int64) -> Int {
        if let s = index[key] { return s }
        let s = arena.append()
        initialValues(for: key, into: UnsafeMutableBufferPointer(start: arena.row(s), count: width))
        for (a, v) in slotInitialValues.enumerated() {
            arena.row(s, array: a + 1).initialize(repeating: v, count: width)
        }
        index[key] = s
        keys.append(key)
        return s
    }

    /// Applies `kernel` to the row of `key` with `grad` (width floats) scaled by `scale`.
    func apply(_ kernel: OptimizerKernel, key: Int64, grad: UnsafePointer<Float>, scale: Float, step: UInt64) {
        let s = slot(for: key)
        kernel.apply(
            values: arena.row(s), slot0: arena.arrays > 1 ? arena.row(s, array: 1) : nil,
            slot1: arena.arrays > 2 ? arena.row(s, array: 2) : nil,
            grad: grad, count: width, scale: scale, step: step)
    }

    /// Async mode: applies one push's rows; rows of a key repeated within the push are summed first.
    func apply(_ kernel: OptimizerKernel, rowKeys: UnsafeBufferPointer<Int64>, rows: UnsafeBufferPointer<Float>, step: UInt64) {
        guard let rowBase = rows.baseAddress, width > 0 else {
            for k in rowKeys { _ = slot(for: k) }
            return
        }
        var first: [Int64: Int] = [:]
        first.reserveCapacity(rowKeys.count)
        var duplicates = false
        for (i, k) in rowKeys.enumerated() where first.updateValue(i, forKey: k) != nil { duplicates = true }
        guard duplicates else {
            for (i, k) in rowKeys.enumerated() { apply(kernel, key: k, grad: rowBase + i * width, scale: 1, step: step) }
            return
        }
        // Sum repeated keys into a scratch buffer (one allocation per push, not per row).
        var order: [Int64] = []
        var position: [Int64: Int] = [:]
        let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: rowKeys.count * width)
        defer { scratch.deallocate() }
        for (i, k) in rowKeys.enumerated() {
            let src = rowBase + i * width
            if let p = position[k] {
                VectorKernels.add(scratch.baseAddress! + p * width, src, width)
            } else {
                position[k] = order.count
                (scratch.baseAddress! + order.count * width).initialize(from: src, count: width)
                order.append(k)
            }
        }
        for (p, k) in order.enumerated() {
            apply(kernel, key: k, grad: scratch.baseAddress! + p * width, scale: 1, step: step)
        }
    }

    /// Sync mode: adds one worker's rows to the current version's per-row sums.
    func accumulate(rowKeys: UnsafeBufferPointer<Int64>, rows: UnsafeBufferPointer<Float>) {
        guard let sums, let rowBase = rows.baseAddress, width > 0 else { return }
        for (i, k) in rowKeys.enumerated() {
            let src = rowBase + i * width
            if let s = sumIndex[k] {
                VectorKernels.add(sums.row(s), src, width)
            } else {
                let s = sums.append()
                sums.row(s).initialize(from: src, count: width)
                sumIndex[k] = s
                sumKeys.append(k)
                if index[k] == nil { pendingRows += 1 }
            }
        }
    }

    /// Sync mode: applies every summed row scaled by `scale` (1 / workers that delivered), in first-touch order.
    func applyAccumulated(_ kernel: OptimizerKernel, scale: Float, step: UInt64) {
        guard let sums else { return }
        for (s, k) in sumKeys.enumerated() {
            apply(kernel, key: k, grad: sums.row(s), scale: scale, step: step)
        }
    }

    /// Replaces every row with `keys` and their `arrays` (values, then slots; `keys.count × width` floats each), for a restore.
    func restore(keys newKeys: [Int64], arrays: [[Float]]) {
        arena.removeAll()
        index.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        for (r, key) in newKeys.enumerated() {
            let s = arena.append()
            for a in 0..<min(arrays.count, arena.arrays) {
                arrays[a].withUnsafeBufferPointer { arena.row(s, array: a).update(from: $0.baseAddress! + r * width, count: width) }
            }
            index[key] = s
            keys.append(key)
        }
        resetAccumulation()
    }

    /// Sync mode: forgets the current version's sums (keeps the memory).
    func resetAccumulation() {
        pendingRows = 0
        sums?.removeAll()
        sumIndex.removeAll(keepingCapacity: true)
        sumKeys.removeAll(keepingCapacity: true)
    }
}
