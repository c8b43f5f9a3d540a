/// The `serving:` section: how many replicas answer predictions for the job's model, and how fresh they stay.
public struct ServingSpec: Sendable, Hashable, Codable {
    /// Replicas the coordinator places on workers that serve (0: none; `clusterctl serve` changes it).
    public var replicas: Int
    /// Least milliseconds between two parameter pulls of a replica while the job trains.
    public var refreshMs: Int

    /// Replicas when the section names none.
    public static let defaultReplicas = 1
    /// Refresh interval when the section names none.
    public static let defaultRefreshMs = 1000

    /// A serving section.
    public init(replicas: Int = defaultReplicas, refreshMs: Int = defaultRefreshMs) {
        self.replicas = replicas
        self.refreshMs = refreshMs
    }

    enum CodingKeys: String, CodingKey {
        case replicas
        case refreshMs = "refresh_ms"
    }

    /// Checks both numbers against `JobSpecLimits` (errors name `serving.replicas` / `serving.refresh_ms`).
    public func check() throws(SpecError) {
        try JobSpecLimits.servingReplicas.check(replicas, at: "serving.replicas")
        try JobSpecLimits.refreshMilliseconds.check(refreshMs, at: "serving.refresh_ms")
    }
}
