import TensorWire
import Testing

@testable import Coordinator

@Suite struct PlacementTests {
    let shards = (1...3).map { ShardTarget(nodeID: NodeID(UInt64($0)), address: "ps\($0):7000") }

    func dense(_ name: String, _ dims: [Int]) -> VariableSpec { VariableSpec(name: name, shape: Shape(dims)) }

    @Test func smallDenseVariablesAreBalancedGreedily() throws {
        // Bytes: 400, 300, 200, 200, 100 → largest first on the least-loaded shard.
        let vars = [dense("a", [100]), dense("b", [75]), dense("c", [50]), dense("d", [50]), dense("e", [25])]
        let p = try Placement.plan(variables: vars, shards: shards)
        #expect(p.partitions.count == 5)
        #expect(p.partitions.map(\.variableID) == [0, 1, 2, 3, 4])
        let shardOf = Dictionary(uniqueKeysWithValues: p.partitions.map { ($0.variable.name, $0.shard.nodeID) })
        #expect(shardOf["a"] == 1)
        #expect(shardOf["b"] == 2)
        #expect(shardOf["c"] == 3)
        #expect(shardOf["d"] == 3)  // shard 3 had 200 < 300
        #expect(shardOf["e"] == 2)  // 300 vs 400 vs 400 → shard 2
        #expect(p.bytesPerShard == [400, 400, 400])
        #expect(p.partitions.allSatisfy { $0.partition == 0 && $0.rowOffset == 0 })
    }

    @Test func greedyBalanceStaysWithinTheLargestVariable() throws {
        var rng = SeededGenerator(seed: 11)
        let vars = (0..<40).map { i in dense("v\(i)", [1 + Int(rng.next() % 5000)]) }
        let p = try Placement.plan(variables: vars, shards: shards)
        let loads = p.bytesPerShard
        let largest = vars.map(\.byteCount).max() ?? 0
        #expect(loads.reduce(0, +) == vars.map(\.byteCount).reduce(0, +))
        #expect((loads.max() ?? 0) - (loads.min() ?? 0) <= largest)
    }

    @Test func largeDenseVariablesArePartitionedAlongDim0() throws {
        let big = dense("emb_like", [1001, 1024])  // ~4 MB > 1 MiB threshold
        let p = try Placement.plan(variables: [dense("bias", [10]), big], shards: shards, partitionThresholdBytes: 1 << 20)
        let parts = p.partitions(ofVariable: 1)
        #expect(parts.count == 3)
        #expect(parts.map(\.partition) == [0, 1, 2])
        #expect(parts.map(\.rowCount) == [334, 334, 333])
        // Row ranges cover dim 0 exactly once, in order.
        var next = 0
        for part in parts {
            #expect(part.rowOffset == next)
            next += part.rowCount
            #expect(part.bytes == part.rowCount * 1024 * 4)
        }
        #expect(next == 1001)
        #expect(Set(parts.map(\.shard.nodeID)).count == 3)
        // The small variable goes to the least-loaded shard afterwards (shard 3 holds 333 rows).
        #expect(p.partitions(ofVariable: 0).first?.shard.nodeID == 3)
    }

    @Test(arguments: [(1, 1), (7, 3), (3, 3), (2, 3), (1000, 7), (0, 2)])
    func rowRangesCoverExactlyOnce(rows: Int, parts: Int) {
        let ranges = Placement.rowRanges(rows: rows, parts: parts)
        #expect(ranges.count == parts)
        #expect(ranges.first?.lowerBound == 0)
        #expect(ranges.last?.upperBound == rows)
        for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
        let counts = ranges.map(\.count)
        #expect((counts.max() ?? 0) - (counts.min() ?? 0) <= 1)
    }

    @Test func variableWithFewerRowsThanShardsUsesFewerPartitions() throws {
        let p = try Placement.plan(variables: [dense("wide", [2, 1 << 20])], shards: shards, partitionThresholdBytes: 1 << 20)
        #expect(p.partitions.count == 2)
        #expect(p.partitions.map(\.rowCount) == [1, 1])
    }

    @Test func embeddingsAreHashPartitionedOnEveryShard() throws {
        let emb = VariableSpec(name: "user_emb", shape: Shape([0, 16]), kind: .embedding)
        let hinted = VariableSpec(name: "item_emb", shape: Shape([300, 8]), kind: .embedding)
        let p = try Placement.plan(variables: [emb, hinted, dense("w", [16])], shards: shards)
        let e = p.partitions(ofVariable: 0)
        #expect(e.map(\.partition) == [0, 1, 2])
        #expect(e.map(\.shard) == shards)
        #expect(e.allSatisfy { $0.bytes == 0 && $0.rowCount == 0 })
        #expect(p.partitions(ofVariable: 1).map(\.bytes) == [100 * 8 * 4, 100 * 8 * 4, 100 * 8 * 4])
    }

    @Test func rowKeyHashIsStableAndSpreads() {
        #expect(Placement.shardIndex(forRowKey: 12345, shardCount: 1) == 0)
        #expect(Placement.shardIndex(forRowKey: 12345, shardCount: 0) == 0)
        var counts = [Int](repeating: 0, count: 4)
        for key in Int64(0)..<40_000 {
            let s = Placement.shardIndex(forRowKey: key, shardCount: 4)
            #expect((0..<4).contains(s))
            counts[s] += 1
        }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 500 })
        #expect(Placement.shardIndex(forRowKey: -7, shardCount: 5) == Placement.shardIndex(forRowKey: -7, shardCount: 5))
        // Pinned values: the partitioner is part of the wire contract between runs and processes.
        #expect((0..<8).map { Placement.shardIndex(forRowKey: Int64($0), shardCount: 3) } == pinnedShardIndices)
    }

    @Test func planIsDeterministic() throws {
        let vars = (0..<20).map { dense("v\($0)", [($0 * 37) % 11 + 1, 3]) } + [dense("big", [5000, 300])]
        let a = try Placement.plan(variables: vars, shards: shards, partitionThresholdBytes: 1 << 20)
        let b = try Placement.plan(variables: vars, shards: shards, partitionThresholdBytes: 1 << 20)
        #expect(a == b)
    }

    @Test func rejectsBadInput() {
        #expect(throws: CoordinatorError.self) { try Placement.plan(variables: [dense("a", [1])], shards: []) }
        #expect(throws: CoordinatorError.self) { try Placement.plan(variables: [dense("a", [1]), dense("a", [2])], shards: shards) }
        #expect(throws: CoordinatorError.self) { try Placement.plan(variables: [dense("a", [-1])], shards: shards) }
        #expect(throws: CoordinatorError.self) { try Placement.plan(variables: [dense("", [1])], shards: shards) }
        #expect(throws: CoordinatorError.self) { try Placement.plan(variables: [dense("a", [Int.max, 2])], shards: shards) }
        let emb = VariableSpec(name: "e", shape: Shape([10]), kind: .embedding)
        #expect(throws: CoordinatorError.self) { try Placement.plan(variables: [emb], shards: shards) }
    }
}

/// Shard indices of keys 0..<8 over 3 shards (fixed once; changing them breaks existing embeddings).
let pinnedShardIndices = [1, 2, 1, 0, 1, 2, 2, 0]
