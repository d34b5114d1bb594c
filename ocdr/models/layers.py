"""Torch building blocks shared by the detection and recognition networks (training only)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def conv_bn_relu(cin: int, cout: int, k: int = 3, stride: int | tuple[int, int] = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)
    )


class DeformConv2d(nn.Module):
    """Modulated deformable 3x3 convolution (DCNv2, as DBNet uses in its last ResNet stages), in plain torch.

    A zero-initialised convolution predicts, for every output position, an (x, y) offset and a sigmoid weight for each
    of the k*k kernel taps; the input is sampled there bilinearly (``grid_sample``, which exports to ONNX from opset
    16) and the taps are combined by the layer's weights. At initialisation it is a plain convolution at half gain
    (every tap weighted 0.5), as in the reference implementation. No compiled kernel is needed, so it trains and
    exports wherever torch runs (there is no CPU torchvision here)."""

    def __init__(self, cin: int, cout: int, k: int = 3, stride: int = 1):
        super().__init__()
        self.k, self.stride, self.pad = k, stride, k // 2
        self.weight = nn.Parameter(torch.empty(cout, cin, k, k))
        nn.init.kaiming_normal_(self.weight, mode="fan_out", nonlinearity="relu")
        self.offset = nn.Conv2d(cin, 3 * k * k, k, stride, k // 2)  # (dx, dy) and a modulation per tap
        nn.init.zeros_(self.offset.weight)
        assert self.offset.bias is not None  # a Conv2d made with a bias (its default)
        nn.init.zeros_(self.offset.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        kk = self.k * self.k
        pred = self.offset(x)
        ho, wo = pred.shape[2:]
        dx, dy, mask = pred[:, :kk], pred[:, kk : 2 * kk], torch.sigmoid(pred[:, 2 * kk :])
        taps = torch.arange(self.k, dtype=x.dtype, device=x.device) - self.pad
        ty, tx = torch.meshgrid(taps, taps, indexing="ij")  # tap order = the weight's (kh, kw) order
        oy = torch.arange(ho, dtype=x.dtype, device=x.device) * self.stride
        ox = torch.arange(wo, dtype=x.dtype, device=x.device) * self.stride
        px = ox.view(1, 1, 1, -1) + tx.reshape(1, kk, 1, 1) + dx  # (n, kk, ho, wo) sampling positions in pixels
        py = oy.view(1, 1, -1, 1) + ty.reshape(1, kk, 1, 1) + dy
        grid = torch.stack([(2 * px + 1) / w - 1, (2 * py + 1) / h - 1], -1)  # align_corners=False coordinates
        cols = F.grid_sample(x, grid.reshape(n, kk * ho, wo, 2), mode="bilinear", align_corners=False)
        cols = cols.reshape(n, c, kk, ho, wo) * mask.unsqueeze(1)
        return torch.einsum("nckhw,ock->nohw", cols, self.weight.reshape(-1, c, kk))


def _conv3x3(cin: int, cout: int, stride: int | tuple[int, int], deformable: bool) -> nn.Module:
    if deformable:
        assert isinstance(stride, int), "deformable convolutions take one stride for both axes"
        return DeformConv2d(cin, cout, 3, stride)
    return nn.Conv2d(cin, cout, 3, stride, 1, bias=False)


def _shortcut(cin: int, cout: int, stride: int | tuple[int, int]) -> nn.Module:
    if cin == cout and stride == 1:
        return nn.Identity()
    return nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))


class BasicBlock(nn.Module):
    """ResNet basic block (two 3x3 convolutions and an identity or 1x1 shortcut)."""

    def __init__(self, cin: int, cout: int, stride: int | tuple[int, int] = 1, deformable: bool = False):
        super().__init__()
        self.conv1 = conv_bn_relu(cin, cout, 3, stride)
        self.conv2 = nn.Sequential(_conv3x3(cout, cout, 1, deformable), nn.BatchNorm2d(cout))
        self.shortcut = _shortcut(cin, cout, stride)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.act(self.conv2(self.conv1(x)) + self.shortcut(x))


class Bottleneck(nn.Module):
    """ResNet-50 bottleneck block: 1x1 down to cout/4, 3x3 (strided, optionally deformable), 1x1 up to cout."""

    def __init__(self, cin: int, cout: int, stride: int | tuple[int, int] = 1, deformable: bool = False):
        super().__init__()
        mid = cout // 4
        self.body = nn.Sequential(
            conv_bn_relu(cin, mid, 1),
            _conv3x3(mid, mid, stride, deformable),
            nn.BatchNorm2d(mid),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid, cout, 1, bias=False),
            nn.BatchNorm2d(cout),
        )
        self.shortcut = _shortcut(cin, cout, stride)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.act(self.body(x) + self.shortcut(x))


BLOCKS = {"basic": BasicBlock, "bottleneck": Bottleneck}


def make_stage(
    cin: int,
    cout: int,
    blocks: int,
    stride: int | tuple[int, int],
    block: str = "basic",
    deformable: bool = False,
) -> nn.Sequential:
    cls = BLOCKS[block]
    layers = [cls(cin, cout, stride, deformable)] + [cls(cout, cout, 1, deformable) for _ in range(blocks - 1)]
    return nn.Sequential(*layers)
