import DataPlane
import Foundation
import JobSpec
import TensorWire
import Training

/// A model exported by `clusterctl export` (safetensors with the job's spec and preprocessing in its metadata), ready
/// to serve: the model rebuilt from the spec, its parameters read from the file.
public enum ExportedModel {
    /// Builds a predictor from the export at `path`; errors name what the file lacks.
    public static func predictor(path: String, backend: any ComputeBackend) throws -> (predictor: Predictor, name: String, step: UInt64) {
        let file: SafetensorsReader
        do { file = try SafetensorsReader(path: path) } catch {
            throw RuntimeFailure(.invalidArgument, "\(path): not a readable safetensors file (\(error))")
        }
        guard let yaml = file.metadata["spec"], let json = file.metadata["preprocessing"] else {
            throw RuntimeFailure(.failedPrecondition, "\(path) carries no job spec or preprocessing in its metadata: export it again with this version's clusterctl export")
        }
        let spec: JobSpec
        let preprocessing: Preprocessing
        do {
            spec = try JobSpecParser.parse(yaml: yaml)
            preprocessing = try Preprocessing(json: json)
        } catch {
            throw RuntimeFailure(.invalidArgument, "\(path): \(error)")
        }
        let model = try ModelBuilder.make(spec: spec, preprocessing: preprocessing)
        let parameters = try ParameterSet(variables: model.variables)
        for (variable, tensor) in zip(model.variables, parameters.tensors) {
            guard let entry = file.entry(variable.name), entry.shape == variable.shape, entry.dtype == .f32 else {
                throw RuntimeFailure(.failedPrecondition, "\(path) has no f32 tensor \(variable.name) of shape \(variable.shape.dims), which the model of its spec needs")
            }
            let values = try file.floats(variable.name)
            guard values.count == tensor.count else {
                throw RuntimeFailure(.failedPrecondition, "\(path): \(variable.name) holds \(values.count) values, the model needs \(tensor.count)")
            }
            values.withUnsafeBufferPointer { if let base = $0.baseAddress { tensor.baseAddress.update(from: base, count: tensor.count) } }
        }
        let step = file.metadata["step"].flatMap { UInt64($0) } ?? 0
        let predictor = try Predictor(model: model, preprocessing: preprocessing, parameters: parameters, version: step, backend: backend)
        return (predictor, spec.name, step)
    }
}
