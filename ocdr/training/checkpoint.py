"""Checkpoints that resume training exactly: model, optimizer, scheduler, step and the model's metadata."""

from __future__ import annotations

import os
from pathlib import Path

import torch


def save_checkpoint(path: Path, **state) -> None:
    """Write atomically (temp file + rename) so an interrupted run never leaves a broken checkpoint."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: Path) -> dict:
    return torch.load(path, map_location="cpu", weights_only=False)
