import JobSpec
import TensorWire

/// What a serving worker is told to run for one job.
public struct ServingAssignment: Sendable, Hashable {
    /// The job served.
    public var job: JobID
    /// Its spec (the model is rebuilt from it).
    public var spec: JobSpec
    /// Where its variables live.
    public var placement: Placement
    /// How raw examples become model rows (JSON), as the chief declared it.
    public var preprocessing: String?
    /// Least milliseconds between two parameter pulls.
    public var refreshMs: Int
}

extension Coordinator {
    /// Serves a job's model from `replicas` replicas on serving workers (0 stops serving it), refreshed at most every
    /// `refreshMs` (nil keeps the job's). Refused for a job whose variables are gone (FAILED, CANCELLED, or a SUCCEEDED
    /// job released from its shards). Unserving a succeeded job that only its
    /// replicas kept on its shards returns the `.dropJob` that frees them.
    public mutating func serve(_ id: JobID, replicas: Int, refreshMs: Int?, now: Double) throws(CoordinatorError) -> [CoordinatorAction] {
        var job = try existing(id)
        do {
            try JobSpecLimits.servingReplicas.check(replicas, at: "replicas")
            if let refreshMs { try JobSpecLimits.refreshMilliseconds.check(refreshMs, at: "refresh_ms") }
        } catch {
            throw CoordinatorError(error)
        }
        let wasServed = job.isServed
        if replicas > 0 {
            switch job.state {
            case .failed, .cancelled:
                throw CoordinatorError(.invalidState, "\(id) is \(job.state.rawValue): its variables were dropped from its shards; export a checkpoint of it and serve the file (workerd --serve-model)")
            case .succeeded where !wasServed && !retained.contains(id):
                throw CoordinatorError(.invalidState, "\(id) succeeded and its variables were released from its shards (only the newest \(retained.limit) succeeded jobs keep theirs); export it and serve the file (workerd --serve-model)")
            default: break
            }
        }
        var serving = job.serving ?? ServingState(replicas: 0, refreshMs: ServingSpec.defaultRefreshMs)
        serving.replicas = replicas
        if let refreshMs { serving.refreshMs = refreshMs }
        job.serving = serving
        records[id] = job
        logger.info(replicas > 0 ? "job served" : "job unserved", metadata: ["job": "\(id)", "replicas": "\(replicas)", "refresh_ms": "\(serving.refreshMs)"])
        placeReplicas(of: id)
        if wasServed, replicas == 0, job.state == .succeeded, job.placement != nil, !retained.contains(id) {
            return [.dropJob(id, shards: job.shards)]
        }
        return []
    }

    /// A serving worker reports the replicas it runs (`reports`); returns the replicas it must run: those placed on it
    /// whose job has placed variables and is RUNNING, RECOVERING or SUCCEEDED. Reports of other jobs are ignored.
    public mutating func syncServing(worker: NodeID, reports: [ReplicaReport], now: Double) throws(CoordinatorError) -> [ServingAssignment] {
        guard let node = membership.node(worker) else {
            throw CoordinatorError(.unknownNode, "\(worker) is not registered; register again")
        }
        guard node.info.role == .worker else {
            throw CoordinatorError(.invalidNode, "\(node.info.name) is a \(node.info.role.rawValue) node, not a worker")
        }
        let reported = Dictionary(reports.map { ($0.job, $0) }, uniquingKeysWith: { first, _ in first })
        var assignments: [ServingAssignment] = []
        for id in records.served.sorted() {
            guard let job = records[id], let serving = job.serving, serving.nodes.contains(worker) else { continue }
            if let report = reported[id] { replicaReports[id, default: [:]][worker] = (report, now) }
            guard let placement = job.placement, job.state == .running || job.state == .succeeded else { continue }
            assignments.append(ServingAssignment(
                job: id, spec: job.spec, placement: placement, preprocessing: job.preprocessing, refreshMs: serving.refreshMs))
        }
        return assignments
    }

    /// A served job's replicas with their latest reports (empty when it is not served).
    public func replicas(of id: JobID) -> [ReplicaStatus] {
        guard let job = records[id], job.isServed, let serving = job.serving else { return [] }
        return serving.nodes.map { node in
            let latest = replicaReports[id]?[node]
            return ReplicaStatus(node: node, report: latest?.report, reportedAt: latest?.at)
        }
    }

    /// The served jobs each serving worker holds a replica of.
    public func servedJobsByNode() -> [NodeID: [JobID]] {
        var byNode: [NodeID: [JobID]] = [:]
        for id in records.served.sorted() {
            for node in records[id]?.serving?.nodes ?? [] { byNode[node, default: []].append(id) }
        }
        return byNode
    }

    /// Places every served job's replicas (each sweep).
    mutating func placeReplicas() {
        for id in records.served.sorted() { placeReplicas(of: id) }
    }

    /// Keeps a job's replicas on alive serving workers that can build its model: drops those on dead or departed
    /// nodes and those beyond the wanted count, then adds workers holding the fewest replicas (ties: lowest id).
    mutating func placeReplicas(of id: JobID) {
        guard var job = records[id], var serving = job.serving else { return }
        let before = serving.nodes
        if job.isServed {
            serving.nodes.removeAll { id in
                guard let node = membership.node(id) else { return true }
                return node.state == .dead || node.info.servingAddress == nil
            }
            if serving.nodes.count > serving.replicas { serving.nodes.removeLast(serving.nodes.count - serving.replicas) }
            if serving.nodes.count < serving.replicas {
                let load = servedJobsByNode().mapValues(\.count)
                let candidates = membership.nodes()
                    .filter {
                        $0.info.role == .worker && $0.state == .alive && $0.info.servingAddress != nil
                            && !serving.nodes.contains($0.id) && canBuild($0, job.spec)
                    }
                    .sorted { (load[$0.id, default: 0], $0.id) < (load[$1.id, default: 0], $1.id) }
                serving.nodes += candidates.prefix(serving.replicas - serving.nodes.count).map(\.id)
            }
        } else {
            serving.nodes = []
        }
        guard serving.nodes != before else { return }
        for gone in before where !serving.nodes.contains(gone) { replicaReports[id]?[gone] = nil }
        if serving.nodes.isEmpty { replicaReports[id] = nil }
        job.serving = serving
        records[id] = job
        logger.info("serving replicas placed", metadata: [
            "job": "\(id)", "wanted": "\(serving.replicas)", "nodes": "\(serving.nodes.map(\.description).joined(separator: ","))",
        ])
    }
}
