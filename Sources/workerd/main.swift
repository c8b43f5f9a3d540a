import WorkerdCommand

await Workerd.main()
