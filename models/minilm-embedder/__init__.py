"""all-MiniLM-L6-v2 exported to ONNX; installed as checker.bundled_embedder (checker/config.py)."""
