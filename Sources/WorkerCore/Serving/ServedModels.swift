import Synchronization

/// The models a prediction server answers for, by the name clients put in `/v1/models/<name>`: a workerd's replicas
/// come and go as the coordinator places them, each under its job's name and its job id (`job-7`, which stays
/// unambiguous when two served jobs share a name: the name then means the newer job).
public final class ServedModels: Sendable {
    private let table: Mutex<[String: Entry]>

    private struct Entry: Sendable {
        let predictor: Predictor
        /// Higher wins a name two entries share (the job number).
        let rank: UInt64
    }

    /// An empty table.
    public init() { table = Mutex([:]) }

    /// A table of one model under `name`.
    public convenience init(name: String, predictor: Predictor) {
        self.init()
        add(predictor, names: [name])
    }

    /// Answers `names` with `predictor`; a name held by an entry of higher `rank` keeps it.
    public func add(_ predictor: Predictor, names: [String], rank: UInt64 = 0) {
        table.withLock { table in
            for name in names where (table[name]?.rank ?? 0) <= rank { table[name] = Entry(predictor: predictor, rank: rank) }
        }
    }

    /// Stops answering with `predictor` under any name.
    public func remove(_ predictor: Predictor) {
        table.withLock { table in table = table.filter { $0.value.predictor !== predictor } }
    }

    /// The model served under `name`.
    public func predictor(named name: String) -> Predictor? { table.withLock { $0[name]?.predictor } }

    /// Every name served, sorted.
    public var names: [String] { table.withLock { $0.keys.sorted() } }
}
