import ClusterPresentation
import ClusterRuntime
import Testing

struct HostPortTests {
    @Test func parsesAddresses() throws {
        #expect(try HostPort(parsing: "127.0.0.1:7070") == HostPort(host: "127.0.0.1", port: 7070))
        #expect(try HostPort(parsing: ":0") == HostPort(host: "127.0.0.1", port: 0))
        #expect(try HostPort(parsing: "[::1]:80") == HostPort(host: "::1", port: 80))
        #expect(HostPort(host: "::1", port: 80).description == "[::1]:80")
    }

    @Test func rejectsBadAddresses() {
        for bad in ["localhost", "host:99999", "host:abc", "[::1", "[::1]"] {
            #expect(throws: RuntimeFailure.self) { try HostPort(parsing: bad) }
        }
    }

    @Test func tablesAlignColumns() {
        let table = TableRenderer(header: ["A", "LONG"], rows: [["xyz", "1"]]).render()
        #expect(table == "A    LONG\nxyz  1")
    }
}
