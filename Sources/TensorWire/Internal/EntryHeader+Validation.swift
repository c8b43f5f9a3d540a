extension EntryHeader {
    /// Checks the header is self-consistent and within `limits`; `index` names the entry in error messages.
    func validate(index: Int, limits: WireLimits) throws(WireError) {
        let who = "entry \(index) (variable \(variableID))"
        guard shape.rank <= limits.maxRank else {
            throw WireError(.limitExceeded, "\(who): rank \(shape.rank) exceeds the limit of \(limits.maxRank)")
        }
        guard !shape.dims.contains(where: { $0 < 0 }) else {
            throw WireError(.badShape, "\(who): shape \(shape) has a negative dimension")
        }
        guard flags.isSubset(of: .all) else {
            throw WireError(.badFlags, "\(who): flags 0x\(String(flags.rawValue, radix: 16)) use undefined bits")
        }
        guard rowCount >= 0, payloadLength >= 0 else {
            throw WireError(.badLength, "\(who): row count \(rowCount) and payload length \(payloadLength) must not be negative")
        }
        guard rowOffset >= 0, rowOffset == 0 || flags.contains(.rowRange) else {
            throw WireError(.badLength, "\(who): row offset \(rowOffset) needs the rowRange flag")
        }
        guard !flags.contains(.rowRange) || (encoding == .dense && shape.rank >= 1) else {
            throw WireError(.badFlags, "\(who): the rowRange flag is only allowed on dense entries of rank 1 or more")
        }
        guard !flags.contains(.existingRowsOnly) || (encoding == .sparseRows && !hasPayload) else {
            throw WireError(.badFlags, "\(who): the existingRowsOnly flag is only allowed on sparse-rows entries without values (pull requests)")
        }
        guard rowCount <= limits.maxElementsPerEntry else {
            throw WireError(.limitExceeded, "\(who): \(rowCount) row keys exceed the limit of \(limits.maxElementsPerEntry)")
        }
        let elements: Int
        switch encoding {
        case .dense:
            guard rowCount == 0 else {
                throw WireError(.badLength, "\(who): a dense entry has \(rowCount) row keys; it must have none")
            }
            guard let n = shape.checkedElementCount else {
                throw WireError(.badShape, "\(who): shape \(shape) has more elements than an Int can count")
            }
            elements = n
        case .sparseRows:
            guard shape.rank >= 1 else {
                throw WireError(.badShape, "\(who): a sparse-rows entry needs a shape of rank 1 or more, got \(shape)")
            }
            guard let width = Shape(Array(shape.dims.dropFirst())).checkedElementCount else {
                throw WireError(.badShape, "\(who): the rows of shape \(shape) have more elements than an Int can count")
            }
            let (n, o) = rowCount.multipliedReportingOverflow(by: width)
            guard !o else {
                throw WireError(.limitExceeded, "\(who): \(rowCount) rows of \(width) elements overflow an Int")
            }
            elements = n
        }
        guard hasPayload else {
            guard payloadLength == 0 else {
                throw WireError(.badLength, "\(who): flagged no-payload but announces \(payloadLength) payload bytes")
            }
            return
        }
        guard elements <= limits.maxElementsPerEntry else {
            throw WireError(.limitExceeded, "\(who): \(elements) elements exceed the limit of \(limits.maxElementsPerEntry)")
        }
        let (expected, o) = elements.multipliedReportingOverflow(by: dtype.byteWidth)
        guard !o, expected == payloadLength else {
            let what = encoding == .dense ? "shape \(shape)" : "\(rowCount) rows of shape \(shape)"
            throw WireError(
                .badLength,
                "\(who): payload is \(payloadLength) bytes but \(what) of \(dtype.name) needs \(o ? "more than Int.max" : String(expected))")
        }
    }
}
