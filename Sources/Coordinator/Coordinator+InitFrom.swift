import TensorWire

/// `init_from: job-N` (or a job's name): a job continues from another job's newest checkpoint — values, optimizer
/// slots and embedding rows — on the same shards and partitions.
extension Coordinator {
    /// The job an `init_from` reference names: `job-N`, else the newest job with that name. It must have a committed
    /// checkpoint (INVALID_SPEC at `init_from` naming what is missing).
    func resolveInitSource(_ reference: String) throws(CoordinatorError) -> JobRecord {
        let byID = JobID(parsing: reference).flatMap { records[$0] }
        let byName = byID == nil ? records.keys.sorted(by: >).lazy.compactMap({ self.records[$0] }).first { $0.spec.name == reference } : nil
        guard let source = byID ?? byName else {
            throw CoordinatorError(.invalidSpec, "no job \(reference) to start from (expected job-N or the name of a job this coordinator knows)", path: "init_from")
        }
        guard source.checkpoint != nil, source.placement != nil else {
            throw CoordinatorError(.invalidSpec, "\(source.id) (\(source.spec.name)) has no committed checkpoint to start from; checkpoint it (clusterctl checkpoint \(source.id)) or let it finish", path: "init_from")
        }
        return source
    }

    /// The placement of a job that starts from `source`'s checkpoint: `source`'s own, so every shard reads back the
    /// partitions it wrote. Refused when the model declares other variables or a shard of `source` is not alive.
    func inheritedPlacement(from source: JobID, for id: JobID, _ variables: [VariableSpec]) throws(CoordinatorError) -> Placement {
        guard let origin = records[source], let placement = origin.placement else {
            throw CoordinatorError(.invalidState, "\(id) starts from \(source), which is gone (deleted) or was never placed")
        }
        guard placement.variables == variables else {
            let theirs = placement.variables.map { "\($0.name)\($0.shape.dims)" }, ours = variables.map { "\($0.name)\($0.shape.dims)" }
            throw CoordinatorError(.invalidVariables, "\(id) cannot start from \(source): its model declares \(ours), \(source)'s checkpoint holds \(theirs); use the same model and data, or init_from an export")
        }
        let alive = Set(alivePS().map(\.id))
        if let lost = placement.shards.first(where: { !alive.contains($0.nodeID) }) {
            throw CoordinatorError(.invalidState, "\(id) starts from \(source)'s checkpoint, whose shard \(lost.address) is not alive; retry when it is")
        }
        return placement
    }
}
