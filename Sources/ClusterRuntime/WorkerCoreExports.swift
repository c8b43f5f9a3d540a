// Custom workers register their models (`ModelRegistry`) and run `StepLoop` through ClusterRuntime and WorkerdCommand,
// so every module that imports ClusterRuntime sees the worker's transport-free core as well.
@_exported import WorkerCore
