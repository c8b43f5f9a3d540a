/// What a worker is told to do for a job; polled until `placement` is present.
public struct TaskAssignment: Sendable, Hashable, Codable {
    /// The job.
    public var jobID: JobID
    /// The job's spec.
    public var spec: JobSpec
    /// This worker's index (reads data shard `workerIndex` of `workerCount`).
    public var workerIndex: Int
    /// Number of worker tasks.
    public var workerCount: Int
    /// The placement, present once the shards hold the variables (the job is RUNNING).
    public var placement: Placement?
    /// Whether the chief has already declared the variables (non-chiefs and a restarted chief wait for `placement`).
    public var variablesDeclared: Bool
    /// Async jobs: batches of this slot's data already trained (its last reported step), skipped by a worker
    /// that takes the slot over; 0 for a fresh slot and for sync jobs (they resume from the shards' version).
    public var resumeBatches: Int = 0

    /// Worker 0 is the chief: it declares the variables, evaluates and reports evaluations.
    public var isChief: Bool { workerIndex == 0 }

    enum CodingKeys: String, CodingKey {
        case spec, placement
        case jobID = "job_id"
        case workerIndex = "worker_index"
        case workerCount = "worker_count"
        case variablesDeclared = "variables_declared"
        case resumeBatches = "resume_batches"
    }

    /// Creates an assignment.
    public init(jobID: JobID, spec: JobSpec, workerIndex: Int, workerCount: Int, placement: Placement?, variablesDeclared: Bool,
                resumeBatches: Int = 0) {
        self.jobID = jobID
        self.spec = spec
        self.workerIndex = workerIndex
        self.workerCount = workerCount
        self.placement = placement
        self.variablesDeclared = variablesDeclared
        self.resumeBatches = resumeBatches
    }

    /// Decodes an assignment; `resume_batches` may be absent (0).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            jobID: try c.decode(JobID.self, forKey: .jobID), spec: try c.decode(JobSpec.self, forKey: .spec),
            workerIndex: try c.decode(Int.self, forKey: .workerIndex), workerCount: try c.decode(Int.self, forKey: .workerCount),
            placement: try c.decodeIfPresent(Placement.self, forKey: .placement),
            variablesDeclared: try c.decode(Bool.self, forKey: .variablesDeclared),
            resumeBatches: try c.decodeIfPresent(Int.self, forKey: .resumeBatches) ?? 0)
    }
}
