"""Small CNNs that tell which way text is turned: text lines (0/180, ``preprocess.ANGLES``), page squares
(0/90/180/270, ``preprocess.PAGE_ANGLES``) and whole photos (the same four angles, in colour)."""

from __future__ import annotations

from torch import Tensor, nn

# name -> channels of the four conv stages
ARCHS = {
    "line_orientation_lite": (16, 32, 64, 128),
    "line_orientation_base": (24, 48, 96, 192),
    "page_orientation_lite": (16, 32, 64, 128),
    "scene_orientation_lite": (24, 48, 96, 160),
}
INPUT_CHANNELS = {"scene_orientation_lite": 3}  # the others read gray


def _stage(cin: int, cout: int, pool: tuple[int, int]) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(pool),
    )


class OrientationNet(nn.Module):
    """Conv stages that halve the input (32x192 -> 2x12, 128x128 -> 8x8, 64x64 -> 4x4), global average pooling, a
    linear head; softmax probabilities out."""

    def __init__(self, channels: tuple[int, ...], num_classes: int = 2, in_channels: int = 1):
        super().__init__()
        self.in_channels = in_channels
        stages, cin = [], in_channels
        for cout in channels:
            stages.append(_stage(cin, cout, (2, 2)))
            cin = cout
        self.features = nn.Sequential(*stages)
        self.head = nn.Linear(cin, num_classes)

    def logits(self, x: Tensor) -> Tensor:
        return self.head(self.features(x).mean(dim=(2, 3)))

    def forward(self, x: Tensor) -> Tensor:
        return self.logits(x).softmax(-1)


def create_classifier(arch: str, num_classes: int = 2) -> OrientationNet:
    if arch not in ARCHS:
        raise ValueError(f"unknown classifier arch {arch!r}; choose from {sorted(ARCHS)}")
    return OrientationNet(ARCHS[arch], num_classes, INPUT_CHANNELS.get(arch, 1))
