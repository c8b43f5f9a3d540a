import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// Serves a `PredictionAPI` (TensorFlow Serving's REST predict API) over HTTP/1.1 with keep-alive, as a lifecycle
/// `Service`. It holds at most `limits.maxConnections` connections, closes one idle for `limits.idleTimeout`, refuses
/// a body over the API's `maxBodyBytes` with 413 before reading it, and answers each request on its connection's
/// event loop (a prediction is a short forward pass; no thread hop) — but a prediction of an embedding model, which
/// reads rows from its shards, in a task whose answer is written back on that loop.
public final class PredictionHTTPServer: Service, Sendable {
    /// The address asked for.
    public let address: HostPort
    private let api: PredictionAPI
    private let logger: Logger
    private let limits: ServerLimits
    private let bound = LockedValue<HostPort?>(nil)

    /// Certificate and key when it serves HTTPS (client certificates are not asked for: requests carry the token).
    public let tls: TLSFiles?

    /// A server of `api` on `address` (port 0: any free port, see `boundAddress`), HTTPS with `tls`.
    public init(address: HostPort, api: PredictionAPI, logger: Logger, limits: ServerLimits = .default, tls: TLSFiles? = nil) {
        self.tls = tls
        self.address = address
        self.api = api
        self.logger = logger
        self.limits = limits
    }

    /// The bound address once listening (resolves port 0).
    public var boundAddress: HostPort? { bound.value }

    private let channel = LockedValue<(any Channel)?>(nil)

    /// Listens now (before `run`), so the bound address can be advertised first; returns it. Idempotent.
    @discardableResult
    public func bind() async throws -> HostPort {
        if let address = bound.value { return address }
        let api = self.api
        let context: NIOSSLContext?
        do {
            context = try tls.map { try NIOSSLContext(configuration: .makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile($0.certificate).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: $0.key, format: .pem)))) }
        } catch {
            throw RuntimeFailure(.failedPrecondition, "cannot load the prediction server's TLS certificate \(tls?.certificate ?? ""): \(error)")
        }
        let (server, boundAddress) = try await HTTPListener.bind(address, for: "predictions", limits: limits, noDelay: true, tls: context) {
            PredictionHTTPHandler(api: api)
        }
        channel.value = server
        bound.value = boundAddress ?? address
        logger.info("serving predictions", metadata: [
            "models": "\(api.models.names.joined(separator: ","))",
            "address": "\(tls == nil ? "http" : "https")://\(bound.value ?? address)/v1/models/<name>:predict",
        ])
        return bound.value ?? address
    }

    /// Binds (unless `bind` did) and serves until graceful shutdown.
    public func run() async throws {
        try await bind()
        try? await gracefulShutdown()
        try? await channel.value?.close()
    }
}

/// One HTTP request at a time on a connection: the body is gathered (up to the limit), then answered.
private final class PredictionHTTPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let api: PredictionAPI
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var refused = false

    init(api: PredictionAPI) { self.api = api }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
            body.removeAll(keepingCapacity: true)
            refused = false
            let declared = request.headers.first(name: "Content-Length").flatMap { Int($0) } ?? 0
            if declared > api.limits.maxBodyBytes { refuseTooLarge(context: context, declared) }
        case .body(let buffer):
            guard !refused else { return }
            guard body.count + buffer.readableBytes <= api.limits.maxBodyBytes else {
                refuseTooLarge(context: context, body.count + buffer.readableBytes)
                return
            }
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let request = head, !refused else { return }
            head = nil
            let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
            let authorization = request.headers.first(name: "Authorization")
            // An embedding model's prediction reads rows from its shards: answered when they arrive, off the event loop
            // (the pipelining handler holds the connection's next request until this answer's end is written).
            if api.awaitsRows(method: request.method.rawValue, path: path) {
                answerLater(context: context, method: request.method.rawValue, path: path, authorization: authorization, keepAlive: request.isKeepAlive)
                return
            }
            // Well-formed rows of numbers take the fast reader; everything else (and every refusal) the general one.
            let answer = api.fastAnswer(method: request.method.rawValue, path: path, authorization: authorization, body: body)
                ?? api.answer(method: request.method.rawValue, path: path, authorization: authorization, body: body)
            respond(context: context, answer, keepAlive: request.isKeepAlive)
        }
    }

    /// Answers with `asyncAnswer` in a task, then writes the answer on the connection's event loop.
    private func answerLater(context: ChannelHandlerContext, method: String, path: String, authorization: String?, keepAlive: Bool) {
        let api = self.api, body = self.body
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        context.eventLoop.makeFutureWithTask {
            await api.asyncAnswer(method: method, path: path, authorization: authorization, body: body)
        }.whenSuccess { answer in
            bound.value.handler.respond(context: bound.value.context, answer, keepAlive: keepAlive)
        }
    }

    /// 413 and close: the rest of the body is not read.
    private func refuseTooLarge(context: ChannelHandlerContext, _ bytes: Int) {
        refused = true
        RefusalMetrics.record(.messageBytes)
        respond(context: context, .init(status: 413, body: Array(
            "{\"error\":\"the request body has \(bytes) bytes or more, over the \(api.limits.maxBodyBytes) a prediction request may have\"}".utf8)),
            keepAlive: false)
    }

    /// A request NIO cannot parse was already answered 400 by the protocol error handler: close the connection.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        RefusalMetrics.record(.malformed)
        context.close(promise: nil)
    }

    private func respond(context: ChannelHandlerContext, _ answer: PredictionAPI.Answer, keepAlive: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(answer.body.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: answer.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: answer.body)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { _ in context.close(promise: nil) } }
    }
}
