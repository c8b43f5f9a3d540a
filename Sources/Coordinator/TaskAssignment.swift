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

    /// Worker 0 is the chief: it declares the variables, evaluates and reports evaluations.
    public var isChief: Bool { workerIndex == 0 }

    enum CodingKeys: String, CodingKey {
        case spec, placement
        case jobID = "job_id"
        case workerIndex = "worker_index"
        case workerCount = "worker_count"
        case variablesDeclared = "variables_declared"
    }
}
