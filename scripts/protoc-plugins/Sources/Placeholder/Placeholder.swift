// Exists so the package has a target; the products built are the protoc plugins.
