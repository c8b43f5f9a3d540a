import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One TensorFlow Serving REST request to a replica over HTTP or HTTPS (`clusterctl predict`): HTTPS verifies the
/// worker's certificate against the cluster CA when one is given (host names unchecked, as on the gRPC side), else
/// against the system roots. The answer is read up to `maxAnswerBytes`.
public enum PredictionHTTPClient {
    /// Largest answer read.
    public static let maxAnswerBytes = 64 << 20

    /// POSTs `body` to `url` (GET when `body` is nil) with the bearer `token`; returns the status and the body.
    public static func send(
        url: URL, body: [UInt8]?, token: String?, ca: String?, timeout: Duration
    ) async throws -> (status: Int, body: [UInt8]) {
        guard let scheme = url.scheme, scheme == "http" || scheme == "https", let host = url.host else {
            throw RuntimeFailure(.invalidArgument, "'\(url)' is not an http(s) URL")
        }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        var tls: NIOSSLContext?
        if scheme == "https" {
            var config = TLSConfiguration.makeClientConfiguration()
            if let ca {
                config.trustRoots = .file(ca)
                config.certificateVerification = .noHostnameVerification
            }
            tls = try NIOSSLContext(configuration: config)
        }
        let answer = EventLoopPromiseBox()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(TimeAmount(timeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    if let tls { try operations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: NativeTLS.serverHostname(host))) }
                    try operations.addHTTPClientHandlers()
                    answer.make(on: channel.eventLoop)
                    try operations.addHandler(AnswerCollector(answer: answer))
                }
            }
            .connect(host: host, port: port).get()
        defer { channel.close(promise: nil) }
        var head = HTTPRequestHead(version: .http1_1, method: body == nil ? .GET : .POST, uri: url.path.isEmpty ? "/" : url.path)
        head.headers.add(name: "Host", value: "\(host):\(port)")
        head.headers.add(name: "Connection", value: "close")
        if let token { head.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            head.headers.add(name: "Content-Type", value: "application/json")
            head.headers.add(name: "Content-Length", value: String(body.count))
        }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: body))), promise: nil) }
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil)).get()
        let timeoutTask = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            answer.fail(RuntimeFailure(.deadlineExceeded, "\(url) did not answer within \(timeout)"))
        }
        defer { timeoutTask.cancel() }
        return try await (try answer.future).get()
    }
}

/// The response promise, made once the channel's event loop is known, completed once (answer, error or timeout).
private final class EventLoopPromiseBox: @unchecked Sendable {
    private var promise: EventLoopPromise<(status: Int, body: [UInt8])>?
    private var completed = false
    private let lock = NSLock()

    func make(on loop: any EventLoop) {
        lock.withLock { promise = loop.makePromise(of: (status: Int, body: [UInt8]).self) }
    }

    var future: EventLoopFuture<(status: Int, body: [UInt8])> {
        get throws {
            guard let promise = lock.withLock({ promise }) else { throw RuntimeFailure(.internalError, "no connection was made") }
            return promise.futureResult
        }
    }

    func succeed(_ answer: (status: Int, body: [UInt8])) { complete { $0.succeed(answer) } }

    func fail(_ error: any Error) { complete { $0.fail(error) } }

    private func complete(_ body: (EventLoopPromise<(status: Int, body: [UInt8])>) -> Void) {
        let target: EventLoopPromise<(status: Int, body: [UInt8])>? = lock.withLock {
            guard !completed, let promise else { return nil }
            completed = true
            return promise
        }
        if let target { body(target) }
    }
}

/// Gathers one HTTP response (bounded) and completes the promise.
private final class AnswerCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    private let promise: EventLoopPromiseBox
    private var status = 0
    private var body: [UInt8] = []

    init(answer: EventLoopPromiseBox) { promise = answer }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = Int(clamping: head.status.code)
        case .body(var buffer):
            guard body.count + buffer.readableBytes <= PredictionHTTPClient.maxAnswerBytes else {
                promise.fail(RuntimeFailure(.resourceExhausted, "the answer is over \(PredictionHTTPClient.maxAnswerBytes) bytes"))
                context.close(promise: nil)
                return
            }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end: promise.succeed((status, body))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(RuntimeFailure(.unavailable, "the replica closed the connection before answering"))
    }
}
