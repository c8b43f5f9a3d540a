/// A closed list of words a job spec field takes (`optimizer.type`, `data.format`, …): every enum of the spec adopts
/// it, so YAML, protobuf and every config built from a spec read the same names with the same errors.
public protocol SpecWord: RawRepresentable, CaseIterable, Sendable, Hashable, Codable where RawValue == String {}

extension SpecWord {
    /// The case named `text`; otherwise an error at `path` listing every name, with a "did you mean" hint.
    public static func named(_ text: String, at path: String) throws(SpecError) -> Self {
        if let value = Self(rawValue: text) { return value }
        let names = allCases.map(\.rawValue)
        var message = "unknown value \"\(text)\"; expected one of \(names.joined(separator: ", "))"
        if let hint = closestMatch(to: text, in: names) { message += " (did you mean \"\(hint)\"?)" }
        throw .spec(path, message)
    }
}

extension OptimizerType: SpecWord {}
extension ScheduleType: SpecWord {}
extension TrainingMode: SpecWord {}
extension StopMetric: SpecWord {}
extension DataFormat: SpecWord {}
extension Normalization: SpecWord {}
extension Activation: SpecWord {}
extension ModelFamily: SpecWord {}
extension DataTransport: SpecWord {}
