import JobSpec
import Yams

/// Setting one field of a job spec's YAML tree, creating the mappings on the way when the base spec leaves them out.
enum YAMLEdit {
    /// `root` with the field at `key` replaced by `value` (a plain scalar, so the job spec parser reads it as written).
    static func set(_ root: Node, key: ParamKey, value: ParamValue, at: String) throws(SpecError) -> Node {
        try set(root, path: key.path[...], index: key.index, scalar: Node(value.description, .implicit, .plain), at: at, key: key)
    }

    private static func set(
        _ node: Node, path: ArraySlice<String>, index: Int?, scalar: Node, at: String, key: ParamKey
    ) throws(SpecError) -> Node {
        guard let first = path.first else {
            guard let index else { return scalar }
            guard case .sequence(let seq) = node else {
                throw SpecError("the base spec must write \(key.path.joined(separator: ".")) as a list to tune \(key.text)", path: at)
            }
            var items = Array(seq)
            guard index < items.count else {
                throw SpecError(
                    "\(key.text) is past the end: the base spec's \(key.path.joined(separator: ".")) has \(items.count) entries", path: at)
            }
            items[index] = scalar
            return Node(items, seq.tag, seq.style)
        }
        var pairs: [(Node, Node)] = []
        var tag = Tag(.implicit)
        var style = Node.Mapping.Style.any
        if case .mapping(let m) = node {
            pairs = Array(m)
            tag = m.tag
            style = m.style
        } else if !isNull(node) {
            throw SpecError("the base spec's \(key.path.prefix(key.path.count - path.count + 1).joined(separator: ".")) is not a mapping", path: at)
        }
        if let i = pairs.firstIndex(where: { $0.0.scalar?.string == first }) {
            pairs[i].1 = try set(pairs[i].1, path: path.dropFirst(), index: index, scalar: scalar, at: at, key: key)
        } else {
            guard index == nil else {
                throw SpecError("the base spec must write \(key.path.joined(separator: ".")) as a list to tune \(key.text)", path: at)
            }
            pairs.append((Node(first), try set(Node([(Node, Node)]()), path: path.dropFirst(), index: nil, scalar: scalar, at: at, key: key)))
        }
        return Node(pairs, tag, style)
    }
}
