import ClusterRuntime
import Testing

/// A channel that answers overload refusals a set number of times, then succeeds.
private final class RefusingChannel: DataPlaneChannel {
    let refusals: LockedValue<Int>
    let calls = LockedValue(0)
    let failure: RuntimeFailure

    init(refusals: Int, failure: RuntimeFailure) {
        self.refusals = LockedValue(refusals)
        self.failure = failure
    }

    func exchange(_ method: DataPlaneMethod, request: [UInt8], timeout: Duration) async throws -> [UInt8] {
        calls.withLock { $0 += 1 }
        let refuse = refusals.withLock { left -> Bool in
            defer { left -= 1 }
            return left > 0
        }
        if refuse { throw failure }
        return request
    }

    func close() {}
}

@Suite("Overload control")
struct OverloadControlTests {
    static let overload = RuntimeFailure(.resourceExhausted, "shard busy (\(DataPlaneAdmission.overloadMarker)): …")
    static let address = HostPort(host: "10.0.0.7", port: 7071)

    @Test("admission refuses past the limit, naming it, and releases exactly")
    func admissionLimit() throws {
        let admission = DataPlaneAdmission(limitBytes: 1000)
        try admission.admit(600, for: .push)
        try admission.admit(400, for: .pull)
        #expect(throws: RuntimeFailure.self) { try admission.admit(1, for: .push) }
        do {
            try admission.admit(10, for: .push)
        } catch {
            #expect(error.code == .resourceExhausted)
            #expect(error.message.contains("limit of 1000 bytes"))
            #expect(ShardChannel.isOverload(error))
        }
        admission.release(600)
        try admission.admit(500, for: .push)
        admission.release(500)
        admission.release(400)
        let stats = admission.stats
        #expect(stats.inFlightBytes == 0)
        #expect(stats.peakBytes == 1000)
        #expect(stats.admitted == 3)
        #expect(stats.rejected == 2)
    }

    @Test("one request larger than the whole limit passes only when nothing else is in flight")
    func oversizedAlone() throws {
        let admission = DataPlaneAdmission(limitBytes: 100)
        try admission.admit(500, for: .push)
        #expect(throws: RuntimeFailure.self) { try admission.admit(1, for: .pull) }
        admission.release(500)
        try admission.admit(1, for: .pull)
        #expect(throws: RuntimeFailure.self) { try admission.admit(500, for: .push) }
    }

    @Test("the default limit is between 64 MiB and 1 GiB")
    func defaultLimit() {
        #expect((64 << 20)...(1 << 30) ~= DataPlaneAdmission.defaultLimitBytes)
    }

    @Test("backoff doubles from the initial wait up to the cap, jittered by ½ … 1")
    func backoffShape() {
        let backoff = OverloadBackoff(initial: .milliseconds(10), cap: .milliseconds(100))
        #expect(backoff.delay(attempt: 1, random: 1) == .milliseconds(10))
        #expect(backoff.delay(attempt: 3, random: 1) == .milliseconds(40))
        #expect(backoff.delay(attempt: 10, random: 1) == .milliseconds(100))
        #expect(backoff.delay(attempt: 3, random: 0.5) == .milliseconds(20))
        #expect(backoff.delay(attempt: 1000, random: 1) == .milliseconds(100))
    }

    @Test("overload refusals are retried until the call succeeds")
    func retriesOverload() async throws {
        let base = RefusingChannel(refusals: 4, failure: Self.overload)
        let channel = ShardChannel(base, address: Self.address, backoff: OverloadBackoff(initial: .milliseconds(1), cap: .milliseconds(4)))
        let answer = try await channel.exchange(.push, request: [1, 2, 3], timeout: .seconds(300))  // generous: the full suite can starve sleeps
        #expect(answer == [1, 2, 3])
        #expect(base.calls.value == 5)
    }

    @Test("retries stop at the deadline with RESOURCE_EXHAUSTED naming the shard")
    func givesUpAtDeadline() async throws {
        let base = RefusingChannel(refusals: .max, failure: Self.overload)
        let channel = ShardChannel(base, address: Self.address, backoff: OverloadBackoff(initial: .milliseconds(5), cap: .milliseconds(20)))
        do {
            _ = try await channel.exchange(.push, request: [], timeout: .milliseconds(200))
            Issue.record("an always-overloaded shard answered")
        } catch let failure as RuntimeFailure {
            #expect(failure.code == .resourceExhausted)
            #expect(failure.message.contains("10.0.0.7:7071"))
            #expect(base.calls.value >= 2)
        }
    }

    @Test("other errors, and RESOURCE_EXHAUSTED for an oversized frame, are not retried")
    func otherErrorsPassThrough() async throws {
        for failure in [RuntimeFailure(.invalidArgument, "bad"), RuntimeFailure(.resourceExhausted, "malformed TensorWire frame: the message is 5000 bytes")] {
            let base = RefusingChannel(refusals: 1, failure: failure)
            let channel = ShardChannel(base, address: Self.address)
            await #expect(throws: RuntimeFailure.self) { try await channel.exchange(.push, request: [], timeout: .seconds(5)) }
            #expect(base.calls.value == 1)
        }
    }

    @Test("max_inflight_bytes comes from the config layers and is checked")
    func setting() throws {
        let base = ["TESSERA_DATA_DIR": "/tmp/x", "TESSERA_COORDINATOR_SELF": "true"]
        var env = base
        env["TESSERA_MAX_INFLIGHT_BYTES"] = "268435456"
        let settings = try LayeredConfig.load(ParameterServerSettings.self, file: nil, environment: env, flags: [:])
        #expect(settings.maxInflightBytes == 256 << 20)
        #expect(try settings.makeConfig().maxInflightBytes == 256 << 20)
        #expect(try LayeredConfig.load(ParameterServerSettings.self, file: nil, environment: base, flags: [:]).maxInflightBytes == nil)
        env["TESSERA_MAX_INFLIGHT_BYTES"] = "1000"
        #expect(throws: ConfigError.self) { try LayeredConfig.load(ParameterServerSettings.self, file: nil, environment: env, flags: [:]) }
    }
}
