import ClusterAPI
import Coordinator
import TensorWire

extension CoordinatorService {
    /// A job record as the API reports it.
    func render(_ job: JobRecord, withHistory: Bool) -> Tessera_V1_Job {
        render(job, withHistory: withHistory, names: machine.peek { Self.nodeNames($0) })
    }

    /// A job record as the API reports it, with node names looked up in `names`. Never traps: numbers that do not fit
    /// a field (a record stored by another version) are clamped.
    func render(_ job: JobRecord, withHistory: Bool, names: [NodeID: String]) -> Tessera_V1_Job {
        let total = Int64((job.totalSteps ?? job.spec.training.maxSteps) ?? 0)
        return .with {
            renderServing(job, into: &$0)
            $0.id = job.id.description
            $0.name = job.spec.name
            if let checkpoint = job.checkpoint {
                $0.checkpoint = .with {
                    $0.version = UInt64(max(0, checkpoint.version))
                    $0.manifest = checkpoint.path
                }
            }
            $0.state = job.state == .running && job.recovering != nil ? .recovering : render(job.state)
            $0.reason = job.recovering.map { "recovering: \($0)" } ?? job.reason
            if job.state == .pending, job.reason.isEmpty, let why = machine.peek({ $0.pendingReason(job.id) }) { $0.reason = why }
            $0.step = Int64(job.step)
            $0.totalSteps = total
            $0.samples = Int64(job.samples)
            if let t = job.training { $0.trainMetrics = render(t) }
            if let e = job.evaluation {
                $0.evalMetrics = render(e)
                $0.evalMetrics.count = Int64(job.evaluationCount ?? 0)
            }
            $0.staleDropped = Int64(job.staleDropped)
            $0.effectiveReplicas = Int32(clamping: job.effectiveReplicas)
            if let placement = job.placement { $0.placement = render(placement, names: names, transport: job.spec.cluster.transport) }
            $0.workers = job.workers.map { slot in
                .with {
                    $0.index = UInt32(clamping: slot.index)
                    if let node = slot.node ?? slot.lastNode {
                        $0.nodeID = node.rawValue
                        $0.nodeName = names[node] ?? node.description
                    }
                    $0.step = Int64(slot.progress?.workerStep ?? 0)
                    $0.epoch = Int32(clamping: slot.progress?.epoch ?? 0)
                    $0.finished = slot.state == .finished
                }
            }
            $0.createdAt = job.submittedAt
            $0.startedAt = job.startedAt ?? 0
            $0.finishedAt = job.endedAt ?? 0
            $0.spec = job.spec.proto
            $0.specYaml = job.spec.yaml
            $0.tensorboardDir = tensorBoard.directory(job.id)
            $0.stepsPerSecond = job.stepsPerSecond ?? 0
            if let trial = job.study {
                $0.studyID = trial.study.description
                $0.trial = Int32(clamping: trial.trial)
            }
            if withHistory {
                $0.history = job.history.map { point in
                    .with {
                        $0.step = Int64(point.step)
                        $0.time = point.time
                        $0.kind = point.source == .evaluation ? "eval" : "train"
                        $0.metrics = render(point)
                    }
                }
            }
        }
    }

    func render(_ point: MetricPoint) -> Tessera_V1_Metrics {
        .with {
            $0.loss = point.loss
            if let accuracy = point.accuracy { $0.accuracy = accuracy }
            if let auc = point.auc { $0.auc = auc }
        }
    }

    func render(_ state: JobState) -> Tessera_V1_JobState {
        switch state {
        case .pending: .pending
        case .running: .running
        case .succeeded: .succeeded
        case .failed: .failed
        case .cancelled: .cancelled
        }
    }

    /// The placement as workers route it: with the native transport each shard's address is its data-plane address.
    func render(_ placement: Placement, names: [NodeID: String], transport: DataTransport) -> [Tessera_V1_PartitionPlacement] {
        let dataAddresses =
            transport == .native
            ? (try? readState { state in
                Dictionary(state.nodes().compactMap { node in node.info.dataAddress.map { (node.id, $0) } }, uniquingKeysWith: { a, _ in a })
            }) ?? [:]
            : [:]
        return placement.partitions.map { p in
            .with {
                $0.variable = p.variable.name
                $0.variableID = p.variableID
                $0.partition = p.partition
                $0.shardNodeID = p.shard.nodeID.rawValue
                $0.shardName = names[p.shard.nodeID] ?? p.shard.nodeID.description
                $0.shardAddress = dataAddresses[p.shard.nodeID] ?? p.shard.address
                $0.rowOffset = Int64(p.rowOffset)
                $0.rowCount = Int64(p.rowCount)
                $0.bytes = Int64(p.bytes)
                $0.shape = p.variable.shape.dims.map { Int64($0) }
                $0.kind = p.variable.kind.rawValue
            }
        }
    }

    func render(_ node: NodeRecord, jobs: [JobRecord], served: [NodeID: [JobID]] = [:], now: Double) -> Tessera_V1_Node {
        let current = jobs.first { job in
            !job.state.isTerminal
                && (job.workers.contains { $0.node == node.id } || job.shards.contains { $0.nodeID == node.id })
        }
        return .with {
            $0.id = node.id.rawValue
            $0.info = .with {
                $0.name = node.info.name
                $0.role = node.info.role == .ps ? .ps : .worker
                $0.address = node.info.address
                $0.dataAddress = node.info.dataAddress ?? ""
                $0.device = node.info.device
                $0.threads = Int32(clamping: node.info.threads)
                $0.version = node.info.version
                $0.models = node.info.models
                $0.memoryLimitBytes = Int64(node.info.memoryLimitBytes)
                $0.servingAddress = node.info.servingAddress ?? ""
                $0.servingGrpcAddress = node.info.servingGRPCAddress ?? ""
                $0.servingTls = node.info.servingTLS
            }
            $0.serving = (served[node.id] ?? []).map(\.description)
            if node.info.role == .ps { $0.memoryReservedBytes = Int64(JobBudget.reservedBytes(on: node.id, jobs: jobs)) }
            $0.state = switch node.state {
            case .alive: .alive
            case .suspect: .suspect
            case .dead: .dead
            }
            $0.secondsSinceHeartbeat = max(0, now - node.lastSeen)
            $0.currentJob = current?.id.description ?? ""
        }
    }
}
