"""ocdr: end-to-end OCR (DBNet detection + CRNN/CTC recognition) on ONNX Runtime."""

__version__ = "0.1.0"
