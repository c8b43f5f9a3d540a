import Testing

@testable import Coordinator

/// Change sets merged for one store write (group commit): a list merges to what folding them pairwise gives, and
/// a later write or deletion of a row wins over an earlier one.
@Suite struct ChangeMergeTests {
    @Test func aListMergesLikeFoldingItPairwiseWithTheNewestRowWinning() throws {
        var t = try TestCluster()
        var sets: [CoordinatorChanges] = [t.c.takeChanges()]
        let first = try t.c.submit(asyncSpec(epochs: 1), now: 1).id
        sets.append(t.c.takeChanges())
        let second = try t.c.submit(asyncSpec(epochs: 1), now: 2).id
        sets.append(t.c.takeChanges())
        _ = try t.c.cancel(first, now: 3)
        sets.append(t.c.takeChanges())
        _ = try t.c.cancel(second, now: 4)
        _ = try t.c.delete(second, force: false, now: 5)
        sets.append(t.c.takeChanges())

        let merged = try #require(CoordinatorChanges.merged(sets))
        let folded = sets.dropFirst().reduce(sets[0]) { $0.merged(with: $1) }
        #expect(merged == folded)
        #expect(merged.jobs.map(\.id) == [first])
        #expect(merged.jobs.first?.state == .cancelled, "the newest version of a row is written")
        #expect(merged.deletedJobs == [second], "a row deleted later is not written")
        #expect(merged.nextJobID == sets.last?.nextJobID)
        #expect(merged.nodes.count == sets[0].nodes.count)
        #expect(CoordinatorChanges.merged([]) == nil)
        #expect(CoordinatorChanges.merged([sets[2]]) == sets[2])
    }
}
