import Logging

/// The daemons' logger: human-readable lines on stderr at the requested level.
public func makeLogger(label: String, level: String) -> Logger {
    var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = Logger.Level(rawValue: level.lowercased()) ?? .info
    return logger
}
