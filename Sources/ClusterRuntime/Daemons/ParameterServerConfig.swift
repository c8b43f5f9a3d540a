/// Everything a psd needs to start; built by the `psd` executable from flags.
public struct ParameterServerConfig: Sendable {
    /// Address to listen on for the control plane and the gRPC data plane.
    public var listen: HostPort
    /// Address other nodes dial (defaults to `listen`, with the bound port when `listen` asks for port 0).
    public var advertise: HostPort?
    /// Directory for the node's state.
    public var dataDir: String
    /// The coordinator to join; nil means this psd is the coordinator (`--coordinator-self`).
    public var coordinator: HostPort?
    /// Node name (default: "ps-HOST-PORT").
    public var name: String?
    /// How often nodes heartbeat.
    public var heartbeatInterval: Duration
    /// After how long without a heartbeat a node is dead.
    public var heartbeatTimeout: Duration
    /// When set, the bound address is written to this file once listening (scripts and tests read it).
    public var portFile: String?
    /// Shared bearer token every control- and data-plane request must carry; nil disables auth.
    public var token: String?
    /// Certificate files for gRPC TLS (server side, and client side when dialling other nodes); nil means plaintext.
    public var tls: TLSFiles?
    /// Address of the Prometheus `/metrics` endpoint; nil serves none.
    public var metricsListen: HostPort?
    /// Address of the native data-plane listener; nil means the host of `listen` with a free port.
    public var dataListen: HostPort? = nil
    /// Most data-plane request bytes the shard holds at once (`DataPlaneAdmission`); nil means `DataPlaneAdmission.defaultLimitBytes`.
    public var maxInflightBytes: Int? = nil
    /// Bounds on job state, connections, streams, waiting pulls, answers and idle time.
    public var limits = ServerLimits.default
    /// Directory `init_from` models may also be read from (besides `dataDir`); nil allows only `dataDir`.
    public var importDir: String? = nil

    /// Creates a configuration with defaults for the optional parts.
    public init(
        listen: HostPort, dataDir: String, coordinator: HostPort?, advertise: HostPort? = nil, name: String? = nil,
        heartbeatInterval: Duration = .seconds(1), heartbeatTimeout: Duration = .seconds(10), portFile: String? = nil,
        token: String? = nil, tls: TLSFiles? = nil, metricsListen: HostPort? = nil
    ) {
        self.listen = listen
        self.advertise = advertise
        self.dataDir = dataDir
        self.coordinator = coordinator
        self.name = name
        self.heartbeatInterval = heartbeatInterval
        self.heartbeatTimeout = heartbeatTimeout
        self.portFile = portFile
        self.token = token
        self.tls = tls
        self.metricsListen = metricsListen
    }
}
