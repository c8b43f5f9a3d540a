import ClusterRuntime
import Foundation
import Testing

/// Mutual TLS on gRPC with certificates made by openssl: a client with a certificate from the
/// cluster CA gets through; a plaintext client and a client with a foreign certificate do not.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct TLSTests {
    /// Makes ca, a server cert for 127.0.0.1, a client cert (same CA) and a rogue cert (another CA) in a temp dir.
    func makeCertificates() throws -> URL {
        guard let openssl = ["/usr/bin/openssl", "/bin/openssl", "/usr/local/bin/openssl"].first(where: FileManager.default.isExecutableFile) else {
            try Test.cancel("openssl is not installed (apt-get install openssl): mutual TLS not tested")
        }
        let dir = try temporaryDirectory("tls")
        let script = """
            set -e
            cd '\(dir.path)'
            key() { '\(openssl)' ecparam -name prime256v1 -genkey -noout -out "$1.key"; }
            for ca in ca rogue; do
              key $ca
              '\(openssl)' req -x509 -new -key $ca.key -out $ca.pem -days 2 -subj "/CN=tessera test $ca"
            done
            leaf() { # name ca san
              key $1
              '\(openssl)' req -new -key $1.key -out $1.csr -subj "/CN=$1"
              printf "subjectAltName=$3\\nbasicConstraints=CA:FALSE\\nkeyUsage=digitalSignature,keyEncipherment\\nextendedKeyUsage=serverAuth,clientAuth\\n" > $1.ext
              '\(openssl)' x509 -req -in $1.csr -CA $2.pem -CAkey $2.key -CAcreateserial -out $1.pem -days 2 -extfile $1.ext
            }
            leaf server ca "IP:127.0.0.1,DNS:localhost"
            leaf client ca "DNS:client"
            leaf intruder rogue "DNS:intruder"
            """
        let result = try runProcess("/bin/sh", ["-c", script])
        #expect(result.status == 0, "openssl failed: \(result.output)")
        return dir
    }

    @Test func mutualTLSAdmitsOnlyClientsWithTheClustersCertificates() async throws {
        let dir = try makeCertificates()
        func file(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let serverTLS = TLSFiles(certificate: file("server.pem"), key: file("server.key"), ca: file("ca.pem"))
        let (daemon, address) = try await startSecuredDaemon(token: "t0k", tls: serverTLS)
        defer { Task { await daemon.stop() } }

        let good = try CoordinatorClient(
            address: address, timeout: .seconds(5),
            security: RPCSecurity(token: "t0k", tls: TLSFiles(certificate: file("client.pem"), key: file("client.key"), ca: file("ca.pem"))))
        #expect(try await good.jobs().isEmpty)
        good.close()

        let channel = try GRPCDataPlaneChannel(
            address: address,
            security: RPCSecurity(token: "t0k", tls: TLSFiles(certificate: file("client.pem"), key: file("client.key"), ca: file("ca.pem"))))
        _ = try await channel.exchange(.push, request: pushFrame(), timeout: .seconds(5))
        channel.close()
        #expect(try currentW(daemon) == [-0.5, -0.5, -0.5, -0.5])

        let plaintext = try CoordinatorClient(address: address, timeout: .seconds(3), security: RPCSecurity(token: "t0k"))
        await #expect(throws: (any Error).self) { _ = try await plaintext.jobs() }
        plaintext.close()

        let intruder = try CoordinatorClient(
            address: address, timeout: .seconds(3),
            security: RPCSecurity(token: "t0k", tls: TLSFiles(certificate: file("intruder.pem"), key: file("intruder.key"), ca: file("ca.pem"))))
        await #expect(throws: (any Error).self) { _ = try await intruder.jobs() }
        intruder.close()
        #expect(try currentW(daemon) == [-0.5, -0.5, -0.5, -0.5])
    }
}
