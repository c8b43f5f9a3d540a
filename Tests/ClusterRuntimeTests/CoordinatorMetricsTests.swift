import Foundation
import Logging
import Testing

@testable import ClusterRuntime
@testable import Coordinator

/// The coordinator's per-job gauge: shown while the job is active, 0 once it ended, gone once it is deleted.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct CoordinatorMetricsTests {
    /// The registry's text exposition.
    func scrape() -> String {
        var buffer: [UInt8] = []
        TesseraMetrics.registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    @Test func aDeletedJobsGaugeIsRemoved() async throws {
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        let dir = temporaryFolder("tessera-gauges")
        let service = try CoordinatorService(
            name: "ps-0", dataDir: dir, heartbeatInterval: .seconds(1), heartbeatTimeout: .seconds(10), logger: logger)
        let spec = try JobSpecParser.parse(yaml: syntheticSpecYAML(name: "gauged"))
        // A job number no other test uses in this process.
        _ = try await service.withState { state in state.nextJobID = 987_654 }
        let id = try await service.withState { try $0.submit(spec, now: 1).id }
        let line = "tessera_samples_per_second{job=\"\(id)\"}"
        let refresh = CoordinatorMetrics.refresher(service)

        await refresh()
        #expect(scrape().contains(line + " 0"), "\(scrape())")
        await service.perform(try await service.withState { try $0.cancel(id, now: 2) })
        await refresh()
        #expect(scrape().contains(line + " 0"))
        let (_, actions) = try await service.withState { try $0.delete(id, force: false, now: 3) }
        await service.perform(actions)
        #expect(!scrape().contains(line))
        await refresh()
        #expect(!scrape().contains(line), "the gauge of a deleted job came back")
        try? FileManager.default.removeItem(atPath: dir)
    }
}
