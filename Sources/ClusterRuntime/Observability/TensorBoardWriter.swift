import ClusterAPI
import Foundation
import Training

/// Writes TensorBoard scalar summaries (`Event` protos in TFRecord framing) into a job's
/// `tensorboard/` directory, in a file named like TensorFlow's: `events.out.tfevents.<time>.<host>`.
public final class TensorBoardWriter: @unchecked Sendable {
    private let records: TFRecordWriter
    private let lock = NSLock()
    /// The directory holding the event file.
    public let directory: String

    /// Creates the directory and a new event file beginning with the file-version event.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let now = Date().timeIntervalSince1970
        let host = ProcessInfo.processInfo.hostName
        let path = "\(directory)/events.out.tfevents.\(Int(now)).\(host)"
        records = try TFRecordWriter(path: path)
        self.directory = directory
        let version = Tensorboard_Event.with {
            $0.wallTime = now
            $0.fileVersion = "brain.Event:2"
        }
        let versionBytes: [UInt8] = try version.serializedBytes()
        try records.append(versionBytes)
        try records.flush()
    }

    /// The event file's path.
    public var path: String { records.path }

    /// Writes scalars (tag → value) at a step; non-finite values are skipped.
    public func scalars(_ values: [(tag: String, value: Double)], step: Int64, time: Double = Date().timeIntervalSince1970) throws {
        let finite = values.filter { $0.value.isFinite }
        guard !finite.isEmpty else { return }
        try write(finite.map { item in
            .with {
                $0.tag = item.tag
                $0.simpleValue = Float(item.value)
            }
        }, step: step, time: time)
    }

    /// Writes one event holding summary values at a step.
    func write(_ values: [Tensorboard_Summary.Value], step: Int64, time: Double) throws {
        let event = Tensorboard_Event.with {
            $0.wallTime = time
            $0.step = step
            $0.summary = .with { $0.value = values }
        }
        let bytes: [UInt8] = try event.serializedBytes()
        try lock.withLock {
            try records.append(bytes)
            try records.flush()
        }
    }
}
