"""Greedy CTC decoding in numpy, shared by training-time validation and ONNX inference."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

# Characters that look alike, and that the recognizer splits its belief between: hyphen, en and em dash. The
# synthetic lines it learnt from draw a lone dash as any of the three alike, while real print is mostly hyphens
# (FUNSD and SROIE: 2,602 labelled hyphens, 2 en dashes). A character of a group is as sure as the group (a
# receipt's lone dash, read en dash 0.46, is a dash 0.99 sure, where it was dropped as unsure), and it is read as
# the group's first member unless another takes at least LOOKALIKE_SURE of the group's belief.
DASHES = "-\u2013\u2014"
LOOKALIKES = (DASHES,)
LOOKALIKE_SURE = 0.7


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


def ctc_greedy_decode(
    probs: np.ndarray, chars: Sequence[str], lengths: Sequence[int] | np.ndarray | None = None
) -> list[CTCResult]:
    """Decode ``probs`` of shape (batch, steps, classes) (softmax outputs, class 0 = blank).

    Repeated classes collapse; a character's probability (its group's, for ``LOOKALIKES``) is the max over the
    steps of its run, its position the first and last step of that run. ``lengths`` limits each item to its valid
    steps (padding excluded).
    """
    if probs.ndim != 3:
        raise ValueError(f"expected (batch, steps, classes), got shape {probs.shape}")
    best = probs.argmax(axis=2)
    best_p = top = probs.max(axis=2)
    for group in LOOKALIKES:
        members = [chars.index(c) + 1 for c in group if c in chars]
        if len(members) > 1:
            within = np.isin(best, members)
            pooled = probs[:, :, members].sum(axis=2)
            best_p = np.where(within, pooled, best_p)
            best = np.where(within & (top < LOOKALIKE_SURE * pooled), members[0], best)
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


def _extended(labels: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """CTC's state sequence (blank, l1, blank, l2, ..., blank) and where a state may be reached skipping a blank."""
    ext = np.zeros(2 * len(labels) + 1, dtype=np.int64)
    ext[1::2] = labels
    skip = np.zeros(len(ext), dtype=bool)
    skip[2:] = (ext[2:] != 0) & (ext[2:] != ext[:-2])
    return ext, skip


def ctc_log_likelihood(log_probs: np.ndarray, labels: Sequence[int]) -> float:
    """log P(labels | log_probs) summed over all CTC alignments (the forward algorithm); ``log_probs`` (steps,
    classes), class 0 the blank; ``labels`` class indices. -inf when the steps are too few for the labels."""
    if len(log_probs) == 0:
        return 0.0 if not labels else -np.inf
    ext, skip = _extended(labels)
    emit = log_probs[:, ext]
    # two states that are never reached before the first, so that a state's one- and two-back are slices: the word
    # list calls this for every word it checks, and numpy's per-call cost is most of it
    alpha = np.full(len(ext) + 2, -np.inf)
    alpha[2:4] = emit[0, :2]
    for t in range(1, len(log_probs)):
        here = np.logaddexp(alpha[2:], alpha[1:-1])
        alpha[2:] = np.logaddexp(here, np.where(skip, alpha[:-2], -np.inf)) + emit[t]
    return float(np.logaddexp(alpha[-1], alpha[-2]) if labels else alpha[-1])


def ctc_best_alignment(log_probs: np.ndarray, labels: Sequence[int]) -> list[tuple[int, int]]:
    """The most likely CTC alignment of ``labels`` (Viterbi): each label's (first, last) step. Needs at least as
    many steps as the labels take (a repeated label needs a blank between)."""
    ext, skip = _extended(labels)
    steps, states = len(log_probs), len(ext)
    emit = log_probs[:, ext]
    score = np.full(states + 2, -np.inf)  # two never-reached states first, as in ``ctc_log_likelihood``
    score[2:4] = emit[0, :2]
    back = np.zeros((steps, states), dtype=np.int8)  # how many states back each state came from
    for t in range(1, steps):
        stay, one, two = score[2:], score[1:-1], np.where(skip, score[:-2], -np.inf)
        best = np.maximum(stay, one)
        came = (one > stay).astype(np.int8)  # ties go to the nearer state
        came[two > best] = 2
        back[t] = came
        score[2:] = np.maximum(best, two) + emit[t]
    score = score[2:]
    state = states - 1 if states == 1 or score[-1] >= score[-2] else states - 2
    spans: dict[int, list[int]] = {}
    for t in range(steps - 1, -1, -1):
        if state % 2:
            spans.setdefault(state // 2, []).append(t)
        state -= int(back[t, state])
    return [(min(spans[k]), max(spans[k])) for k in range(len(labels))]
