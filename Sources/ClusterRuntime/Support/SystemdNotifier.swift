import CSystemd

/// Tells systemd about the daemon's state through `sd_notify` (a no-op when not started by systemd).
public struct SystemdNotifier: Sendable {
    /// Creates a notifier.
    public init() {}

    /// READY=1 with a status line: the daemon is listening and serving.
    public func ready(status: String) { send("READY=1\nSTATUS=\(status)") }

    /// STATUS= line shown by `systemctl status`.
    public func status(_ text: String) { send("STATUS=\(text)") }

    /// STOPPING=1: shutdown has begun.
    public func stopping() { send("STOPPING=1") }

    /// WATCHDOG=1 keep-alive.
    public func watchdog() { send("WATCHDOG=1") }

    /// The watchdog interval systemd asked for (WATCHDOG_USEC), if any.
    public var watchdogInterval: Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec))
    }

    private func send(_ state: String) {
        _ = sd_notify(0, state)
    }
}
