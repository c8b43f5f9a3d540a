import DataPlane
import JobSpec
import Synchronization
import protocol Training.Model
import struct Training.WideDeepConfig

/// What a registered model factory gets: the job spec and what the worker learned from the data.
public struct ModelRequest: Sendable {
    /// The whole job spec (its `model` section included).
    public let spec: JobSpec
    /// Features per input row.
    public let inputWidth: Int
    /// Classes of a classification task (from `model.classes` or the labels).
    public let classes: Int
    /// The column layout of categorical CSV data, if any.
    public let layout: WideDeepConfig?
}

/// User models by `model.type` name, consulted by the worker before the built-in families.
///
/// Register before the worker starts (in your own `main.swift`, then `Workerd.runFromCommandLine()` of WorkerdCommand, or `WorkerDaemon`): the
/// worker advertises `names()` when it registers with the coordinator, which accepts jobs of a registered type
/// only while some worker advertises it and hands their tasks only to such workers. Every worker of a job must
/// register the same factory so they declare identical variables.
public enum ModelRegistry {
    /// Builds a model for a job.
    public typealias Factory = @Sendable (ModelRequest) throws -> any Model

    private static let factories = Mutex<[String: Factory]>([:])

    /// Makes `model.type: <name>` build its model with `factory` (replacing an earlier registration); the name
    /// must match `[a-z][a-z0-9_]*` (at most 64 characters), else an `.invalidArgument` failure.
    public static func register(name: String, _ factory: @escaping Factory) throws {
        guard ModelType(rawValue: name) != nil else {
            throw RuntimeFailure(.invalidArgument, "\"\(name)\" is not a model type name: use [a-z][a-z0-9_]* (at most 64 characters)")
        }
        factories.withLock { $0[name] = factory }
    }

    /// Forgets the model registered under `name` (a worker registering afterwards no longer advertises it).
    public static func unregister(name: String) {
        _ = factories.withLock { $0.removeValue(forKey: name) }
    }

    /// The factory registered for `name`, if any.
    public static func factory(for name: String) -> Factory? {
        factories.withLock { $0[name] }
    }

    /// Every registered name, sorted (what the worker advertises to the coordinator).
    public static func names() -> [String] {
        factories.withLock { $0.keys.sorted() }
    }
}
