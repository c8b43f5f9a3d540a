@testable import ParameterStore
import Testing

/// The aggregation rule as a value: each action it answers, without a shard around it.
@Suite struct AggregationStateMachineTests {
    typealias Part = Delivery.Part

    /// Sync N of N + b over a dense partition of 4 rows (0), a dense one of 1 row (1) and an embedding (2).
    func sync(_ n: Int, backups: Int = 0) -> AggregationStateMachine {
        AggregationStateMachine(mode: .sync(replicas: n, backups: backups), partitionRows: [4, 1, nil], denseRowTotal: 5)
    }

    let whole = [Part(partition: 0), Part(partition: 1), Part(partition: 2)]

    func push(_ worker: UInt32, _ parts: [Part], at version: UInt64 = 0) -> Delivery {
        Delivery(worker: worker, version: version, parts: parts)
    }

    @Test func theFirstWorkersAccumulateAndTheNthApplies() {
        var m = sync(2, backups: 1)
        #expect(m.deliver(push(0, whole)) == .accumulate(parts: [0, 1, 2], count: 1, needed: 2))
        #expect(m.version == 0)
        let averages = [Average(partition: 0, rows: 0..<4, count: 2), Average(partition: 1, rows: 0..<1, count: 2), Average(partition: 2, rows: 0..<1, count: 2)]
        #expect(m.deliver(push(1, whole)) == .apply(Update(summed: [0, 1, 2], averages: averages, step: 0, newVersion: 1)))
        #expect(m.version == 1 && m.completedWorkers == 0)
    }

    @Test func theBackupsLateGradientIsStale() {
        var m = sync(1, backups: 1)
        _ = m.deliver(push(0, whole))
        #expect(m.deliver(push(1, whole, at: 0)) == .dropStale(staleBy: 1))
        #expect(m.deliver(push(1, [Part(partition: 0)], at: 1)) == .accumulate(parts: [0], count: 0, needed: 1))
    }

    @Test func aWorkerRepeatingWhatItDeliveredIsADuplicate() {
        var m = sync(3)
        #expect(m.deliver(push(0, [Part(partition: 0), Part(partition: 2)])) == .accumulate(parts: [0, 1], count: 0, needed: 3))
        #expect(m.deliver(push(0, [Part(partition: 2)])) == .duplicate)
        // Partly new: only the new part is taken.
        #expect(m.deliver(push(0, [Part(partition: 0), Part(partition: 1)])) == .accumulate(parts: [1], count: 1, needed: 3))
        #expect(m.deliver(push(0, whole)) == .duplicate)
    }

    @Test func aChunkDeliveredAgainIsADuplicateAndOverlapsAreRefused() {
        var m = sync(2)
        #expect(m.deliver(push(0, [Part(partition: 0, rows: 0..<2)])) == .accumulate(parts: [0], count: 0, needed: 2))
        #expect(m.deliver(push(0, [Part(partition: 0, rows: 0..<2)])) == .duplicate)
        #expect(m.deliver(push(0, [Part(partition: 0, rows: 1..<2)])) == .duplicate)
        #expect(m.deliver(push(0, [Part(partition: 0, rows: 1..<3)])) == .refuse(.overlapping(part: 0)))
        #expect(m.deliver(push(0, [Part(partition: 0)])) == .refuse(.overlapping(part: 0)))
        #expect(m.deliver(push(0, [Part(partition: 0, rows: 2..<4), Part(partition: 1), Part(partition: 2)])) == .accumulate(parts: [0, 1, 2], count: 1, needed: 2))
        #expect(m.deliver(push(0, [Part(partition: 0, rows: 3..<4)])) == .duplicate)
    }

    @Test func aPushRepeatingAPartitionOrRowsIsRefusedWhole() {
        var m = sync(2)
        #expect(m.deliver(push(0, [Part(partition: 1), Part(partition: 1)])) == .refuse(.repeated(part: 1)))
        #expect(m.deliver(push(0, [Part(partition: 0, rows: 0..<2), Part(partition: 0, rows: 1..<3)])) == .refuse(.repeated(part: 1)))
        #expect(m.deliver(push(0, [Part(partition: 0), Part(partition: 0, rows: 0..<1)])) == .refuse(.repeated(part: 1)))
        #expect(m.deliver(push(0, [Part(partition: 0, rows: 3..<5)])) == .refuse(.outside(part: 0)))
        #expect(m.deliver(push(0, [Part(partition: 2, rows: 0..<1)])) == .refuse(.outside(part: 0)))
        #expect(m.deliver(push(0, whole, at: 1)) == .refuse(.futureVersion(current: 0)))
        // Nothing of the refused pushes was taken; disjoint chunks of one partition in one push are fine.
        #expect(m.deliver(push(0, [Part(partition: 0, rows: 2..<4), Part(partition: 0, rows: 0..<2)])) == .accumulate(parts: [0, 1], count: 0, needed: 2))
    }

