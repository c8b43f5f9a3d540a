// Work in progress: the runtime lands in a later commit.
