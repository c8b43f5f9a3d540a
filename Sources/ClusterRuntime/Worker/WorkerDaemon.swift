import ClusterAPI
import Logging
import ServiceLifecycle
import UnixSignals

/// A workerd: registers with the coordinator, heartbeats, and runs the tasks it is given one after another.
public final class WorkerDaemon: Sendable {
    /// The configuration it runs with.
    public let config: WorkerConfig
    private let logger: Logger
    private let client: CoordinatorClient
    private let membership: MembershipService
    private let agent: WorkerAgent
    private let group: LockedValue<ServiceGroup?> = LockedValue(nil)
    private let serving: ServingHost?
    /// Registered with the coordinator: set once the prediction server is bound.
    private let servingAddress: LockedValue<String?>
    /// Registered with the coordinator: set once the gRPC prediction server is bound.
    private let servingGRPCAddress: LockedValue<String?>

    /// Builds the daemon; nothing runs until `run()` or `start()`.
    public init(config: WorkerConfig, logger: Logger) throws {
        self.config = config
        self.logger = logger
        let client = try CoordinatorClient(address: config.coordinator, security: RPCSecurity(token: config.token, tls: config.tls))
        self.client = client
        let servingAddress = LockedValue<String?>(nil)
        let servingGRPCAddress = LockedValue<String?>(nil)
        let membership = MembershipService(client: client, logger: logger) {
            .with {
                $0.servingAddress = servingAddress.value ?? ""
                $0.servingGrpcAddress = servingGRPCAddress.value ?? ""
                $0.servingTls = servingAddress.value != nil && config.tls != nil
                $0.name = config.name
                $0.role = .worker
                $0.device = config.device
                $0.threads = Int32(config.threads)
                $0.memoryLimitBytes = Int64(config.maxDataBytes)  // the worker's data budget (--max-data-bytes)
                $0.version = tesseraVersion
                $0.models = ModelRegistry.names()
            }
        }
        self.membership = membership
        serving = config.servingListen.map { ServingHost(config: config, listen: $0, client: client, membership: membership, logger: logger) }
        self.servingAddress = servingAddress
        self.servingGRPCAddress = servingGRPCAddress
        agent = WorkerAgent(config: config, client: client, membership: membership, logger: logger)
    }

    /// Runs until SIGTERM/SIGINT; tells systemd READY=1 once registered, WATCHDOG=1 while running, STOPPING=1 at the end.
    public func run() async throws {
        SystemdNotifier().status("worker \(config.name) joining \(config.coordinator)")
        try await bindServing()
        try await makeGroup(signals: [.sigterm, .sigint], systemd: true).run()
    }

    /// Starts in the background (tests); the prediction server, if any, binds first (`predictionAddress`).
    public func start() {
        let group = makeGroup(signals: [])
        Task {
            do { try await self.bindServing() } catch {
                self.logger.error("cannot serve predictions", metadata: ["error": "\(error)"])
                return
            }
            try? await group.run()
        }
    }

    /// The "host:port" this worker serves predictions at (nil: it serves none, or has not bound yet).
    public var predictionAddress: String? { servingAddress.value }

    /// The "host:port" of this worker's gRPC `Prediction` service (nil: it serves none, or has not bound yet).
    public var predictionGRPCAddress: String? { servingGRPCAddress.value }

    /// Binds the prediction server before registering, so the coordinator learns its address.
    private func bindServing() async throws {
        guard let serving else { return }
        try await serving.bind()
        servingAddress.value = serving.advertisedAddress
        servingGRPCAddress.value = serving.advertisedGRPCAddress
    }

    /// Begins a graceful shutdown.
    public func stop() async { await group.value?.triggerGracefulShutdown() }

    private func makeGroup(signals: [UnixSignal], systemd: Bool = false) -> ServiceGroup {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: membership), .init(service: agent)]
        if let serving { services.append(.init(service: serving)) }
        if systemd {
            services.append(.init(service: WorkerReadiness(membership: membership, name: config.name, coordinator: config.coordinator)))
        }
        if let address = config.metricsListen {
            services.insert(.init(service: MetricsEndpoint(address: address, logger: logger)), at: 0)
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: signals, logger: logger))
        self.group.value = group
        return group
    }
}
