"""OCDNet = DBNet (Liao et al., differentiable binarization): ResNet backbone + FPN + DB head (training only)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ocdr.models.layers import conv_bn_relu, make_stage


@dataclass(frozen=True)
class DetConfig:
    widths: tuple[int, int, int, int] = (24, 48, 96, 192)
    blocks: tuple[int, int, int, int] = (2, 2, 2, 2)  # ResNet-18 layout
    inner: int = 96
    k: float = 50.0  # steepness of the differentiable binarization
    block: str = "basic"  # "basic" (ResNet-18/34) or "bottleneck" (ResNet-50)
    stem: int = 0  # channels out of the stem (0: widths[0])
    deformable: int = 0  # how many of the last stages use deformable 3x3 convolutions (DBNet: 3)


DET_CONFIGS: dict[str, DetConfig] = {
    # ResNet-18 layout at 3/8 width: the CPU default
    "dbnet_resnet18_lite": DetConfig(),
    # full-width ResNet-18 and ResNet-50, as OCDNet's backbones; "_dcn": deformable convolutions in the last 3 stages
    "dbnet_resnet18": DetConfig(widths=(64, 128, 256, 512), inner=256),
    "dbnet_resnet18_dcn": DetConfig(widths=(64, 128, 256, 512), inner=256, deformable=3),
    "dbnet_resnet50": DetConfig(
        widths=(256, 512, 1024, 2048), blocks=(3, 4, 6, 3), block="bottleneck", stem=64, inner=256
    ),
    "dbnet_resnet50_dcn": DetConfig(
        widths=(256, 512, 1024, 2048), blocks=(3, 4, 6, 3), block="bottleneck", stem=64, inner=256, deformable=3
    ),
}


class ResNetBackbone(nn.Module):
    """Returns features at strides 4, 8, 16 and 32."""

    def __init__(self, config: DetConfig):
        super().__init__()
        widths, stem = config.widths, config.stem or config.widths[0]
        # two stride-2 convolutions: stride 4 at a fraction of a 7x7 stem's cost
        self.stem = nn.Sequential(conv_bn_relu(3, stem // 2, 3, 2), conv_bn_relu(stem // 2, stem, 3, 2))
        cins = (stem,) + tuple(widths[:-1])
        layout = enumerate(zip(cins, widths, config.blocks, strict=True))
        self.stages = nn.ModuleList(
            make_stage(cin, cout, n, 1 if i == 0 else 2, config.block, i >= len(widths) - config.deformable)
            for i, (cin, cout, n) in layout
        )

    def forward(self, x):
        x = self.stem(x)
        feats = []
        for stage in self.stages:
            x = stage(x)
            feats.append(x)
        return feats


class FPN(nn.Module):
    """Top-down feature pyramid; every level is reduced to inner/4 channels, upsampled to stride 4 and stacked."""

    def __init__(self, widths: tuple[int, ...], inner: int):
        super().__init__()
        self.lateral = nn.ModuleList(nn.Conv2d(w, inner, 1, bias=False) for w in widths)
        self.smooth = nn.ModuleList(nn.Conv2d(inner, inner // 4, 3, padding=1, bias=False) for _ in widths)

    def forward(self, feats):
        lat = [conv(f) for conv, f in zip(self.lateral, feats, strict=True)]
        for i in range(len(lat) - 2, -1, -1):
            lat[i] = lat[i] + F.interpolate(lat[i + 1], size=lat[i].shape[2:], mode="nearest")
        size = lat[0].shape[2:]
        outs = [
            F.interpolate(conv(x), size=size, mode="nearest") if i else conv(x)
            for i, (conv, x) in enumerate(zip(self.smooth, lat, strict=True))
        ]
        return torch.cat(outs, 1)


def _head(inner: int) -> nn.Sequential:
    c = inner // 4
    return nn.Sequential(
        conv_bn_relu(inner, c),
        nn.ConvTranspose2d(c, c, 2, 2),
        nn.BatchNorm2d(c),
        nn.ReLU(inplace=True),
        nn.ConvTranspose2d(c, 1, 2, 2),
    )


class DBNet(nn.Module):
    """Image (N, 3, H, W) with H, W multiples of 32 -> probability map (N, 1, H, W).

    In training mode it also returns the threshold map and the approximate binary map used by the DB loss.
    """

    def __init__(self, config: DetConfig | None = None):
        super().__init__()
        self.config = config = config or DetConfig()
        self.backbone = ResNetBackbone(config)
        self.neck = FPN(config.widths, config.inner)
        self.prob_head = _head(config.inner)
        self.thresh_head = _head(config.inner)

    def forward(self, x: torch.Tensor):
        f = self.neck(self.backbone(x))
        prob = torch.sigmoid(self.prob_head(f))
        if not self.training:
            return prob
        thresh = torch.sigmoid(self.thresh_head(f))
        binary = torch.sigmoid(self.config.k * (prob - thresh))
        return {"prob": prob, "thresh": thresh, "binary": binary}


def create_detector(arch: str) -> DBNet:
    if arch not in DET_CONFIGS:
        raise ValueError(f"unknown detector {arch!r}; choose from {sorted(DET_CONFIGS)}")
    return DBNet(DET_CONFIGS[arch])


def db_loss(out: dict, batch: dict, alpha: float = 5.0, beta: float = 10.0, neg_ratio: float = 3.0) -> dict:
    """BCE with hard-negative mining on the probability map + L1 on the threshold map + dice on the binary map."""
    prob, thresh, binary = out["prob"][:, 0], out["thresh"][:, 0], out["binary"][:, 0]
    gt, mask = batch["shrink_map"], batch["shrink_mask"]
    pos = (gt * mask).bool()
    neg = ((1 - gt) * mask).bool()
    n_pos = int(pos.sum())
    n_neg = min(int(neg.sum()), int(max(n_pos, 1) * neg_ratio))
    bce = F.binary_cross_entropy(prob.clamp(1e-6, 1 - 1e-6), gt, reduction="none")
    neg_loss, _ = bce[neg].topk(n_neg) if n_neg > 0 else (bce.new_zeros(0), None)
    loss_prob = (bce[pos].sum() + neg_loss.sum()) / (n_pos + n_neg + 1e-6)
    tmask = batch["thresh_mask"]
    loss_thresh = (torch.abs(thresh - batch["thresh_map"]) * tmask).sum() / (tmask.sum() + 1e-6)
    inter = (binary * gt * mask).sum()
    union = (binary * mask).sum() + (gt * mask).sum() + 1e-6
    loss_dice = 1 - 2 * inter / union
    total = alpha * loss_prob + beta * loss_thresh + loss_dice
    return {"loss": total, "prob": loss_prob, "thresh": loss_thresh, "dice": loss_dice}
