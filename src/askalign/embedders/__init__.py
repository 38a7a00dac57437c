"""The embedding backends behind `askalign.embedding.Embedder`, one module each, imported
only when a model is first needed: the ONNX one never imports torch."""
