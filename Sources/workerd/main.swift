import WorkerdCommand

await Workerd.runFromCommandLine()
