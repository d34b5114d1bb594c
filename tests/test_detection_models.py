"""The detector family: DBNet on ResNet-18/50 backbones, with the deformable convolutions OCDNet uses in its last
stages (plain torch, so it trains and exports without compiled extensions)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ocdr.models.detection.dbnet import DET_CONFIGS, DBNet, DetConfig, create_detector
from ocdr.models.layers import DeformConv2d
from ocdr.runtime.session import OnnxModel

torch.set_num_threads(1)
pytestmark = [
    pytest.mark.filterwarnings("ignore:You are using the legacy TorchScript-based ONNX export"),
    pytest.mark.filterwarnings("ignore:The feature will be removed"),
]


def test_deformable_conv_starts_as_a_half_gain_convolution():
    torch.manual_seed(0)
    conv = DeformConv2d(8, 16, 3, stride=2)
    x = torch.randn(2, 8, 13, 17)
    expected = 0.5 * F.conv2d(x, conv.weight, stride=2, padding=1)  # zero offsets, every tap weighted sigmoid(0)
    torch.testing.assert_close(conv(x), expected, atol=1e-5, rtol=1e-5)


def test_deformable_conv_samples_at_its_offsets():
    torch.manual_seed(0)
    conv = DeformConv2d(4, 6, 3)
    with torch.no_grad():  # every tap one pixel to the right at full weight: the convolution one column on
        conv.offset.bias[:9] = 1.0
        conv.offset.bias[18:] = 30.0
    x = torch.randn(1, 4, 9, 11)
    plain = F.conv2d(x, conv.weight, padding=1)
    torch.testing.assert_close(conv(x)[..., :-1], plain[..., 1:], atol=1e-4, rtol=1e-4)
    conv(x).square().mean().backward()
    assert conv.offset.weight.grad.abs().sum() > 0  # the offsets are learnt


def test_every_detector_config_builds_and_maps_pages():
    sizes = {name: sum(p.numel() for p in create_detector(name).parameters()) / 1e6 for name in DET_CONFIGS}
    assert 1.5 < sizes["dbnet_resnet18_lite"] < 2.0 and 12 < sizes["dbnet_resnet18"] < 13
    assert 25 < sizes["dbnet_resnet50"] < 26 < sizes["dbnet_resnet50_dcn"] < 27
    model = create_detector("dbnet_resnet50_dcn").eval()
    with torch.no_grad():
        assert model(torch.zeros(1, 3, 64, 96)).shape == (1, 1, 64, 96)
    with pytest.raises(ValueError, match="unknown detector"):
        create_detector("dbnet_vgg")


def test_deformable_bottleneck_detector_exports_to_onnx(tmp_path):
    torch.manual_seed(0)
    config = DetConfig(widths=(16, 32, 48, 64), blocks=(1, 1, 1, 1), block="bottleneck", stem=8, inner=32, deformable=2)
    model = DBNet(config)
    with torch.no_grad():  # offsets away from zero, so that the exported sampling is exercised
        for module in model.modules():
            if isinstance(module, DeformConv2d):
                module.offset.weight.normal_(0, 0.05)
    model.eval()
    path = tmp_path / "det.onnx"
    axes = {"x": {0: "batch", 2: "height", 3: "width"}, "prob": {0: "batch", 2: "height", 3: "width"}}
    torch.onnx.export(
        model, (torch.zeros(1, 3, 64, 64),), str(path), input_names=["x"], output_names=["prob"],
        dynamic_axes=axes, opset_version=17, dynamo=False,
    )  # fmt: skip
    x = np.random.default_rng(0).normal(0, 1, (2, 3, 96, 128)).astype(np.float32)  # not the traced shape
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    assert np.abs(OnnxModel(path, threads=1).run(x) - expected).max() < 1e-4


def test_deformable_resnet50_detector_trains_and_exports(tmp_path):
    from ocdr.cli import main
    from ocdr.training.checkpoint import load_checkpoint

    pages, run, onnx_path = tmp_path / "pages", tmp_path / "run", tmp_path / "det.onnx"
    assert main(["synth", "pages", "--out", str(pages), "--count", "2", "--dpi", "72", "--seed", "0"]) == 0
    args = ["train", "det", "--data", str(pages), "--out", str(run), "--arch", "dbnet_resnet50_dcn", "--steps", "1"]
    assert main([*args, "--crop-size", "64", "--batch-size", "1", "--threads", "1", "--max-angle", "20"]) == 0
    assert load_checkpoint(run / "last.pt")["config"]["max_angle"] == 20.0  # the run's recipe, as given
    assert main(["export", str(run / "last.pt"), "-o", str(onnx_path)]) == 0
    model = OnnxModel(onnx_path, threads=1)
    assert model.metadata["arch"] == "dbnet_resnet50_dcn"
    prob = model.run(np.zeros((1, 3, 64, 96), np.float32))
    assert prob.shape == (1, 1, 64, 96) and np.isfinite(prob).all()
