import Foundation

/// What the data pipeline does to a raw example before the model sees it — pixel scaling, z-score statistics,
/// categorical hashing, the order of the columns — and the class names of the model's outputs, so a served or
/// exported model turns raw inputs into the rows it was trained on. Every worker computes the same one (same data,
/// same seed); `DataLoader.load` returns it with the splits.
public struct Preprocessing: Sendable, Hashable, Codable {
    /// The raw input features in order: CSV columns, tabular categorical then numeric columns, `pixel_i`, `f1`, …
    public var features: [String]
    /// Width of the model's input rows (tabular: categorical ids, numeric values and wide ids).
    public var inputWidth: Int
    /// Every raw number is divided by this first (IDX images: 255, as the reader scaled the pixels); nil: left as it is.
    public var divisor: Float?
    /// z-scores of the model's input columns, after `divisor` (tabular: mean 0 / std 1 except the numeric columns).
    public var standardization: Standardization?
    /// Categorical columns hashed into ids (wide & deep on CSV); nil for rows of numbers.
    public var tabular: TabularColumns?
    /// Tabular: the value a missing numeric cell takes (the training split's column mean), per numeric column.
    public var numericFill: [Float]?
    /// The label's class names by class index (text labels); nil: the classes are 0, 1, …
    public var classNames: [String]?
    /// Classes of the label (a classifier's outputs), as the training split showed them; nil for regression data.
    public var classes: Int?

    /// A description of the preprocessing.
    public init(
        features: [String], inputWidth: Int, divisor: Float? = nil, standardization: Standardization? = nil, tabular: TabularColumns? = nil,
        numericFill: [Float]? = nil, classNames: [String]? = nil, classes: Int? = nil
    ) {
        self.features = features
        self.inputWidth = inputWidth
        self.divisor = divisor
        self.standardization = standardization
        self.tabular = tabular
        self.numericFill = numericFill
        self.classNames = classNames
        self.classes = classes
    }

    /// One raw value of an example.
    public enum RawValue: Sendable, Hashable {
        /// A number.
        case number(Double)
        /// Text: a categorical value (a number's text works for numeric features too).
        case text(String)
        /// No value (JSON null): allowed for tabular columns, which fill it in as training did.
        case missing
    }

    /// The model's input row for a raw example given as numbers in `features` order (models on rows of numbers).
    public func row(numbers: [Double]) throws -> [Float] {
        guard tabular == nil else {
            throw TrainingError(.invalidData, "this model reads named columns (\(features.joined(separator: ", "))): send each example as an object of them")
        }
        guard numbers.count == features.count else {
            throw TrainingError(.shapeMismatch, "an example has \(numbers.count) values; the model takes \(features.count) features")
        }
        var out = [Float](repeating: 0, count: inputWidth)
        for (j, v) in numbers.enumerated() { out[j] = try finite(v, feature: j) }
        return standardized(out)
    }

    /// The model's input row for a raw example given by feature name: numbers, or text for categorical columns;
    /// a tabular model treats an absent or null column as missing, as its training data did.
    public func row(fields: [String: RawValue]) throws -> [Float] {
        let index = Dictionary(features.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        if let unknown = fields.keys.sorted().first(where: { index[$0] == nil }) {
            throw TrainingError(.invalidData, "unknown feature \"\(unknown.prefix(64))\": the model takes \(features.count) features (\(features.prefix(8).joined(separator: ", "))\(features.count > 8 ? ", …" : ""))")
        }
        guard let tabular else {
            let numbers = try features.map { name -> Double in
                switch fields[name] {
                case .number(let v): return v
                case .text(let t): if let v = Float(t) { return Double(v) } else { throw TrainingError(.invalidData, "feature \"\(name)\" is not a number") }
                case .missing, nil: throw TrainingError(.invalidData, "feature \"\(name)\" is missing: the model takes every one of its \(features.count) features")
                }
            }
            return try row(numbers: numbers)
        }
        let fill = numericFill ?? Array(repeating: 0, count: tabular.numeric.count)
        let numeric = try tabular.numeric.indices.map { k -> Float in
            let name = tabular.numeric[k]
            switch fields[name] {
            case .number(let v): return try finite(v, name: name)
            case .text(let t) where TabularEncoder.isMissing(t): return k < fill.count ? fill[k] : 0
            case .text(let t): if let v = Float(t) { return try finite(Double(v), name: name) } else { throw TrainingError(.invalidData, "feature \"\(name)\" is not a number") }
            case .missing, nil: return k < fill.count ? fill[k] : 0
            }
        }
        func text(_ name: String) -> String {
            switch fields[name] {
            case .text(let t): t
            case .number(let v): v.rounded() == v && abs(v) < 1e15 ? String(Int64(v)) : String(v)
            case .missing, nil: ""
            }
        }
        let wideParts = tabular.wide.map { $0.split(separator: "*").map { String($0).trimmingSpaces } }
        var out = [Float](repeating: 0, count: inputWidth)
        out.withUnsafeMutableBufferPointer { buffer in
            TabularEncoder.writeRow(
                into: buffer, columns: tabular, categorical: { text(tabular.categorical[$0]) }, numeric: { numeric[$0] },
                wide: { wideParts[$0].map(text) })
        }
        return standardized(out)
    }

    /// The class name of output index `i` (its number when the labels were numbers).
    public func className(_ i: Int) -> String {
        guard let classNames, classNames.indices.contains(i) else { return String(i) }
        return classNames[i]
    }

    private func finite(_ v: Double, feature j: Int) throws -> Float {
        try finite(v, name: features[j])
    }

    private func finite(_ v: Double, name: String) throws -> Float {
        let x = divisor.map { Float(v) / $0 } ?? Float(v)
        guard x.isFinite else { throw TrainingError(.invalidData, "feature \"\(name)\" is not a finite number") }
        return x
    }

    private func standardized(_ row: [Float]) -> [Float] {
        guard let standardization, standardization.mean.count == row.count else { return row }
        // The same arithmetic as `Standardization.apply`, so a raw example becomes exactly the training row.
        return zip(row, zip(standardization.mean, standardization.std)).map { x, ms in (x - ms.0) * (1 / ms.1) }
    }
}

extension Preprocessing {
    /// The description as one line of JSON with sorted keys (what a chief declares and an export carries); empty when
    /// it cannot be written (a statistic that is not finite).
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// Reads a description written by `json`; errors say what is wrong with it.
    public init(json: String) throws {
        do {
            self = try JSONDecoder().decode(Preprocessing.self, from: Data(json.utf8))
        } catch {
            throw TrainingError(.invalidData, "the model's preprocessing cannot be read: \(error)")
        }
        guard inputWidth > 0, features.count <= inputWidth || tabular != nil, standardization.map({ $0.mean.count == inputWidth && $0.std.count == inputWidth }) ?? true
        else {
            throw TrainingError(.invalidData, "the model's preprocessing is inconsistent: \(features.count) features, input width \(inputWidth)")
        }
    }
}
