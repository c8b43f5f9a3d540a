import Logging
import ServiceLifecycle
import Training
import UnixSignals

/// `workerd --serve-model FILE`: serves an exported model (`clusterctl export`) over TensorFlow Serving's REST API
/// until SIGTERM/SIGINT, without joining a cluster — the model rebuilt from the spec in the file's metadata, raw
/// inputs turned into model rows by the preprocessing it carries.
public enum ExportServer {
    /// Loads `path` and serves it at `listen` (`name` overrides the job's name in the URL; `token` guards every request; with `tls` it serves HTTPS).
    public static func run(
        path: String, listen: HostPort, name: String?, token: String?, threads: Int, metricsListen: HostPort?, logger: Logger,
        tls: TLSFiles? = nil, grpcListen: HostPort? = nil
    ) async throws {
        let backend = try ComputeDevice.backend(named: "cpu", threads: threads)
        let loaded = try ExportedModel.predictor(path: path, backend: backend)
        let api = PredictionAPI(name: name ?? loaded.name, predictor: loaded.predictor, token: token)
        logger.info("loaded exported model", metadata: ["file": "\(path)", "model": "\(name ?? loaded.name)", "version": "\(loaded.step)"])
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: PredictionHTTPServer(address: listen, api: api, logger: logger, tls: tls))
        ]
        if let grpcListen { services.append(.init(service: PredictionGRPCServer(address: grpcListen, api: api, tls: tls, logger: logger))) }
        if let metricsListen { services.append(.init(service: MetricsEndpoint(address: metricsListen, logger: logger))) }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
