import ClusterAPI
import SwiftProtobuf

/// Valid requests of every control-plane method (seed file name = "Method" or "Method.variant").
enum ControlPlaneSeeds {
    static let cancerSpec = """
        name: seed
        model: {type: logistic}
        data: {format: csv, train: breast_cancer/breast_cancer.csv, label: target, test_fraction: 0.3, batch_size: 16}
        optimizer: {type: adam, learning_rate: 0.01}
        training: {mode: sync, replicas_to_aggregate: 1, max_steps: 10, checkpoint: {every_steps: 5, keep: 2}}
        cluster: {workers: 1}
        """

    static let partition = Tessera_V1_PartitionSpecMsg.with {
        $0.variableID = 0
        $0.partition = 0
        $0.name = "dense_0/kernel"
        $0.shape = [4, 2]
        $0.dtype = "f32"
        $0.kind = "dense"
        $0.initializer = "zeros"
        $0.rowOffset = 0
        $0.rowCount = 4
    }

    static let requests: [(String, any SwiftProtobuf.Message)] = [
        ("Register.worker", Tessera_V1_RegisterRequest.with {
            $0.node = .with { $0.name = "worker-a"; $0.role = .worker; $0.device = "cpu"; $0.threads = 1 }
        }),
        ("Register.ps", Tessera_V1_RegisterRequest.with {
            $0.node = .with { $0.name = "ps-a"; $0.role = .ps; $0.address = "127.0.0.1:1"; $0.memoryLimitBytes = 1 << 30 }
        }),
        ("Heartbeat", Tessera_V1_HeartbeatRequest.with { $0.nodeID = 1 }),
        ("SubmitJob.yaml", Tessera_V1_SubmitJobRequest.with { $0.specYaml = cancerSpec }),
        ("SubmitJob.proto", Tessera_V1_SubmitJobRequest.with {
            $0.spec = .with {
                $0.name = "seed-proto"
                $0.model = .with { $0.type = "mlp"; $0.hidden = [8] }
                $0.data = .with { $0.format = "synthetic"; $0.weights = [1, 2]; $0.samples = 100; $0.batchSize = 10 }
                $0.training = .with { $0.mode = "async"; $0.maxSteps = 5 }
            }
        }),
        ("GetJob", Tessera_V1_GetJobRequest.with { $0.id = "job-1"; $0.withHistory = true }),
        ("ListJobs", Tessera_V1_ListJobsRequest.with { $0.limit = 10; $0.state = "running" }),
        ("CancelJob", Tessera_V1_CancelJobRequest.with { $0.id = "1" }),
        ("ClusterStatus", Tessera_V1_ClusterStatusRequest()),
        ("GetTask", Tessera_V1_GetTaskRequest.with { $0.nodeID = 1 }),
        ("DeclareVariables", Tessera_V1_DeclareVariablesRequest.with {
            $0.nodeID = 1
            $0.jobID = "job-1"
            $0.variables = [.with { $0.name = "dense_0/kernel"; $0.shape = [30, 1]; $0.dtype = "f32"; $0.kind = "dense"; $0.initializer = "zeros" }]
        }),
        ("ReportProgress", Tessera_V1_ReportProgressRequest.with {
            $0.nodeID = 1
            $0.jobID = "job-1"
            $0.workerStep = 10
            $0.samples = 160
            $0.train = .with { $0.loss = 0.5; $0.accuracy = 0.8; $0.count = 16 }
            $0.finished = true
        }),
        ("CheckpointJob", Tessera_V1_CheckpointJobRequest.with { $0.id = "job-1" }),
        ("DeleteJob", Tessera_V1_DeleteJobRequest.with { $0.id = "job-1"; $0.force = true }),
        ("CreateJob", Tessera_V1_CreateJobRequest.with {
            $0.jobNumber = 7
            $0.jobID = "job-7"
            $0.partitions = [partition]
            $0.optimizer = .with { $0.type = "adam"; $0.learningRate = 0.01 }
            $0.training = .with { $0.mode = "async" }
        }),
        ("DropJob", Tessera_V1_DropJobRequest.with { $0.jobNumber = 7 }),
        ("ShardStatus", Tessera_V1_ShardStatusRequest()),
        ("SetReplicas", Tessera_V1_SetReplicasRequest.with { $0.jobNumber = 7; $0.replicas = 1 }),
        ("CheckpointShard", Tessera_V1_CheckpointShardRequest.with { $0.jobNumber = 7; $0.timeoutMs = 100 }),
        ("PauseJob", Tessera_V1_PauseJobRequest.with { $0.jobNumber = 7; $0.paused = true; $0.maxPauseMs = 50 }),
        ("RestoreShard", Tessera_V1_RestoreShardRequest.with { $0.jobNumber = 7; $0.path = "checkpoints/job-7/v1.safetensors" }),
        ("PruneCheckpoints", Tessera_V1_PruneCheckpointsRequest.with { $0.jobNumber = 7; $0.keepVersions = [1] }),
        ("Check", Grpc_Health_V1_HealthCheckRequest.with { $0.service = "tessera.v1.Coordinator" }),
    ]
}
