/// Something the runtime must do after a coordinator call; perform them in order. The coordinator logs its own
/// decisions (a node's liveness, a job ending or stopping): the runtime logs what it performs and how that went.
public enum CoordinatorAction: Sendable, Hashable {
    /// A node's liveness changed (already logged; workers' tasks were already handed back): nothing to do.
    case nodeChanged(NodeTransition)
    /// These workers must stop the job; they receive `.stop` on their next report: nothing to do.
    case stopWorkers(JobID, workers: [NodeID], reason: String)
    /// Sync jobs: tell the shards to aggregate this many gradients per version from now on.
    case setEffectiveReplicas(JobID, replicas: Int, shards: [ShardTarget])
    /// Take a consistent checkpoint of the job on its shards now (in the background: it may take a while), then
    /// report the outcome with `checkpointFinished`. It is already marked in flight.
    case checkpoint(JobID, reason: CheckpointReason)
    /// Keep the job's newest `keep` checkpoints (manifests and the shard files they alone name), delete the rest.
    case pruneCheckpoints(JobID, keep: Int)
    /// Restore a recovering job's shards (in the background), then report the outcome with `recoveryFinished`.
    case recover(JobID)
    /// Read these jobs' counters from their shards (ShardStatus), then report them with `recordShardFigures`.
    case pollShards([ShardPoll])
    /// Append these scalars to the job's TensorBoard event file at `step`.
    case writeSummaries(JobID, step: Int, scalars: [SummaryScalar])
    /// Delete the job's partitions and slots on these shards.
    case dropJob(JobID, shards: [ShardTarget])
    /// A study started a trial as this job (the coordinator created it, not a SubmitJob): open its TensorBoard
    /// session (HParams) in the study's group.
    case trialStarted(JobID, study: String)
    /// The job reached a terminal state (already logged and recorded): nothing to do.
    case jobEnded(JobID, state: JobState, reason: String)
    /// The job was deleted (by request or retention): remove its files (checkpoint manifests, event files), its
    /// checkpoint files on these shards (and those its manifests name), and its metrics.
    case jobDeleted(JobID, shards: [ShardTarget])
}
