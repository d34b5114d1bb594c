"""scripts/pack_for_device.py: page folders packed for a GPU machine leave out held-out pages and can be sampled,
and keep their stems and labels (so a trainer's --seed carves the same split from the copy)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2
import numpy as np

from ocdr.io.labels import icdar_pairs

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "pack_for_device.py"


def _pack_module():
    spec = importlib.util.spec_from_file_location("pack_for_device", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _page_folder(root: Path, n: int) -> Path:
    (root / "images").mkdir(parents=True)
    (root / "gts").mkdir()
    for i in range(n):
        page = np.full((40, 60, 3), 255, np.uint8)
        cv2.putText(page, str(i), (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (0, 0, 0), 2)
        cv2.imwrite(str(root / "images" / f"p{i}.png"), page)
        (root / "gts" / f"gt_p{i}.txt").write_text(f"10,10,40,10,40,32,10,32,{i}\n", encoding="utf-8")
    return root


def test_pack_pages_excludes_held_out_pages_and_samples(tmp_path):
    pack = _pack_module()
    src = _page_folder(tmp_path / "set", 6)
    held = tmp_path / "val" / "set"
    (held / "images").mkdir(parents=True)
    (held / "gts").mkdir()
    (held / "images" / "0000_p2.png").symlink_to(src / "images" / "p2.png")  # as ocdr train writes held-out pages
    (held / "gts" / "gt_0000_p2.txt").write_text("10,10,40,10,40,32,10,32,2\n", encoding="utf-8")
    exclude = frozenset(image.resolve() for image, _ in icdar_pairs(held))

    n = pack.pack_pages(src, tmp_path / "out", exclude=exclude)
    stems = sorted(p.stem for p in (tmp_path / "out" / "images").iterdir())
    assert n == 5 and stems == ["p0", "p1", "p3", "p4", "p5"]
    page = cv2.imread(str(tmp_path / "out" / "images" / "p3.webp"))  # WebP stores the gray page in three channels
    assert page.shape == (40, 60, 3) and np.array_equal(page[..., 0], page[..., 2])
    assert (tmp_path / "out" / "gts" / "gt_p3.txt").read_text(encoding="utf-8").endswith(",3\n")

    a = pack.pack_pages(src, tmp_path / "a", exclude=exclude, max_pages=3, seed=51)
    b = pack.pack_pages(src, tmp_path / "b", exclude=exclude, max_pages=3, seed=51)
    sample = sorted(p.name for p in (tmp_path / "a" / "images").iterdir())
    assert a == b == 3 and sample == sorted(p.name for p in (tmp_path / "b" / "images").iterdir())
    assert "p2.webp" not in sample and len(list((tmp_path / "a" / "gts").iterdir())) == 3
