import Testing

@testable import Coordinator

/// The mixed-version policy at registration: another major version is refused with a sentence, another minor
/// version joins with a warning, patch versions mix freely.
@Suite struct VersionPolicyTests {
    @Test func versionsParse() {
        #expect(SoftwareVersion("0.1.0")?.description == "0.1.0")
        #expect(SoftwareVersion("1.2")?.description == "1.2.0")
        #expect(SoftwareVersion("2.3.4-dev")?.minor == 3)
        for bad in ["", "1", "a.b.c", "1..2", "1.2.3.4", "99999999999.0.0", String(repeating: "1", count: 80)] {
            #expect(SoftwareVersion(bad) == nil, "\(bad)")
        }
    }

    @Test func samePatchOrMinorJoinsAnotherMajorIsRefused() throws {
        var c = try Coordinator()
        c.version = "1.4.2"
        _ = try c.register(NodeInfo(name: "same", role: .worker, address: "", version: "1.4.0"), now: 0)
        _ = try c.register(NodeInfo(name: "minor", role: .worker, address: "", version: "1.3.9"), now: 0)
        _ = try c.register(NodeInfo(name: "old", role: .ps, address: "a:1", version: ""), now: 0)
        #expect(c.membership.nodes().map(\.info.name).sorted() == ["minor", "old", "same"])
        let expected = CoordinatorError(
            .invalidNode,
            "node \"next\" runs Tessera 2.0.0, the coordinator runs 1.4.2: nodes of another major version cannot join "
                + "(upgrade every node to 1.x; docs/operations.md#mixed-versions)")
        #expect(throws: expected) { try c.register(NodeInfo(name: "next", role: .worker, address: "", version: "2.0.0"), now: 0) }
        #expect(!c.membership.nodes().contains { $0.info.name == "next" })
    }

    @Test func verdictsNameTheNodeAndBothVersions() {
        #expect(Coordinator.versionVerdict(node: "w", nodeVersion: "0.1.5", coordinatorVersion: "0.1.0") == .accept)
        guard case .warn(let minor) = Coordinator.versionVerdict(node: "w", nodeVersion: "0.2.0", coordinatorVersion: "0.1.0") else {
            Issue.record("expected a warning for another minor version")
            return
        }
        #expect(minor.contains("\"w\" runs Tessera 0.2.0, the coordinator runs 0.1.0"))
        guard case .warn(let unreadable) = Coordinator.versionVerdict(node: "w", nodeVersion: "", coordinatorVersion: "0.1.0") else {
            Issue.record("expected a warning for a node without a version")
            return
        }
        #expect(unreadable.contains("no readable Tessera version"))
        // A coordinator without a version (tests, tools) checks nothing.
        #expect(Coordinator.versionVerdict(node: "w", nodeVersion: "9.0.0", coordinatorVersion: "") == .accept)
    }
}
