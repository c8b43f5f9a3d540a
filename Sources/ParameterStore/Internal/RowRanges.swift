/// Rows of one partition one worker has delivered in chunks for the current version: sorted, disjoint, non-adjacent
/// ranges (adjacent ones are merged, so chunks sent in order stay one range).
struct RowRanges: Sendable, Equatable {
    /// The ranges, ascending.
    private(set) var ranges: [Range<Int>] = []
    /// Rows covered.
    private(set) var rows = 0

    /// The index of the first range ending after `row` (`ranges.count` when none does).
    private func firstEnding(after row: Int) -> Int {
        var low = 0, high = ranges.count
        while low < high {
            let mid = (low + high) / 2
            if ranges[mid].upperBound > row { high = mid } else { low = mid + 1 }
        }
        return low
    }

    /// Whether every row of the non-empty `r` is covered.
    func contains(_ r: Range<Int>) -> Bool {
        let i = firstEnding(after: r.lowerBound)
        return !r.isEmpty && i < ranges.count && ranges[i].lowerBound <= r.lowerBound && r.upperBound <= ranges[i].upperBound
    }

    /// Whether any row of `r` is covered.
    func overlaps(_ r: Range<Int>) -> Bool {
        let i = firstEnding(after: r.lowerBound)
        return !r.isEmpty && i < ranges.count && ranges[i].lowerBound < r.upperBound
    }

    /// Adds `r`, which must not overlap (`overlaps(r)` false); an empty range changes nothing.
    mutating func insert(_ r: Range<Int>) {
        guard !r.isEmpty, !overlaps(r) else { return }
        let i = firstEnding(after: r.lowerBound)
        let joinsPrevious = i > 0 && ranges[i - 1].upperBound == r.lowerBound
        let joinsNext = i < ranges.count && ranges[i].lowerBound == r.upperBound
        switch (joinsPrevious, joinsNext) {
        case (true, true):
            ranges[i - 1] = ranges[i - 1].lowerBound..<ranges[i].upperBound
            ranges.remove(at: i)
        case (true, false): ranges[i - 1] = ranges[i - 1].lowerBound..<r.upperBound
        case (false, true): ranges[i] = r.lowerBound..<ranges[i].upperBound
        case (false, false): ranges.insert(r, at: i)
        }
        rows += r.count
    }
}