    @Test func chunksLeftInTooManyRangesAreRefused() {
        var m = AggregationStateMachine(mode: .sync(replicas: 1, backups: 0), partitionRows: [10_000], denseRowTotal: 10_000)
        for r in 0..<AggregationStateMachine.maxRowRanges {
            #expect(m.deliver(push(0, [Part(partition: 0, rows: (2 * r)..<(2 * r + 1))])) == .accumulate(parts: [0], count: 0, needed: 1))
        }
        #expect(m.deliver(push(0, [Part(partition: 0, rows: 9_999..<10_000)])) == .refuse(.fragmented(part: 0)))
    }

    @Test func chunksOfAWorkerThatIsNotCompleteAreAveragedOverTheirRows() {
        var m = sync(2, backups: 1)
        _ = m.deliver(push(2, [Part(partition: 0, rows: 1..<3)]))
        _ = m.deliver(push(0, whole))
        guard case .apply(let update) = m.deliver(push(1, whole)) else {
            Issue.record("no update")
            return
        }
        #expect(update.averages == [
            Average(partition: 0, rows: 0..<1, count: 2), Average(partition: 0, rows: 1..<3, count: 3), Average(partition: 0, rows: 3..<4, count: 2),
            Average(partition: 1, rows: 0..<1, count: 2), Average(partition: 2, rows: 0..<1, count: 2),
        ])
    }

    @Test func changingNAppliesWhenEnoughWorkersAreComplete() {
        var m = sync(3, backups: 1)
        _ = m.deliver(push(0, whole))
        _ = m.deliver(push(1, [Part(partition: 0)]))
        #expect(m.setEffectiveReplicas(2) == .accumulate(parts: [], count: 1, needed: 2))
        #expect(m.setEffectiveReplicas(1) == .apply(Update(averages: [
            Average(partition: 0, rows: 0..<4, count: 2), Average(partition: 1, rows: 0..<1, count: 1), Average(partition: 2, rows: 0..<1, count: 1),
        ], step: 0, newVersion: 1)))
        #expect(m.version == 1 && m.effectiveReplicas == 1)
        #expect(m.setEffectiveReplicas(4) == .accumulate(parts: [], count: 0, needed: 4))
        #expect(m.setEffectiveReplicas(5) == .refuse(.replicasOutOfRange(limit: 4, got: 5)))
        #expect(m.setEffectiveReplicas(0) == .refuse(.replicasOutOfRange(limit: 4, got: 0)))
        #expect(m.effectiveReplicas == 4)
    }

    @Test func asyncAppliesEveryFreshPush() {
        var m = AggregationStateMachine(mode: .async(maxStaleness: 1), partitionRows: [4, 1, nil], denseRowTotal: 5)
        #expect(m.deliver(push(0, whole)) == .apply(Update(direct: [0, 1, 2], step: 0, newVersion: 1)))
        #expect(m.deliver(push(0, whole)) == .apply(Update(direct: [0, 1, 2], step: 1, newVersion: 2)))
        #expect(m.deliver(push(1, [Part(partition: 1)], at: 0)) == .dropStale(staleBy: 2))
        #expect(m.deliver(push(1, [Part(partition: 1)], at: 1)) == .apply(Update(direct: [0], step: 2, newVersion: 3)))
        #expect(m.setEffectiveReplicas(1) == .refuse(.notSync))
    }

    @Test func asyncChunkedPushesMoveTheVersionOnceTheirRowsAreIn() {
        var m = AggregationStateMachine(mode: .async(maxStaleness: nil), partitionRows: [4, 1, nil], denseRowTotal: 5)
        #expect(m.deliver(push(0, [Part(partition: 0, rows: 0..<3)])) == .apply(Update(direct: [0], step: 0, newVersion: nil)))
        #expect(m.deliver(push(1, [Part(partition: 0, rows: 0..<4)])) == .apply(Update(direct: [0], step: 0, newVersion: nil)))
        #expect(m.deliver(push(0, [Part(partition: 0, rows: 3..<4), Part(partition: 1, rows: 0..<1)])) == .apply(Update(direct: [0, 1], step: 0, newVersion: 1)))
        #expect(m.deliver(push(1, [Part(partition: 1, rows: 0..<1)], at: 0)) == .apply(Update(direct: [0], step: 1, newVersion: 2)))
    }

    @Test func restartingForgetsTheVersionsDeliveries() {
        var m = sync(2)
        _ = m.deliver(push(0, whole))
        m.restart(at: 7)
        #expect(m.version == 7 && m.completedWorkers == 0)
        #expect(m.deliver(push(0, whole, at: 7)) == .accumulate(parts: [0, 1, 2], count: 1, needed: 2))
    }
}
