import DataPlane

/// Picks the data-plane channel for a job's transport.
public enum DataPlaneChannels {
    /// A channel of `kind` to a shard's data-plane address (native: its data address; grpc: its control address).
    public static func make(_ kind: DataPlaneKind, address: HostPort, token: String? = nil, tls: TLSFiles? = nil) throws -> any DataPlaneChannel {
        switch kind {
        case .native: NativeDataPlaneChannel(address: address, token: token, tls: tls)
        case .grpc: try GRPCDataPlaneChannel(address: address, security: RPCSecurity(token: token, tls: tls))
        }
    }
}
