import ClusterAPI
import Foundation
import SwiftProtobuf

/// A hyperparameter value as TensorBoard's HParams dashboard shows it (a `google.protobuf.Value` kind).
public enum TensorBoardHParam: Sendable, Hashable {
    /// A number (a column the dashboard can sort and plot).
    case number(Double)
    /// A string (a categorical column).
    case string(String)
    /// A boolean.
    case bool(Bool)
}

/// How a session (one job) ended, as the HParams dashboard's status filter names it.
public enum TensorBoardSessionStatus: Sendable, Hashable {
    /// The job is still running.
    case running
    /// The job succeeded.
    case success
    /// The job failed.
    case failure
    /// Neither (a cancelled job).
    case unknown
}

/// The HParams plugin's summaries (`tensorboard/plugins/hparams/metadata.py`): tags, plugin name and version.
public enum TensorBoardHParams {
    /// The plugin name in `SummaryMetadata.plugin_data`.
    public static let pluginName = "hparams"
    /// The only plugin-data version TensorBoard reads.
    public static let pluginDataVersion: Int32 = 0
    /// The tag of the session start summary.
    public static let sessionStartTag = "_hparams_/session_start_info"
    /// The tag of the session end summary.
    public static let sessionEndTag = "_hparams_/session_end_info"

    /// The summary value TensorBoard's `hparams_pb` writes at a session's start (metadata plus an empty float tensor).
    public static func sessionStartValue(_ hparams: [String: TensorBoardHParam], group: String = "", startTime: Double) -> Tensorboard_Summary.Value {
        let data = Tensorboard_Hparams_HParamsPluginData.with {
            $0.version = pluginDataVersion
            $0.sessionStartInfo = .with { info in
                info.hparams = hparams.mapValues { value in
                    .with {
                        switch value {
                        case .number(let number): $0.numberValue = number
                        case .string(let string): $0.stringValue = string
                        case .bool(let bool): $0.boolValue = bool
                        }
                    }
                }
                info.groupName = group
                info.startTimeSecs = startTime
            }
        }
        return value(sessionStartTag, data)
    }

    /// The summary value written when a session ends.
    public static func sessionEndValue(_ status: TensorBoardSessionStatus, endTime: Double) -> Tensorboard_Summary.Value {
        let data = Tensorboard_Hparams_HParamsPluginData.with {
            $0.version = pluginDataVersion
            $0.sessionEndInfo = .with {
                $0.status = switch status {
                case .running: .running
                case .success: .success
                case .failure: .failure
                case .unknown: .unknown
                }
                $0.endTimeSecs = endTime
            }
        }
        return value(sessionEndTag, data)
    }

    private static func value(_ tag: String, _ data: Tensorboard_Hparams_HParamsPluginData) -> Tensorboard_Summary.Value {
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true  // hparams in key order: the same job always writes the same bytes
        let content: Data = (try? data.serializedBytes(options: options)) ?? Data()
        return .with {
            $0.tag = tag
            $0.metadata = .with {
                $0.pluginData = .with {
                    $0.pluginName = pluginName
                    $0.content = content
                }
            }
            $0.tensor = .with {
                $0.dtype = .dtFloat
                $0.tensorShape = .with { $0.dim = [.with { $0.size = 0 }] }
            }
        }
    }
}

extension TensorBoardWriter {
    /// Writes the HParams session start (the job's hyperparameters) at step 0.
    public func sessionStart(_ hparams: [String: TensorBoardHParam], group: String = "", time: Double = Date().timeIntervalSince1970) throws {
        try write([TensorBoardHParams.sessionStartValue(hparams, group: group, startTime: time)], step: 0, time: time)
    }

    /// Writes the HParams session end (how the job ended).
    public func sessionEnd(_ status: TensorBoardSessionStatus, step: Int64 = 0, time: Double = Date().timeIntervalSince1970) throws {
        try write([TensorBoardHParams.sessionEndValue(status, endTime: time)], step: step, time: time)
    }
}
