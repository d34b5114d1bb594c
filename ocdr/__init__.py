"""ocdr: end-to-end OCR (DBNet detection + CRNN/CTC recognition) on ONNX Runtime."""

__version__ = "0.1.0"

from ocdr.api import OCR  # noqa: E402
from ocdr.document import Block, CropReading, Document, Line, Page, Word  # noqa: E402
from ocdr.errors import InputError, InputTooLarge, ModelError, OcdrError  # noqa: E402

__all__ = [
    "OCR",
    "Block",
    "CropReading",
    "Document",
    "Line",
    "Page",
    "Word",
    "InputError",
    "InputTooLarge",
    "ModelError",
    "OcdrError",
    "__version__",
]
