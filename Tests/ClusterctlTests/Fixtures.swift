import ClusterAPI
import ClusterRuntime
import TensorWire

/// Records as the coordinator answers them, for the summary tests.
enum Fixtures {
    /// A running sync job with every field filled: both kinds of placement, a checkpoint, history.
    static var runningJob: Tessera_V1_Job {
        var job = Tessera_V1_Job()
        job.id = "job-7"
        job.name = "cancer/sync"
        job.state = .running
        job.step = 120
        job.totalSteps = 300
        job.samples = 3840
        job.stepsPerSecond = 12.5
        job.trainMetrics = .with { $0.loss = 0.25; $0.accuracy = 0.875; $0.count = 32 }
        job.evalMetrics = .with { $0.loss = 0.125; $0.accuracy = 0.9375; $0.auc = 0.96875; $0.count = 114 }
        job.staleDropped = 3
        job.effectiveReplicas = 2
        job.placement = [
            .with {
                $0.variable = "dense_0/kernel"; $0.variableID = 0; $0.partition = 0; $0.shardName = "ps-0"
                $0.shardAddress = "127.0.0.1:7001"; $0.rowOffset = 0; $0.rowCount = 15; $0.bytes = 960; $0.shape = [30, 16]
            },
            .with {
                $0.variable = "dense_0/kernel"; $0.variableID = 0; $0.partition = 1; $0.shardName = "ps-1"
                $0.shardAddress = "127.0.0.1:7002"; $0.rowOffset = 15; $0.rowCount = 15; $0.bytes = 960; $0.shape = [30, 16]
                $0.kind = "dense"
            },
            .with {
                $0.variable = "embedding_education"; $0.variableID = 1; $0.partition = 0; $0.shardName = "ps-1"
                $0.shardAddress = "127.0.0.1:7002"; $0.rowOffset = 0; $0.rowCount = 16; $0.bytes = 512; $0.shape = [16, 8]
                $0.kind = "embedding"
            },
        ]
        job.workers = [
            .with { $0.index = 0; $0.nodeName = "worker-0"; $0.step = 61; $0.epoch = 2; $0.finished = false },
            .with { $0.index = 1; $0.nodeName = "worker-1"; $0.step = 59; $0.epoch = 1; $0.finished = true },
        ]
        job.tensorboardDir = "/var/lib/tessera/tensorboard/job-7"
        job.checkpoint = .with { $0.version = 100; $0.manifest = "/data/ckpt/job-7/manifest-100.json" }
        job.createdAt = 1_700_000_000.5
        job.startedAt = 1_700_000_001.25
        job.history = [
            .with { $0.step = 50; $0.time = 1_700_000_005; $0.kind = "train"; $0.metrics = .with { $0.loss = 0.5; $0.count = 32 } },
            .with {
                $0.step = 100; $0.time = 1_700_000_009.5; $0.kind = "eval"
                $0.metrics = .with { $0.loss = 0.2; $0.accuracy = 0.9; $0.auc = 0.95; $0.count = 114 }
            },
        ]
        return job
    }

    /// A job just submitted: nothing measured, placed or started.
    static var pendingJob: Tessera_V1_Job {
        var job = Tessera_V1_Job()
        job.id = "job-8"
        job.name = "linear-hello"
        job.state = .pending
        job.createdAt = 1_700_000_100
        return job
    }

    /// A parameter server and a worker as `ClusterStatus` lists them.
    static var nodes: [Tessera_V1_Node] {
        var ps = Tessera_V1_Node()
        ps.id = 1
        ps.info = .with {
            $0.name = "ps-0"; $0.role = .ps; $0.address = "127.0.0.1:7070"; $0.dataAddress = "127.0.0.1:7071"
            $0.threads = 2; $0.version = "0.1.0"; $0.memoryLimitBytes = 8_589_934_592
        }
        ps.state = .alive
        ps.secondsSinceHeartbeat = 0.5
        ps.memoryReservedBytes = 2432
        var worker = Tessera_V1_Node()
        worker.id = 2
        worker.info = .with {
            $0.name = "worker-0"; $0.role = .worker; $0.device = "cpu"; $0.threads = 1; $0.version = "0.1.0"
            $0.models = ["two_tower"]
        }
        worker.state = .suspect
        worker.secondsSinceHeartbeat = 4.25
        worker.currentJob = "job-7"
        return [ps, worker]
    }

    /// The coordinator's status answer over `nodes`.
    static var status: Tessera_V1_ClusterStatusResponse {
        .with {
            $0.coordinatorName = "ps-0"; $0.coordinatorAddress = "127.0.0.1:7070"; $0.version = "0.1.0"; $0.uptimeSeconds = 42.5
            $0.nodes = nodes; $0.jobsPending = 1; $0.jobsRunning = 2; $0.jobsSucceeded = 3; $0.jobsFailed = 4; $0.jobsCancelled = 5
            $0.health = "degraded: 1 node(s) suspect"
        }
    }

    /// Two variables read from the shards.
    static var variables: [VariableReader.Variable] {
        [
            VariableReader.Variable(name: "dense_0/kernel", shape: Shape([1, 2]), values: [0.1, -2]),
            VariableReader.Variable(name: "dense_0/bias", shape: Shape([1]), values: [10]),
        ]
    }
}
