"""Request and response bodies of the service, as pydantic models (they also make the OpenAPI page at ``/docs``).

``/ocr`` follows PaddleX's General OCR serving contract field for field; ``/v1/infer`` follows the NeMo Retriever
OCR NIM. Unknown request fields are ignored, as PaddleX ignores them, so clients of newer PaddleX versions still work.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

Point = Annotated[list[int], Field(min_length=2, max_length=2)]


class Envelope(BaseModel):
    logId: str = Field(description="UUID of the request")
    errorCode: int = Field(description="0 on success, else the HTTP status code")
    errorMsg: str = Field(description='"Success", or what went wrong')


# ---- PaddleX POST /ocr --------------------------------------------------------------------------------------------


class InferenceParams(BaseModel):
    maxLongSide: Annotated[int, Field(gt=0)] | None = Field(
        None, description="Scale the image down for detection so that its longer side is at most this"
    )


class PaddleXOCRRequest(BaseModel):
    file: str = Field(description="Base64 of an image or PDF, or (when the server allows URLs) its http(s) URL")
    fileType: Literal[0, 1] | None = Field(
        None, description="0: PDF, 1: image; inferred from the URL or from the bytes when absent"
    )
    inferenceParams: InferenceParams | None = None
    useDocOrientationClassify: bool | None = None
    useDocUnwarping: bool | None = None
    useTextlineOrientation: bool | None = None
    useDeskew: bool | None = Field(None, description="ocdr's own: straighten pages turned up to 45 degrees off")
    useRecVariants: bool | None = Field(
        None, description="ocdr's own: read unsure crops again four ways and keep the text the readings agree on"
    )
    useSceneDetector: bool | None = Field(
        None, description="ocdr's own: find the text of photos' scenes with the scene detector (default true)"
    )
    textDetLimitSideLen: int | None = None
    textDetLimitType: str | None = None
    textDetMinGlyph: float | None = Field(
        None, description="ocdr's own: a large page is shrunk no further than its glyphs' reaching this size (pixels)"
    )
    textDetMaxGlyph: float | None = Field(
        None, description="ocdr's own: a page whose glyphs are larger is shrunk until they are this size (pixels)"
    )
    textDetSceneSide: int | None = Field(
        None, description="ocdr's own: a photo's scene with a shorter long side is enlarged to this (pixels; 0: off)"
    )
    textDetThresh: float | None = None
    textDetBoxThresh: float | None = None
    textDetUnclipRatio: float | None = None
    textRecScoreThresh: float | None = None
    visualize: bool | None = Field(None, description="false: leave out the annotated image (faster)")


class PaddleXText(BaseModel):
    poly: list[Point]
    text: str
    score: float


class PaddleXPageResult(BaseModel):
    texts: list[PaddleXText]
    image: str | None = Field(description="Base64 JPEG of the annotated result")


class ImageInfo(BaseModel):
    width: int
    height: int
    type: Literal["image"] = "image"


class PDFPageInfo(BaseModel):
    width: int
    height: int


class PDFInfo(BaseModel):
    numPages: int
    pages: list[PDFPageInfo]
    type: Literal["pdf"] = "pdf"


class PaddleXOCRResult(BaseModel):
    ocrResults: list[PaddleXPageResult]
    dataInfo: ImageInfo | PDFInfo


class PaddleXOCRResponse(Envelope):
    result: PaddleXOCRResult


# ---- NIM POST /v1/infer -------------------------------------------------------------------------------------------

MergeLevel = Literal["word", "sentence", "paragraph"]


class NimInput(BaseModel):
    type: Literal["image_url"]
    url: str = Field(description="data:image/...;base64,... (or an http(s) URL when the server allows them)")


class NimRequest(BaseModel):
    input: Annotated[list[NimInput], Field(min_length=1)]
    merge_levels: list[MergeLevel] | None = Field(
        None, description='One level for all inputs or one per input (default "paragraph")'
    )


class NimPoint(BaseModel):
    x: float
    y: float


class NimBox(BaseModel):
    points: Annotated[list[NimPoint], Field(min_length=4, max_length=4)]


class NimPrediction(BaseModel):
    text: str
    confidence: float


class NimDetection(BaseModel):
    text_prediction: NimPrediction
    bounding_box: NimBox


class NimImageResult(BaseModel):
    index: int
    text_detections: list[NimDetection]


class NimResponse(BaseModel):
    data: list[NimImageResult]


# ---- ours: POST /v1/ocr -------------------------------------------------------------------------------------------


class DocumentsResult(BaseModel):
    documents: list[dict] = Field(description="One ocdr Document JSON per uploaded file (docs/json-schema.md)")


class DocumentsResponse(Envelope):
    result: DocumentsResult


# ---- ours: POST /v1/recognize -------------------------------------------------------------------------------------


class CropReadingModel(BaseModel):
    source: str = Field(description="the uploaded file's name")
    text: str
    confidence: float = Field(description="0-1")
    angle: int = Field(description="how far the crop's text was found turned clockwise: 0, 90, 180 or 270")


class ReadingsResult(BaseModel):
    readings: list[CropReadingModel] = Field(description="One reading per uploaded crop, in order")


class ReadingsResponse(Envelope):
    result: ReadingsResult
