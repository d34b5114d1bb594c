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
    """The state ``save_checkpoint`` wrote; a ValueError naming the file for anything else (a missing file stays a
    FileNotFoundError)."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
    except (FileNotFoundError, IsADirectoryError):
        raise
    except Exception as exc:  # torch.load raises many kinds on a file that is not a checkpoint
        raise ValueError(f"{path}: not an ocdr training checkpoint ({exc})") from exc
    if not isinstance(state, dict) or "model" not in state:
        raise ValueError(f"{path}: not an ocdr training checkpoint (no model state in it)")
    return state
