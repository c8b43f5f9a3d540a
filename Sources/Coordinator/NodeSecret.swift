/// The secret a node receives at registration and carries in every later call, so that one node cannot speak for
/// another by guessing its sequential id.
public enum NodeSecret {
    /// Random bytes in a secret (128 bits).
    public static let byteCount = 16

    /// A new secret: `byteCount` bytes from the system's cryptographic generator, as lowercase hex.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        text.reserveCapacity(byteCount * 2)
        let digits = Array("0123456789abcdef")
        for _ in 0..<byteCount {
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }

    /// Whether `presented` equals `expected`, in time that depends only on `expected`'s length (never on where
    /// they differ); an empty `expected` matches nothing.
    public static func matches(_ presented: String, _ expected: String) -> Bool {
        let a = Array(presented.utf8), b = Array(expected.utf8)
        guard !b.isEmpty else { return false }
        var difference: UInt = a.count == b.count ? 0 : 1
        for i in 0..<b.count {
            difference |= UInt(b[i] ^ (i < a.count ? a[i] : 0))
        }
        return difference == 0
    }
}
