# Forward pass of an exported Tessera MLP (clusterctl export JOB --out model.safetensors) with numpy only;
# prints the accuracy on the MNIST test set.  usage: python3 serve_numpy.py model.safetensors DATA_ROOT/mnist
import gzip, json, struct, sys
import numpy as np

def load_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    return {k: np.frombuffer(raw[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]], "<f4").reshape(v["shape"]) for k, v in header.items()}

w = load_safetensors(sys.argv[1])
x = np.frombuffer(gzip.open(f"{sys.argv[2]}/t10k-images-idx3-ubyte.gz").read()[16:], np.uint8).reshape(-1, 784) / 255.0
y = np.frombuffer(gzip.open(f"{sys.argv[2]}/t10k-labels-idx1-ubyte.gz").read()[8:], np.uint8)
layers = sorted({k.split("/")[0] for k in w}, key=lambda name: int(name.split("_")[1]))
for i, layer in enumerate(layers):
    x = x @ w[f"{layer}/kernel"] + w[f"{layer}/bias"]
    x = np.maximum(x, 0) if i < len(layers) - 1 else x
print(f"test accuracy {np.mean(x.argmax(1) == y):.4f} on {len(y)} examples")
