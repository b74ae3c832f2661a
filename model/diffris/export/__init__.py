"""ONNX export of a trained checkpoint into the model bundle layout."""
from .bundle import OPSET, export_bundle, read_parity, write_parity

__all__ = ["OPSET", "export_bundle", "read_parity", "write_parity"]
