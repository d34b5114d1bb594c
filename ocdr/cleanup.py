"""A page's pixels cleaned before it is read: specks removed, bilevel (1-bit) pages smoothed.

The models learnt text from pages in shades of gray with mild noise. A 1-bit page's stair-stepped edges and a
scan's scattered specks are outside that, and both cost words; each cleaning runs only where the page shows it.
"""

from __future__ import annotations

import cv2
import numpy as np

# A bilevel page's smoothing (Gaussian sigma, pixels). Word F on eight 300 dpi synthetic pages made 1-bit, at sigma
# 0 / 0.7 / 0.85 / 1.0 / 1.2: at 200 dpi 0.934 / 0.955 / 0.954 / 0.949 / 0.945; as fine-mode faxes 0.907 / 0.934 / 0.939
# / 0.943 / 0.941; as standard-mode faxes (stretched first) 0.711 / 0.776 / 0.793 / 0.810 / 0.813.
BILEVEL_SIGMA = 1.0
SPECK_CONTRAST = 80  # a pixel this many gray levels darker (or lighter) than all eight of its neighbours is a speck
# A page with more specks than this share of its pixels is despeckled. Real pages have far fewer: at most 0.044% of
# a FUNSD scan's pixels, 0.028% of a SROIE receipt's, 0.0002% of an ICDAR 2015 photo's (150 training pages each), 0.03%
# of a synthetic page made a fax; 0.5% salt-and-pepper noise gives 0.49%.
SPECK_SHARE = 0.002
_RING = np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], np.uint8)  # the eight neighbours


def bilevel(image: np.ndarray) -> bool:
    """Whether an image holds two values at most (a fax, a 1-bit scan), judged on every fourth pixel."""
    sample = image[::4, ::4]
    return bool(((sample == sample.min()) | (sample == sample.max())).all())


def smooth_bilevel(image: np.ndarray) -> np.ndarray:
    """A bilevel page with its stair-stepped edges smoothed into the grays the models read best."""
    return cv2.GaussianBlur(image, (0, 0), BILEVEL_SIGMA)


def specks(gray: np.ndarray) -> np.ndarray:
    """Boolean mask of the pixels ``SPECK_CONTRAST`` darker or lighter than every one of their eight neighbours:
    noise, not ink (a stroke's pixels, however thin, have neighbours in the stroke)."""
    darker = cv2.subtract(cv2.erode(gray, _RING), gray) > SPECK_CONTRAST
    lighter = cv2.subtract(gray, cv2.dilate(gray, _RING)) > SPECK_CONTRAST
    return darker | lighter


def despeckle(image: np.ndarray) -> np.ndarray:
    """An HxWx3 page with its specks replaced by the median of their 3x3 neighbourhood, where they are more than
    ``SPECK_SHARE`` of its pixels (salt-and-pepper noise: a dirty scanner, a bad line); other pages as they are.
    Only the specks change, so thin strokes survive, as a median over the whole page would not let them."""
    mask = specks(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY))
    if mask.mean() <= SPECK_SHARE:
        return image
    return np.where(mask[..., None], cv2.medianBlur(image, 3), image)
