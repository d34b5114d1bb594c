"""OCRNet-style recognizers: [TPS] + ResNet CNN + BiLSTM + CTC, as named configurations (timm-like registry)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ocdr.models.layers import conv_bn_relu, make_stage


@dataclass(frozen=True)
class RecConfig:
    channels: tuple[int, int, int, int] = (32, 64, 128, 192)
    blocks: tuple[int, int] = (1, 2)
    hidden: int = 128
    lstm_layers: int = 1  # 0: no sequence model (a spec's ``sequence: none``), the CNN's columns go to the head
    height: int = 32
    tps: bool = False
    tps_points: int = 20


REC_CONFIGS: dict[str, RecConfig] = {
    # the CPU default: small and fast, variable width
    "crnn_lite": RecConfig(),
    # wider ResNet + 2-layer BiLSTM (hidden 256), the seed's OCRNet shape without TPS
    "crnn_resnet": RecConfig(channels=(64, 128, 256, 512), blocks=(2, 4), hidden=256, lstm_layers=2),
    # with TPS rectification in front, as seed 000 (TPS: True, backbone: ResNet, sequence: BiLSTM, prediction: CTC)
    "ocrnet_resnet_tps": RecConfig(channels=(64, 128, 256, 512), blocks=(2, 4), hidden=256, lstm_layers=2, tps=True),
    # the same at seed 000's v2 input height (1 x 64 x W, e.g. 64 x 200)
    "ocrnet_resnet_tps_v2": RecConfig(
        channels=(64, 128, 256, 512), blocks=(2, 4), hidden=256, lstm_layers=2, tps=True, height=64
    ),
}


class TPS(nn.Module):
    """Thin-plate-spline rectification (Shi et al., RARE): a localization net predicts fiducial points and the
    input is resampled so that they land on a regular grid. Initialised to the identity transform."""

    ctrl: torch.Tensor  # buffers, registered in __init__
    inv_kernel: torch.Tensor

    def __init__(self, points: int = 20, height: int = 32):
        super().__init__()
        self.k = points
        self.height = height
        self.loc = nn.Sequential(
            conv_bn_relu(1, 16),
            nn.MaxPool2d(2),
            conv_bn_relu(16, 32),
            nn.MaxPool2d(2),
            conv_bn_relu(32, 64),
            nn.AvgPool2d(height // 4),  # (height/4, height) after two pools -> 1 x 4
            nn.Flatten(),
            nn.Linear(256, 64),
            nn.ReLU(inplace=True),
            nn.Linear(64, points * 2),
        )
        ctrl = self._base_points(points)
        last = self.loc[-1]
        assert isinstance(last, nn.Linear)
        nn.init.zeros_(last.weight)
        last.bias.data.copy_(ctrl.reshape(-1))
        self.register_buffer("ctrl", ctrl)
        # inverse of the TPS kernel matrix for the target control points
        n = points
        d = torch.cdist(ctrl, ctrl) ** 2
        kmat = d * torch.log(d + 1e-6)
        big = torch.zeros(n + 3, n + 3)
        big[:n, :n] = kmat
        big[:n, n] = 1
        big[:n, n + 1 :] = ctrl
        big[n, :n] = 1
        big[n + 1 :, :n] = ctrl.t()
        self.register_buffer("inv_kernel", torch.linalg.inv(big))

    @staticmethod
    def _base_points(k: int) -> torch.Tensor:
        xs = torch.linspace(-1, 1, k // 2)
        top = torch.stack([xs, torch.full_like(xs, -1)], 1)
        bottom = torch.stack([xs, torch.full_like(xs, 1)], 1)
        return torch.cat([top, bottom], 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, _, h, w = x.shape
        # the localization net sees the crop at a fixed size (height x 4 height): fixed shapes keep it exportable to
        # ONNX however wide the crop is
        small = F.interpolate(x, size=(self.height, 4 * self.height), mode="bilinear", align_corners=False)
        src = self.loc(small).view(b, self.k, 2)
        gy, gx = torch.meshgrid(
            torch.linspace(-1, 1, h, device=x.device), torch.linspace(-1, 1, w, device=x.device), indexing="ij"
        )
        grid = torch.stack([gx.reshape(-1), gy.reshape(-1)], 1)  # (hw, 2)
        d = torch.cdist(grid, self.ctrl) ** 2
        rep = torch.cat([d * torch.log(d + 1e-6), torch.ones(grid.shape[0], 1, device=x.device), grid], 1)
        params = self.inv_kernel[:, : self.k] @ src  # (b, n+3, 2) via broadcasting
        sample = (rep @ params).view(b, h, w, 2)
        return F.grid_sample(x, sample, align_corners=True, padding_mode="border")


class CRNN(nn.Module):
    """Gray crop (N, 1, 32, W) -> class probabilities per time step (N, W / 4, classes); class 0 is blank."""

    def __init__(self, num_classes: int, config: RecConfig | None = None):
        super().__init__()
        self.config = config = config or RecConfig()
        c1, c2, c3, c4 = config.channels
        self.tps = TPS(config.tps_points, config.height) if config.tps else None
        self.cnn = nn.Sequential(
            conv_bn_relu(1, c1),
            nn.MaxPool2d(2),  # H/2, W/2
            conv_bn_relu(c1, c2),
            nn.MaxPool2d(2),  # H/4, W/4
            make_stage(c2, c3, config.blocks[0], 1),
            nn.MaxPool2d((2, 1)),  # H/8
            make_stage(c3, c4, config.blocks[1], 1),
            nn.MaxPool2d((2, 1)),  # H/16
            conv_bn_relu(c4, c4, k=1),
        )
        feat_h = config.height // 16
        self.collapse = nn.Conv2d(c4, c4, (feat_h, 1), bias=False)
        self.rnn = (
            nn.LSTM(c4, config.hidden, num_layers=config.lstm_layers, bidirectional=True, batch_first=True)
            if config.lstm_layers
            else None
        )
        self.head = nn.Linear(2 * config.hidden if self.rnn is not None else c4, num_classes)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        if self.tps is not None:
            x = self.tps(x)
        f = self.collapse(self.cnn(x)).squeeze(2).permute(0, 2, 1)  # (N, T, C)
        if self.rnn is not None:
            f, _ = self.rnn(f)
        return self.head(f)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Softmax probabilities (the exported ONNX output)."""
        return self.logits(x).softmax(-1)


def create_recognizer(arch: str, num_classes: int, config: RecConfig | dict | None = None) -> CRNN:
    """The registry's ``arch``, or the network ``config`` describes (a model built from a spec: ``spec.py``; a
    checkpoint's or ONNX file's ``rec_config``, which rebuilds it)."""
    return CRNN(num_classes, rec_config(arch, config))


def rec_config(arch: str, config: RecConfig | dict | None = None) -> RecConfig:
    """``config`` (as stored: a dict whose tuples may have come back as lists) or the registry's ``arch``."""
    if isinstance(config, RecConfig):
        return config
    if config is not None:
        stored: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in config.items()}
        return RecConfig(**stored)
    if arch not in REC_CONFIGS:
        raise ValueError(f"unknown recognizer {arch!r}; choose from {sorted(REC_CONFIGS)} or give a --model-spec")
    return REC_CONFIGS[arch]


def config_dict(model: CRNN) -> dict:
    """The network's configuration, as checkpoints and ONNX metadata store it (``rec_config``)."""
    return asdict(model.config)
