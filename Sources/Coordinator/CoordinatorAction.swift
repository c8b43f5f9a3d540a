/// Something the runtime must do (or log) after a coordinator call; perform them in order.
public enum CoordinatorAction: Sendable, Hashable {
    /// A node's liveness changed (log it; workers' tasks were already handed back).
    case nodeChanged(NodeTransition)
    /// These workers must stop the job; they also receive `.stop` on their next report.
    case stopWorkers(JobID, workers: [NodeID], reason: String)
    /// Sync jobs: tell the shards to aggregate this many gradients per version from now on.
    case setEffectiveReplicas(JobID, replicas: Int, shards: [ShardTarget])
    /// Write a final consistent checkpoint of the job on its shards (before `dropJob`).
    case checkpoint(JobID, shards: [ShardTarget])
    /// Delete the job's partitions and slots on its shards.
    case dropJob(JobID, shards: [ShardTarget])
    /// The job reached a terminal state (persist it, close its event files, notify watchers).
    case jobEnded(JobID, state: JobState, reason: String)
    /// The job was deleted (by request or retention): remove its files (checkpoint manifests, event files) and its
    /// checkpoint files and any retained state on these shards.
    case jobDeleted(JobID, shards: [ShardTarget])
}
