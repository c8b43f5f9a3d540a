import ClusterAPI
import TensorWire

/// Writes a job's trained variables into one safetensors file (documented names, e.g. `dense_0/kernel` [in, out]).
///
/// Embedding tables stream: their rows are pulled by key a chunk at a time (`chunkBytes`) and written straight to the
/// file, so exporting a 50 M-row table holds one chunk, not the table (before, the table was held three times over —
/// zeroed, pulled, copied — and its keys pulled in one request). The file is the same bytes as before.
public enum ModelExporter {
    /// Bytes of embedding rows pulled per request while exporting.
    public static let chunkBytes = 8 << 20

    /// Pulls every variable from the job's shards and writes them atomically to `path`; returns the variables written,
    /// dense ones with their values and embedding tables with empty values (their rows went straight to the file).
    @discardableResult
    public static func export(job: Tessera_V1_Job, to path: String, security: RPCSecurity = .none) async throws -> [VariableReader.Variable] {
        var metadata = [
            "format": "tessera", "job": job.id, "name": job.name, "step": String(job.step),
            "model": job.spec.model.type, "state": job.state.displayName,
        ]
        // How raw inputs become the rows the model was trained on (docs/serving.md#preprocessing).
        if !job.preprocessing.isEmpty { metadata["preprocessing"] = job.preprocessing }
        // The spec rebuilds the model around the weights (`workerd serve --model FILE`).
        if !job.specYaml.isEmpty { metadata["spec"] = job.specYaml }
        return try await VariableReader.withDenseValues(job: job, token: security.token, tls: security.tls) { plan, dense, client in
            let writer: SafetensorsStreamWriter
            do {
                writer = try SafetensorsStreamWriter(tensors: plan.variables.map { ($0.name, .f32, $0.shape) }, metadata: metadata, to: path)
            } catch let error as SafetensorsError {
                throw RuntimeFailure(.internalError, error.message)
            }
            do {
                for (i, variable) in plan.variables.enumerated() {
                    if let values = dense[i] {
                        try values.withUnsafeBytes { try writer.append($0) }
                    } else {
                        try await VariableReader.streamRows(of: UInt32(i), shape: variable.shape, client: client, chunkBytes: chunkBytes) {
                            try writer.append(UnsafeRawBufferPointer($0))
                        }
                    }
                }
                _ = try writer.finish()
            } catch let error as SafetensorsError {
                throw RuntimeFailure(.internalError, error.message)
            }
            return zip(plan.variables, dense).map { VariableReader.Variable(name: $0.0.name, shape: $0.0.shape, values: $0.1 ?? []) }
        }
    }
}
