import Coordinator
import Synchronization
import Training

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
/// Register before starting the worker (e.g. in your own `main` that then runs `WorkerDaemon`);
/// every worker of a job must register the same factory so they declare identical variables.
public enum ModelRegistry {
    /// Builds a model for a job.
    public typealias Factory = @Sendable (ModelRequest) throws -> any Model

    private static let factories = Mutex<[String: Factory]>([:])

    /// Makes `model.type: <name>` build its model with `factory` (replacing an earlier registration).
    public static func register(name: String, _ factory: @escaping Factory) {
        factories.withLock { $0[name] = factory }
    }

    /// The factory registered for `name`, if any.
    public static func factory(for name: String) -> Factory? {
        factories.withLock { $0[name] }
    }
}
