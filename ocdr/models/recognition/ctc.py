"""Greedy CTC decoding in numpy, shared by training-time validation and ONNX inference."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass
class CTCResult:
    """A decoded sequence. ``positions[i]`` is the (first, last) time step where character i was emitted."""

    text: str
    char_probs: list[float] = field(default_factory=list)
    positions: list[tuple[int, int]] = field(default_factory=list)
    num_steps: int = 0

    @property
    def confidence(self) -> float:
        """Geometric mean of the character probabilities (0 for empty text): one bad character pulls it down."""
        if not self.char_probs:
            return 0.0
        return float(np.exp(np.mean(np.log(np.clip(self.char_probs, 1e-8, 1.0)))))


def ctc_greedy_decode(probs: np.ndarray, chars: Sequence[str], lengths: Sequence[int] | None = None) -> list[CTCResult]:
    """Decode ``probs`` of shape (batch, steps, classes) (softmax outputs, class 0 = blank).

    Repeated classes collapse; a character's probability is the max over the steps of its run, its position
    the first and last step of that run. ``lengths`` limits each item to its valid steps (padding excluded).
    """
    if probs.ndim != 3:
        raise ValueError(f"expected (batch, steps, classes), got shape {probs.shape}")
    best = probs.argmax(axis=2)
    best_p = probs.max(axis=2)
    results = []
    for b in range(probs.shape[0]):
        steps = probs.shape[1] if lengths is None else min(int(lengths[b]), probs.shape[1])
        idx = best[b, :steps]
        p = best_p[b, :steps]
        text, cprobs, pos = [], [], []
        prev = 0
        for t in range(steps):
            k = int(idx[t])
            if k != 0 and k != prev:
                text.append(chars[k - 1])
                cprobs.append(float(p[t]))
                pos.append((t, t))
            elif k != 0 and k == prev:
                cprobs[-1] = max(cprobs[-1], float(p[t]))
                pos[-1] = (pos[-1][0], t)
            prev = k
        results.append(CTCResult("".join(text), cprobs, pos, steps))
    return results
