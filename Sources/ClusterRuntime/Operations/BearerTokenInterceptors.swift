import GRPCCore

/// The metadata key and scheme every Tessera RPC carries its token in (`authorization: Bearer <token>`),
/// so any gRPC client can authenticate.
public enum BearerToken {
    /// The metadata key.
    public static let metadataKey = "authorization"
    /// Services reachable without a token: health probes (load balancers, Kubernetes) carry none.
    public static let exemptServices: Set<String> = ["grpc.health.v1.Health"]

    /// True when the two strings' UTF-8 bytes are equal, in time independent of their content.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        constantTimeEquals(Array(a.utf8), Array(b.utf8))
    }

    /// True when the two byte strings are equal. Every byte up to the longer length is compared and the
    /// length difference is kept at full width, so the time depends only on the lengths, never on where
    /// (or whether) the contents differ, and no length difference can fold to zero.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt(bitPattern: a.count ^ b.count)
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                for i in 0..<max(x.count, y.count) {
                    let left = i < x.count ? x[i] : 0
                    let right = i < y.count ? y[i] : 0
                    difference |= UInt(left ^ right)
                }
            }
        }
        return difference == 0
    }
}

/// Rejects every request whose `authorization` metadata is not `Bearer <token>` with UNAUTHENTICATED,
/// before the handler runs (so nothing is applied).
public struct BearerTokenServerInterceptor: ServerInterceptor {
    private let expected: String

    /// Creates the interceptor for a shared token.
    public init(token: String) { expected = "Bearer " + token }

    /// Checks the token, then hands on.
    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        if BearerToken.exemptServices.contains(context.descriptor.service.fullyQualifiedService) {
            return try await next(request, context)
        }
        let presented = request.metadata[stringValues: BearerToken.metadataKey]
        guard presented.contains(where: { BearerToken.constantTimeEquals($0, expected) }) else {
            RefusalMetrics.record(.authentication)
            let missing = presented.first(where: { _ in true }) == nil
            throw RPCError(
                code: .unauthenticated,
                message: missing
                    ? "this node requires a token: pass --token-file (metadata `authorization: Bearer <token>`)"
                    : "the bearer token is not the cluster's token")
        }
        return try await next(request, context)
    }
}

/// Adds `authorization: Bearer <token>` to every outgoing request.
public struct BearerTokenClientInterceptor: ClientInterceptor {
    private let value: String

    /// Creates the interceptor for a shared token.
    public init(token: String) { value = "Bearer " + token }

    /// Adds the metadata, then hands on.
    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingClientRequest<Input>,
        context: ClientContext,
        next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
    ) async throws -> StreamingClientResponse<Output> {
        var request = request
        request.metadata.replaceOrAddString(value, forKey: BearerToken.metadataKey)
        return try await next(request, context)
    }
}

extension RPCSecurity {
    /// The server interceptors this setting asks for.
    var serverInterceptors: [any ServerInterceptor] {
        token.map { [BearerTokenServerInterceptor(token: $0)] } ?? []
    }

    /// The client interceptors this setting asks for.
    var clientInterceptors: [any ClientInterceptor] {
        token.map { [BearerTokenClientInterceptor(token: $0)] } ?? []
    }
}
