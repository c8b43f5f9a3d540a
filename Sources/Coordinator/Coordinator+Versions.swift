/// A Tessera release number, `MAJOR.MINOR[.PATCH]` with an optional `-suffix` (docs/operations.md#mixed-versions).
public struct SoftwareVersion: Sendable, Hashable, CustomStringConvertible {
    /// Incompatible changes: nodes of another major version are refused.
    public var major: Int
    /// Compatible additions: nodes of another minor version join with a warning.
    public var minor: Int
    /// Fixes only.
    public var patch: Int

    /// Longest version text read (a node's version arrives from the network).
    public static let maxBytes = 64

    /// Reads "1.2.3", "1.2" or "1.2.3-dev"; nil for anything else (or text over `maxBytes`).
    public init?(_ text: String) {
        guard text.utf8.count <= Self.maxBytes else { return nil }
        let core = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count) else { return nil }
        var numbers: [Int] = []
        for part in parts {
            // At most 9 digits: the value fits any Int, and Int(_:) of digits never traps.
            guard !part.isEmpty, part.count <= 9, part.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(part) else { return nil }
            numbers.append(n)
        }
        major = numbers[0]
        minor = numbers[1]
        patch = numbers.count == 3 ? numbers[2] : 0
    }

    /// "MAJOR.MINOR.PATCH".
    public var description: String { "\(major).\(minor).\(patch)" }
}

/// What the coordinator does with a registering node's version.
public enum VersionVerdict: Sendable, Hashable {
    /// Same major and minor version (or no coordinator version to compare with).
    case accept
    /// Joins, with this sentence logged as a warning: another minor version, or no readable version.
    case warn(String)
    /// Refused with this sentence: another major version.
    case refuse(String)
}

extension Coordinator {
    /// The mixed-version policy: a node of another major version than the coordinator is refused, one of another
    /// minor version (or without a readable version) joins with a warning; patch versions mix freely.
    public static func versionVerdict(node: String, nodeVersion: String, coordinatorVersion: String) -> VersionVerdict {
        guard let mine = SoftwareVersion(coordinatorVersion) else { return .accept }
        let shown = nodeVersion.utf8.count <= SoftwareVersion.maxBytes ? nodeVersion : String(nodeVersion.prefix(SoftwareVersion.maxBytes)) + "…"
        guard let theirs = SoftwareVersion(nodeVersion) else {
            return .warn(
                "node \"\(node)\" reports no readable Tessera version (\"\(shown)\"); the coordinator runs \(coordinatorVersion): "
                    + "upgrade the node so the mixed-version policy can be applied")
        }
        if theirs.major != mine.major {
            return .refuse(
                "node \"\(node)\" runs Tessera \(nodeVersion), the coordinator runs \(coordinatorVersion): nodes of another major "
                    + "version cannot join (upgrade every node to \(mine.major).x; docs/operations.md#mixed-versions)")
        }
        if theirs.minor != mine.minor {
            return .warn(
                "node \"\(node)\" runs Tessera \(nodeVersion), the coordinator runs \(coordinatorVersion): another minor version "
                    + "joins, but finish the upgrade soon (docs/operations.md#mixed-versions)")
        }
        return .accept
    }

    /// Applies `versionVerdict` to a registering node: throws `.invalidNode` on a refusal, logs a warning otherwise.
    func checkVersion(_ info: NodeInfo) throws(CoordinatorError) {
        switch Self.versionVerdict(node: info.name, nodeVersion: info.version, coordinatorVersion: version) {
        case .accept: return
        case .warn(let message):
            logger.warning("node of another version", metadata: ["name": "\(info.name)", "version": "\(info.version)", "problem": "\(message)"])
        case .refuse(let message):
            throw CoordinatorError(.invalidNode, message)
        }
    }
}
