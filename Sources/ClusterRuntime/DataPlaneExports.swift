// The runtime's clients, services and daemons speak the data plane's types (ParameterClient, DataPlaneHandler,
// RuntimeFailure, HostPort) in their API, so every module that imports ClusterRuntime sees them as well.
@_exported import DataPlane
