import Testing

@testable import Coordinator

@Suite struct MembershipTests {
    let ps = NodeInfo(name: "ps-0", role: .ps, address: "10.0.0.1:7000")
    let worker = NodeInfo(name: "w-0", role: .worker, address: "10.0.0.2:0", device: "cpu", threads: 4, version: "0.1")

    @Test func registerAssignsIdsAndIsIdempotentByName() throws {
        var m = Membership()
        let a = try m.register(ps, now: 0)
        let b = try m.register(worker, now: 1)
        #expect(a.id != b.id)
        #expect(a.state == .alive)
        var moved = worker
        moved.address = "10.0.0.9:0"
        let again = try m.register(moved, secret: b.secret, now: 5)
        #expect(again.id == b.id)
        #expect(again.info.address == "10.0.0.9:0")
        #expect(again.registrations == 2)
        #expect(again.secret == b.secret)
        #expect(m.nodes().count == 2)
        #expect(m.node(named: "w-0")?.id == b.id)
    }

    @Test func rejectsNameReusedForAnotherRoleAndEmptyNames() throws {
        var m = Membership()
        _ = try m.register(ps, now: 0)
        #expect(throws: CoordinatorError.self) { _ = try m.register(NodeInfo(name: "ps-0", role: .worker, address: ""), now: 1) }
        #expect(throws: CoordinatorError.self) { _ = try m.register(NodeInfo(name: "", role: .worker, address: ""), now: 1) }
        #expect(throws: CoordinatorError.self) { _ = try m.register(NodeInfo(name: "ps-x", role: .ps, address: ""), now: 1) }
    }

    @Test func aliveSuspectDeadWithInjectedTime() throws {
        var m = Membership(heartbeatInterval: 1, heartbeatTimeout: 10)
        let id = try m.register(worker, now: 100).id
        #expect(m.sweep(now: 104).isEmpty)
        #expect(m.node(id)?.state == .alive)
        let s = m.sweep(now: 105.5)
        #expect(s.map(\.to) == [.suspect])
        #expect(s.first?.from == .alive)
        #expect(m.sweep(now: 106).isEmpty)  // no repeated transitions
        let d = m.sweep(now: 110.5)
        #expect(d.map(\.to) == [.dead])
        #expect(m.node(id)?.state == .dead)
        #expect(m.live(.worker).isEmpty)
    }

    @Test func heartbeatsKeepNodesAliveAndRevive() throws {
        var m = Membership()
        let id = try m.register(worker, now: 0)
        for t in stride(from: 1.0, through: 30, by: 1) {
            #expect(try m.heartbeat(id.id, now: t) == nil)
            #expect(m.sweep(now: t + 0.5).isEmpty)
        }
        _ = m.sweep(now: 45)
        #expect(m.node(id.id)?.state == .dead)
        let back = try m.heartbeat(id.id, now: 46)
        #expect(back?.from == .dead && back?.to == .alive)
        #expect(m.node(id.id)?.state == .alive)
    }

    @Test func deadNodeThatRestartsKeepsItsIdentity() throws {
        var m = Membership()
        let first = try m.register(worker, now: 0)
        _ = m.sweep(now: 20)
        #expect(m.node(first.id)?.state == .dead)
        let second = try m.register(worker, now: 21)
        #expect(second.id == first.id)
        #expect(second.state == .alive)
    }

    @Test func heartbeatFromUnknownNodeAsksToRegister() {
        var m = Membership()
        #expect { try m.heartbeat(NodeID(42), now: 0) } throws: { ($0 as? CoordinatorError)?.code == .unknownNode }
    }

    @Test func restoringGivesEveryNodeAFreshTimeout() throws {
        var m = Membership()
        let id = try m.register(worker, now: 0).id
        _ = m.sweep(now: 50)
        var restored = Membership(restoring: m.nodes(), now: 1000)
        #expect(restored.node(id)?.state == .alive)
        #expect(restored.sweep(now: 1004).isEmpty)
        #expect(restored.sweep(now: 1011).map(\.to) == [.dead])
        let other = try restored.register(ps, now: 1001)
        #expect(other.id != id)
    }
}
