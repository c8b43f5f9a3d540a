// tessera-example-worker: workerd plus one user model, `model.type: two_tower` (examples/two-tower.yaml).
// Register models first: the worker advertises ModelRegistry.names() when it registers with the coordinator.
import ClusterRuntime
import WorkerdCommand

try ModelRegistry.register(name: "two_tower") { request in
    // Split the row in half (breast cancer: 15 + 15 features); `model.hidden: [W]` sets the towers' width (default 16).
    try TwoTowerModel(inputWidth: request.inputWidth, split: request.inputWidth / 2, hidden: request.spec.model.hidden.first ?? 16)
}
await Workerd.runFromCommandLine()
