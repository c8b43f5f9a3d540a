import ClusterAPI
import TensorWire

/// Writes a job's trained variables into one safetensors file (documented names, e.g. `dense_0/kernel` [in, out]).
public enum ModelExporter {
    /// Pulls every variable from the job's shards and writes them atomically to `path`; returns the variables written.
    @discardableResult
    public static func export(job: Tessera_V1_Job, to path: String, security: RPCSecurity = .none) async throws -> [VariableReader.Variable] {
        let variables = try await VariableReader.read(job: job, token: security.token, tls: security.tls)
        let tensors = variables.map { SafetensorsWriter.Tensor.floats($0.name, shape: $0.shape, values: $0.values) }
        var metadata = [
            "format": "tessera", "job": job.id, "name": job.name, "step": String(job.step),
            "model": job.spec.model.type, "state": job.state.displayName,
        ]
        // How raw inputs become the rows the model was trained on (docs/serving.md#preprocessing).
        if !job.preprocessing.isEmpty { metadata["preprocessing"] = job.preprocessing }
        // The spec rebuilds the model around the weights (`workerd serve --model FILE`).
        if !job.specYaml.isEmpty { metadata["spec"] = job.specYaml }
        do {
            try SafetensorsWriter.write(tensors, metadata: metadata, to: path)
        } catch let error as SafetensorsError {
            throw RuntimeFailure(.internalError, error.message)
        }
        return variables
    }
}
