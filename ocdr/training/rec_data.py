"""Recognition datasets in the seed format, held in memory as height-32 gray crops, batched by width."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from ocdr.io.crop_datasets import read_crop_dataset
from ocdr.models.recognition.charset import Charset
from ocdr.models.recognition.preprocess import REC_HEIGHT, REC_TAIL, batch_crops, resize_crop


@dataclass
class RecSample:
    image: np.ndarray  # gray uint8 at the model's height
    text: str
    path: Path | None = None
    caseless: bool = False  # from a set labelled in one case whatever the print (SVT, SROIE: all upper case)


@dataclass
class Skipped:
    """The crops of a set that training leaves out, by why: said in the log, so that a set whose new characters
    the charset lacks (a user's own ``characters_list.txt`` not given as ``--charset``) is not dropped unsaid."""

    unreadable: list[str] = field(default_factory=list)  # names of crops whose image is missing, unreadable or tiny
    empty: int = 0  # crops labelled with no text
    outside: int = 0  # crops whose text has characters outside the charset...
    characters: Counter[str] = field(default_factory=Counter)  # ...these, with how many crops each is in

    def __len__(self) -> int:
        return len(self.unreadable) + self.empty + self.outside

    def __str__(self) -> str:
        parts = []
        if self.unreadable:
            parts.append(f"{len(self.unreadable)} unreadable, e.g. {', '.join(self.unreadable[:3])}")
        if self.empty:
            parts.append(f"{self.empty} with no text")
        if self.outside:
            chars = " ".join(repr(c) for c, _ in self.characters.most_common(20))
            more = f" and {len(self.characters) - 20} more" if len(self.characters) > 20 else ""
            parts.append(f"{self.outside} with characters outside the charset: {chars}{more} (--charset adds them)")
        return "; ".join(parts) or "none"


def load_rec_dataset(
    root: str | Path, charset: Charset, limit: int | None = None, height: int = REC_HEIGHT
) -> tuple[list[RecSample], Skipped]:
    """Read a crop set in any layout ``read_crop_dataset`` knows, crops resized to ``height``. Returns samples and
    the crops skipped: their image is unreadable, their text empty or outside the charset."""
    samples, skipped = [], Skipped()
    for name, img, text in read_crop_dataset(root, limit):
        text = charset.normalize(text)
        if img is None or img.shape[0] < 2 or img.shape[1] < 2:
            skipped.unreadable.append(name)
        elif not text:
            skipped.empty += 1
        elif not charset.covers(text):
            skipped.outside += 1
            skipped.characters.update({c for c in text if c not in charset.index})
        else:
            path = Path(name)
            samples.append(RecSample(resize_crop(img, height), text, path if path.is_file() else None))
    return samples, skipped


def is_caseless(samples: list[RecSample]) -> bool:
    """Whether a set's labels ignore case: letters in them, but not one lower-case letter (SVT and SROIE write every
    word in capitals whatever the print). Trained exactly, such labels teach a model to capitalise real text."""
    texts = [s.text for s in samples]
    return any(c.isalpha() for t in texts for c in t) and not any(c.islower() for t in texts for c in t)


def caseless_log_probs(log_probs: torch.Tensor, caseless: list[bool], charset: Charset) -> torch.Tensor:
    """(T, N, C) CTC log-probabilities where, for the caseless samples, each letter's upper-case class takes the
    probability of both cases and the lower-case class none: their CTC loss does not care which case the model
    reads, so case is learnt from the sets that label it."""
    rows = [i for i, flag in enumerate(caseless) if flag]
    if not rows:
        return log_probs
    pairs = [(charset.index[c], charset.index[c.upper()]) for c in "abcdefghijklmnopqrstuvwxyz"
             if c in charset.index and c.upper() in charset.index]  # fmt: skip
    lower = torch.tensor([lo for lo, _ in pairs], device=log_probs.device)
    upper = torch.tensor([up for _, up in pairs], device=log_probs.device)
    rows_t = torch.tensor(rows, device=log_probs.device)
    sub = log_probs[:, rows_t]
    merged = sub.clone()
    merged[..., upper] = torch.logaddexp(sub[..., upper], sub[..., lower])
    merged[..., lower] = -1e4
    out = log_probs.clone()
    out[:, rows_t] = merged
    return out


def width_batches(
    samples: list[RecSample], batch_size: int, rng: np.random.Generator | None, indices: np.ndarray | None = None
) -> list[list[int]]:
    """Group indices (all, or the given ``indices``) of similar widths so padding stays small; shuffled when rng
    is given."""
    indices = np.arange(len(samples)) if indices is None else np.asarray(indices)
    widths = np.array([samples[i].image.shape[1] for i in indices], dtype=np.float64)
    if rng is not None:
        widths += rng.normal(0, 4, len(widths))  # jitter the sort so batches differ from epoch to epoch
    order = indices[np.argsort(widths, kind="stable")]
    batches = [order[i : i + batch_size].tolist() for i in range(0, len(order), batch_size)]
    if rng is not None:
        rng.shuffle(batches)
    return batches


def collate(
    samples: list[RecSample], charset: Charset, augment: Callable[[np.ndarray], np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray, list[list[int]]]:
    batch, widths = batch_crops([augment(s.image) if augment else s.image for s in samples], tail=REC_TAIL)
    targets = [charset.encode(s.text) for s in samples]
    return batch, widths, targets
