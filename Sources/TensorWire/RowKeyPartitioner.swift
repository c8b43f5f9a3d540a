/// The one rule that maps an embedding row key to the shard (and embedding partition) holding it, shared by the
/// coordinator's placement and the workers' clients so they can never disagree.
public enum RowKeyPartitioner {
    /// The shard index in 0 ..< shardCount owning `key`; stable across processes, runs and platforms (SplitMix64 finaliser mod shardCount).
    public static func shardIndex(forRowKey key: Int64, shardCount: Int) -> Int {
        guard shardCount > 1 else { return 0 }
        // SplitMix64 finaliser: spreads consecutive ids evenly.
        var z = UInt64(bitPattern: key) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z % UInt64(shardCount))
    }
}
