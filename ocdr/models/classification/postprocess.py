"""The text-line classifier's verdicts as the pipeline settles them, shared by the pipeline and ``ocdr train cls``
(whose validation then picks the checkpoint that decides best the way crops are decided when read)."""

from __future__ import annotations

import numpy as np

SURE_LOG_ODDS = 6.0  # a text-line verdict this sure (99.75%) is not asked again of the crop turned over


def log_odds(probs: np.ndarray) -> np.ndarray:
    """Log-odds of class 1 over class 0 for each row of two-class probabilities."""
    p = np.clip(probs, 1e-6, 1.0)
    return np.log(p[:, 1]) - np.log(p[:, 0])


def unsure(evidence: np.ndarray) -> np.ndarray:
    """Indices of the verdicts (log-odds of 180) not sure enough to stand alone: these crops are asked turned over."""
    return np.flatnonzero(np.abs(evidence) < SURE_LOG_ODDS)


def settle(evidence: np.ndarray, turned: np.ndarray) -> np.ndarray:
    """Evidence for 180 of crops whose turned copies gave ``turned``: a sure verdict stands, an unsure one becomes
    the mean of the crop's log-odds and its turned copy's negated, so that the model's leanings that do not depend on
    the text's orientation cancel out."""
    return np.where(np.abs(evidence) < SURE_LOG_ODDS, (evidence - turned) / 2, evidence)
