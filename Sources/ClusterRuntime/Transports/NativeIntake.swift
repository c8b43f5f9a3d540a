/// What a server connection's `NativeMessageDecoder` may take in next, decided between messages
/// (event-loop bound: the decoder and the `NativeServerHandler` of one connection share it).
///
/// Before the handshake only a hello preamble of at most `maxHelloBytes` is accepted; once a hello
/// is read nothing more is decoded until its token is checked; after that, requests are decoded
/// while fewer than `maxInFlight` are being served and the connection can take more answers
/// (pipelined requests wait in the socket, and reads stop, instead of piling up as tasks).
final class NativeIntake {
    /// Where the connection is in its life.
    enum Phase: Equatable {
        /// Nothing but a hello may come.
        case awaitingHello
        /// A hello was read; its token is being checked.
        case checkingHello
        /// Authenticated: requests are served.
        case open
        /// Refused or closing: whatever arrives is discarded unread.
        case refused
    }

    /// The connection's phase.
    private(set) var phase: Phase = .awaitingHello
    /// Requests handed to tasks whose answers have not been written yet.
    private(set) var inFlight = 0
    /// Most requests served at once on this connection.
    let maxInFlight: Int
    /// False while the channel's send buffer is over its high-water mark.
    private var writable = true
    /// Called when the decoder may take in more (set by the decoder).
    var onResume: (() -> Void)?

    /// An intake for a connection serving at most `maxInFlight` requests at once.
    init(maxInFlight: Int) {
        self.maxInFlight = max(1, maxInFlight)
    }

    /// Whether the decoder may decode another message now.
    var mayDecode: Bool {
        switch phase {
        case .awaitingHello: true
        case .open: inFlight < maxInFlight && writable
        case .checkingHello, .refused: false
        }
    }

    /// A hello preamble was accepted: hold everything after it until `authenticated()` or `refuse()`.
    func helloArrived() {
        if phase == .awaitingHello || phase == .open { phase = .checkingHello }
    }

    /// The token was right: requests may flow.
    func authenticated() {
        guard phase != .refused else { return }
        phase = .open
        resume()
    }

    /// The connection is being refused: nothing more is decoded.
    func refuse() { phase = .refused }

    /// A request was handed to a task.
    func started() { inFlight += 1 }

    /// A task's answer was handed to the channel.
    func finished() {
        inFlight -= 1
        resume()
    }

    /// The channel's writability changed.
    func setWritable(_ isWritable: Bool) {
        writable = isWritable
        if isWritable { resume() }
    }

    private func resume() {
        if mayDecode { onResume?() }
    }
}
