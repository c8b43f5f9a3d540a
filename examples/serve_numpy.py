# Forward pass of an exported Tessera MLP (clusterctl export JOB --out model.safetensors) with numpy only, on raw
# inputs: the export's "preprocessing" metadata (docs/serving.md#preprocessing) turns them into the rows the model
# was trained on (pixel divisor, z-scores). Prints the accuracy on the MNIST test set's raw pixels (0..255).
#   usage: python3 serve_numpy.py model.safetensors DATA_ROOT/mnist
import gzip, json, struct, sys
import numpy as np

def load_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    metadata = header.pop("__metadata__", {})
    tensors = {k: np.frombuffer(raw[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]], "<f4").reshape(v["shape"]) for k, v in header.items()}
    return tensors, metadata

def preprocess(x, p):
    """Raw rows [n, features] (numbers in the data's own units) -> the model's input rows."""
    x = x.astype(np.float32)
    if p.get("divisor"):
        x = x / np.float32(p["divisor"])
    s = p.get("standardization")
    if s:
        x = (x - np.asarray(s["mean"], np.float32)) * (np.float32(1) / np.asarray(s["std"], np.float32))
    return x

w, metadata = load_safetensors(sys.argv[1])
p = json.loads(metadata.get("preprocessing", "{}"))
x = np.frombuffer(gzip.open(f"{sys.argv[2]}/t10k-images-idx3-ubyte.gz").read()[16:], np.uint8).reshape(-1, 784)
y = np.frombuffer(gzip.open(f"{sys.argv[2]}/t10k-labels-idx1-ubyte.gz").read()[8:], np.uint8)
x = preprocess(x, p) if p else x / 255.0  # exports from before the preprocessing metadata: MNIST's pixel scaling
layers = sorted({k.split("/")[0] for k in w}, key=lambda name: int(name.split("_")[1]))
for i, layer in enumerate(layers):
    x = x @ w[f"{layer}/kernel"] + w[f"{layer}/bias"]
    x = np.maximum(x, 0) if i < len(layers) - 1 else x
names = p.get("classNames")
print(f"test accuracy {np.mean(x.argmax(1) == y):.4f} on {len(y)} examples" + (f" (classes {names})" if names else ""))
