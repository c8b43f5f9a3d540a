import Testing

@testable import Coordinator

/// Node secrets: handed out at registration, required to speak for a node or to take a live node's name.
@Suite struct NodeIdentityTests {
    let worker = NodeInfo(name: "w-0", role: .worker, address: "")

    @Test func registrationHandsOutARandom128BitHexSecret() throws {
        var m = Membership()
        let a = try m.register(worker, now: 0)
        let b = try m.register(NodeInfo(name: "w-1", role: .worker, address: ""), now: 0)
        #expect(a.secret.count == 32 && a.secret.allSatisfy(\.isHexDigit))
        #expect(a.secret != b.secret)
        #expect(Set((0..<200).map { _ in NodeSecret.generate() }).count == 200)
    }

    @Test func callsMustCarryTheNodesOwnSecret() throws {
        var m = Membership()
        let a = try m.register(worker, now: 0)
        let b = try m.register(NodeInfo(name: "w-1", role: .worker, address: ""), now: 0)
        try m.authenticate(a.id, secret: a.secret)
        // Another node's secret, a guess, nothing: refused with a sentence naming the node.
        for wrong in [b.secret, "", String(a.secret.dropLast()), a.secret + "0", String(repeating: "0", count: 32)] {
            #expect { try m.authenticate(a.id, secret: wrong) } throws: { error in
                let e = error as? CoordinatorError
                return e?.code == .unauthenticated && e?.message == "node \(a.id.rawValue): the node secret does not match; register again"
            }
        }
        #expect { try m.authenticate(NodeID(99), secret: a.secret) } throws: { ($0 as? CoordinatorError)?.code == .unknownNode }
    }

    @Test func aHeartbeatingNodesNameNeedsItsSecretButASilentOnesCanBeTakenOver() throws {
        var m = Membership(heartbeatInterval: 1, heartbeatTimeout: 10)
        #expect(m.takeoverSilence == 3)
        let first = try m.register(worker, now: 0)
        // Heartbeating: no secret, or a wrong one, is ALREADY_EXISTS naming the node and the wait.
        for (now, secret) in [(1.0, nil), (2.0, "beef"), (2.9, nil)] as [(Double, String?)] {
            #expect { try m.register(worker, secret: secret, now: now) } throws: { error in
                let e = error as? CoordinatorError
                return e?.code == .nameTaken && e!.message.contains("\(first.id)") && e!.message.contains("3.0 s")
            }
            _ = try m.heartbeat(first.id, now: now)
        }
        // With its secret it re-registers at once and keeps id and secret.
        let again = try m.register(worker, secret: first.secret, now: 4)
        #expect(again.id == first.id && again.secret == first.secret)
        // Silent for three heartbeat intervals (still alive, far from dead): a restarted node takes the name over,
        // same id, new secret; the old secret no longer works, and the old process cannot take it back.
        let taken = try m.register(worker, now: 7.5)
        #expect(taken.id == first.id && taken.secret != first.secret && taken.state == .alive)
        #expect(throws: CoordinatorError.self) { try m.authenticate(first.id, secret: first.secret) }
        try m.authenticate(first.id, secret: taken.secret)
        #expect(throws: CoordinatorError.self) { try m.register(worker, secret: first.secret, now: 8) }
        // A dead node's name, likewise.
        _ = m.sweep(now: 30)
        #expect(m.node(first.id)?.state == .dead)
        #expect(try m.register(worker, now: 30).id == first.id)
    }

    @Test func theCoordinatorsOwnPsdAndLegacyRecordsNeedNoSecret() throws {
        var m = Membership()
        let ps = try m.register(NodeInfo(name: "ps-0", role: .ps, address: "h:1"), now: 0)
        let trusted = try m.register(NodeInfo(name: "ps-0", role: .ps, address: "h:1"), trusted: true, now: 1)
        #expect(trusted.id == ps.id && trusted.secret == ps.secret)
        // A node stored before secrets existed has none: it takes a new one on its next registration.
        var legacy = try m.register(worker, now: 0)
        legacy.secret = ""
        var restored = Membership(restoring: [legacy], now: 100)
        #expect(throws: CoordinatorError.self) { try restored.authenticate(legacy.id, secret: "") }
        let upgraded = try restored.register(worker, now: 101)
        #expect(upgraded.id == legacy.id && upgraded.secret.count == 32)
    }

    @Test func secretsSurviveARestoreAndOnlyRealChangesAreReported() throws {
        var c = try Coordinator()
        let node = try c.register(worker, now: 0)
        #expect(c.takeChanges().nodes.map(\.id) == [node.id])
        _ = try c.heartbeat(node.id, now: 1)
        #expect(c.takeChanges().nodes.isEmpty)  // a heartbeat alone changes nothing to persist
        var restored = try Coordinator(restoring: c.snapshot(), now: 50)
        #expect(restored.takeChanges().isEmpty)
        try restored.authenticate(node.id, secret: node.secret)
        #expect(throws: CoordinatorError.self) { _ = try restored.register(worker, now: 51) }
        #expect(try restored.register(worker, secret: node.secret, now: 51).id == node.id)
    }

    @Test func constantTimeMatchEqualsEqualityForAllLengths() {
        let expected = NodeSecret.generate()
        for length in 0...80 {
            let candidates = [String(expected.prefix(length)), String(repeating: "a", count: length), expected + String(repeating: "0", count: max(0, length - 32))]
            for candidate in candidates {
                #expect(NodeSecret.matches(candidate, expected) == (candidate == expected), "length \(length)")
            }
        }
        #expect(!NodeSecret.matches("", ""))
    }
}
