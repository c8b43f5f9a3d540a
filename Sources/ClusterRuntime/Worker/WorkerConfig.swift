import Foundation

/// Everything a workerd needs to start; built by the `workerd` executable from flags.
public struct WorkerConfig: Sendable {
    /// The coordinator to join.
    public var coordinator: HostPort
    /// Directory that job-spec data paths are relative to.
    public var dataRoot: String
    /// Compute device ("cpu").
    public var device: String
    /// OpenBLAS threads.
    public var threads: Int
    /// Node name; a restarted worker with the same name keeps its identity.
    public var name: String
    /// How long to wait between asking for work when there is none.
    public var pollInterval: Duration
    /// How long the coordinator may hold a GetTask call while there is no work (a long poll: the worker hears of a task
    /// at once, and 1,000 idle workers send a call every `taskWait` instead of every `pollInterval`); zero polls.
    public var taskWait: Duration = .seconds(20)
    /// How often to report progress to the coordinator while training.
    public var reportInterval: Duration
    /// Shared bearer token sent on every control- and data-plane request; nil sends none.
    public var token: String?
    /// Certificate files for gRPC TLS to the coordinator and shards; nil means plaintext.
    public var tls: TLSFiles?
    /// Address of the Prometheus `/metrics` endpoint; nil serves none.
    public var metricsListen: HostPort?
    /// Straggler experiments: after each training step the worker sleeps (slowdown − 1) × the step's compute time.
    public var slowdown: Double
    /// Simulated compute time drawn per step and slept after it (`--step-delay`); nil: none.
    public var stepDelay: StepDelay?
    /// Bytes of one job's decoded data this worker loads at most; a job needing more fails with RESOURCE_EXHAUSTED naming both.
    public var maxDataBytes: Int
    /// The last decoded training data, reused by the next task reading the same unchanged files (study trials).
    public let datasetCache = DatasetCache()

    /// Where this worker serves predictions for the replicas the coordinator places on it; nil: it serves none.
    public var servingListen: HostPort?
    /// The "host:port" clients reach the prediction server at (default: the bound address, or this host's name).
    public var servingAdvertise: HostPort?
    /// The bearer token prediction requests must carry (default: `token`).
    public var servingToken: String?
    /// Where this worker serves the gRPC `Prediction` service over the same replicas; nil: it serves none.
    public var servingGRPCListen: HostPort?

    /// The default data budget: a quarter of physical memory.
    public static var defaultMaxDataBytes: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory / 4) }

    /// Creates a configuration.
    public init(
        coordinator: HostPort, dataRoot: String, device: String = "cpu", threads: Int = 1, name: String,
        pollInterval: Duration = .milliseconds(250), reportInterval: Duration = .milliseconds(500),
        token: String? = nil, tls: TLSFiles? = nil, metricsListen: HostPort? = nil, slowdown: Double = 1,
        maxDataBytes: Int = WorkerConfig.defaultMaxDataBytes
    ) {
        self.maxDataBytes = maxDataBytes
        self.coordinator = coordinator
        self.dataRoot = dataRoot
        self.device = device
        self.threads = threads
        self.name = name
        self.pollInterval = pollInterval
        self.reportInterval = reportInterval
        self.token = token
        self.tls = tls
        self.metricsListen = metricsListen
        self.slowdown = slowdown
    }
}
