import ClusterAPI
import Foundation
import GRPCCore
import Logging
import ParameterStore
import ServiceLifecycle
import UnixSignals

/// A psd: a parameter shard with its control and data services, joined to a coordinator — or
/// running the coordinator itself. `@main` and the in-process tests build it the same way.
public final class ParameterServerDaemon: Sendable {
    /// The configuration it runs with.
    public let config: ParameterServerConfig
    /// The shard's variables and optimizer state.
    public let shard: ParameterShard
    private let logger: Logger
    private let server: GRPCServerService
    private let dataServer: NativeDataPlaneServer
    private let membership: MembershipService
    private let coordinatorService: CoordinatorService?
    private let group: LockedValue<ServiceGroup?> = LockedValue(nil)
    /// The service group started by `start()`, running until it stops or fails.
    private let running: LockedValue<Task<Void, any Error>?> = LockedValue(nil)
    /// Why the service group stopped, when a service failed.
    private let failure: LockedValue<RuntimeFailure?> = LockedValue(nil)
    private let notifier = SystemdNotifier()
    /// The gRPC health service on the control port (SERVING once listening, NOT_SERVING when stopping).
    public let health: HealthService
    private let metricsEndpoint: MetricsEndpoint?

    /// Builds the daemon; nothing listens until `run()` or `start()`.
    public init(config: ParameterServerConfig, logger: Logger) throws {
        self.config = config
        self.logger = logger
        health = HealthService(services: HealthService.parameterServerServices, maxWatchStreams: config.limits.maxWatchStreams)
        try FileManager.default.createDirectory(atPath: config.dataDir, withIntermediateDirectories: true)
        let shard = ParameterShard(logger: logger, memoryLimitBytes: config.limits.memoryLimitBytes)
        self.shard = shard
        // One admission limit, answer limit and pending-pull count for both data-plane transports (gRPC and native) of this shard.
        let dataPlane = DataPlaneHandler(
            shard: shard, logger: logger, admission: DataPlaneAdmission(limitBytes: config.maxInflightBytes ?? DataPlaneAdmission.defaultLimitBytes),
            limits: config.limits, recordRefusal: RefusalMetrics.record)
        var services: [any RegistrableRPCService] = [
            ParameterServerService(shard: shard, logger: logger, dataDir: config.dataDir, importDir: config.importDir),
            MeteredDataPlaneService(
                handler: dataPlane,
                metrics: ShardMetrics(shard: config.name ?? "ps-\(config.listen.host)-\(config.listen.port)")),
            health,
        ]
        let security = RPCSecurity(token: config.token, tls: config.tls)
        var localCoordinator: CoordinatorService?
        if config.coordinator == nil {
            let coordinator = try CoordinatorService(
                name: config.name ?? "coordinator", dataDir: config.dataDir,
                heartbeatInterval: config.heartbeatInterval, heartbeatTimeout: config.heartbeatTimeout,
                jobRetention: config.limits.jobRetention, logger: logger)
            localCoordinator = coordinator
            coordinator.shards.use(security: security)
            services.append(coordinator)
        }
        coordinatorService = localCoordinator
        let dataServer = NativeDataPlaneServer(
            address: config.dataListen ?? HostPort(host: config.listen.host, port: 0),
            handler: dataPlane, token: config.token, tls: config.tls,
            metrics: ShardMetrics(shard: config.name ?? "ps-\(config.listen.host)-\(config.listen.port)"), serverLimits: config.limits,
            logger: logger)
        self.dataServer = dataServer
        let server = GRPCServerService(address: config.listen, services: services, logger: logger, security: security, limits: config.limits)
        self.server = server
        metricsEndpoint = config.metricsListen.map {
            MetricsEndpoint(address: $0, logger: logger, refresh: CoordinatorMetrics.refresher(localCoordinator), limits: config.limits)
        }
        let selfAddress = LockedValue<HostPort?>(nil)
        let registrar: any MembershipRegistrar
        if let remote = config.coordinator {
            registrar = try CoordinatorClient(address: remote, security: security)
        } else {
            registrar = LocalRegistrar(coordinator: localCoordinator!)
        }
        let name = config.name
        let advertise = config.advertise
        let memoryLimit = config.limits.memoryLimitBytes
        // A remote psd keeps its node secret in its data dir, so a restart keeps its identity at once.
        let secretFile = config.coordinator == nil ? nil : (config.dataDir as NSString).appendingPathComponent("node-secret")
        membership = MembershipService(client: registrar, logger: logger, secretFile: secretFile) {
            let bound = (try? await server.boundAddress()) ?? nil
            let address = advertise ?? bound ?? config.listen
            selfAddress.value = address
            let dataBound = (try? await dataServer.boundAddress()) ?? nil
            let dataAddress = HostPort(host: advertise?.host ?? address.host, port: dataBound?.port ?? address.port)
            return .with {
                $0.name = name ?? "ps-\(address.host)-\(address.port)"
                $0.role = .ps
                $0.address = address.description
                $0.dataAddress = dataAddress.description
                $0.version = tesseraVersion
                $0.memoryLimitBytes = Int64(memoryLimit)
            }
        }
    }

