/// Tessera's release version, reported by every daemon and `clusterctl --version`.
public let tesseraVersion = "0.1.0"