    /// Runs until SIGTERM/SIGINT, then drains in-flight requests and exits. When a service fails (a listener cannot
    /// bind, a service stops on its own), the others are cancelled and this throws a `RuntimeFailure` naming it (psd
    /// logs it and exits non-zero).
    public func run() async throws {
        try await Self.serve(makeGroup(signals: [.sigterm, .sigint]))
    }

    /// Starts serving in the background and returns the bound address (tests, embedding); throws when the daemon
    /// fails before it listens. A failure after that is logged and thrown by `wait()`.
    @discardableResult
    public func start() async throws -> HostPort {
        let group = makeGroup(signals: [])
        let (logger, failure) = (logger, failure)
        let task = Task {
            do {
                try await Self.serve(group)
            } catch let error as RuntimeFailure {
                logger.error("\(error.message)")
                failure.value = error
                throw error
            }
        }
        running.value = task
        while true {
            if let error = failure.value { throw error }
            // Bound and announced (port file written, health SERVING): a probe right after start() sees a serving psd.
            if let address = try await server.boundAddress(), health.status(of: "") == .serving { return address }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits until a daemon started with `start()` stopped; throws the failure that stopped it, if one did.
    public func wait() async throws {
        try await running.value?.value
    }

    /// Runs a service group; a failure becomes a `RuntimeFailure` that names it.
    private static func serve(_ group: ServiceGroup) async throws {
        do {
            try await group.run()
        } catch {
            throw RuntimeFailure(.internalError, "psd stopped because a service failed: \(error)")
        }
    }

    /// The native data-plane address actually bound (waits until it listens).
    public func dataAddress() async throws -> HostPort? {
        try await dataServer.boundAddress()
    }

    /// The bound address of the Prometheus endpoint, once it listens (nil without `metricsListen`).
    public var metricsAddress: HostPort? { metricsEndpoint?.boundAddress }

    /// Begins a graceful shutdown.
    public func stop() async {
        await group.value?.triggerGracefulShutdown()
    }

    private func makeGroup(signals: [UnixSignal]) -> ServiceGroup {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: server),
            .init(service: dataServer),
            .init(service: ReadinessReporter(daemon: self, server: server, logger: logger)),
            .init(service: membership),
        ]
        if let coordinatorService {
            services.insert(.init(service: CoordinatorSweeper(coordinator: coordinatorService)), at: 1)
        }
        if let metricsEndpoint { services.insert(.init(service: metricsEndpoint), at: 0) }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: signals, logger: logger))
        self.group.value = group
        return group
    }

    fileprivate func announce(_ address: HostPort) {
        let role = config.coordinator == nil ? "coordinator + shard" : "shard"
        logger.info("psd listening", metadata: ["address": "\(address)", "role": "\(role)", "data_dir": "\(config.dataDir)"])
        if let portFile = config.portFile {
            try? (address.description + "\n").write(toFile: portFile, atomically: true, encoding: .utf8)
        }
        health.setServing(true)
        notifier.ready(status: "serving \(role) on \(address)")
    }
}

/// Logs the bound address, writes the port file and tells systemd READY=1 once the server listens;
/// on shutdown tells systemd STOPPING=1.
private struct ReadinessReporter: Service {
    let daemon: ParameterServerDaemon
    let server: GRPCServerService
    let logger: Logger

    func run() async throws {
        guard let address = try await server.boundAddress() else { return }
        daemon.announce(address)
        let notifier = SystemdNotifier()
        let interval = notifier.watchdogInterval.map { $0 / 2 }
        try? await cancelWhenGracefulShutdown {
            while true {
                if let interval {
                    notifier.watchdog()
                    try await Task.sleep(for: interval)
                } else {
                    try await Task.sleep(for: .seconds(3600))
                }
            }
        }
        daemon.health.setServing(false)
        notifier.stopping()
    }
}
