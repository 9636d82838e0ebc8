"""Near-duplicates: the same story under other chrome, with a new headline, a few
words edited, paragraphs re-wrapped or re-ordered, or cut short.

Two steps, so that finding candidates never scans the store:

1. **Candidates** come from an index of fingerprints (table ``fingerprints``):
   hashes of the body's 8-word runs, keeping those whose hash is 0 modulo
   ``SAMPLE`` (about one in 16, chosen by content, so two copies of a text keep
   the same ones wherever the text sits in them). Any stored article sharing a
   fingerprint with the new one is a candidate. They survive re-wrapping,
   re-ordering and truncation; an edit changes only the runs it touches.
2. **Decision** on the few candidates, by word 5-shingles of the whole body:
   the same story when their Jaccard similarity reaches ``threshold``, or when
   the shorter body is contained in the longer one to ``containment`` (a copy
   cut short). Two different stories that share one long quotation share a
   few fingerprints, so they are candidates, but their bodies as a whole differ.

The thresholds were chosen on a labelled set (tests/test_neardup.py); the
docs/benchmarks.md gives the figures.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

FINGERPRINT_WORDS = 8
SAMPLE = 16
SHINGLE_WORDS = 5
# a fingerprint found in this many articles is boilerplate, not a sign of a shared story
MAX_BUCKET = 200
MAX_CANDIDATES = 20

_WORD = re.compile(r"\w+")


def _hash(text: str) -> int:
    # 63 bits, so it fits SQLite's signed INTEGER
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big") >> 1


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def fingerprints(text: str) -> set[int]:
    """The body's sampled 8-word-run hashes (case, punctuation and spacing ignored)."""
    tokens = words(text)
    runs = (
        {
            _hash(" ".join(tokens[i : i + FINGERPRINT_WORDS]))
            for i in range(max(1, len(tokens) - FINGERPRINT_WORDS + 1))
        }
        if tokens
        else set()
    )
    kept = {h for h in runs if h % SAMPLE == 0}
    return kept or ({min(runs)} if runs else set())


def shingles(text: str) -> set[int]:
    tokens = words(text)
    if len(tokens) < SHINGLE_WORDS:
        return {_hash(" ".join(tokens))} if tokens else set()
    return {
        _hash(" ".join(tokens[i : i + SHINGLE_WORDS]))
        for i in range(len(tokens) - SHINGLE_WORDS + 1)
    }


@dataclass(frozen=True)
class Similarity:
    jaccard: float
    containment: float  # share of the shorter body found in the longer one
    shorter: str  # "new", "stored" or "same"

    def same_story(self, threshold: float, containment: float) -> bool:
        return self.jaccard >= threshold or self.containment >= containment

    @property
    def score(self) -> float:
        return max(self.jaccard, self.containment)


# the same body text (equal content hashes): no need to shingle either
EXACT_COPY = Similarity(1.0, 1.0, "same")


def compare(new_text: str, stored_text: str) -> Similarity:
    a, b = shingles(new_text), shingles(stored_text)
    if not a or not b:
        return Similarity(0.0, 0.0, "same")
    common = len(a & b)
    shorter = "same" if len(a) == len(b) else ("new" if len(a) < len(b) else "stored")
    return Similarity(common / len(a | b), common / min(len(a), len(b)), shorter)


def is_truncated_copy(similarity: Similarity, threshold: float) -> bool:
    """Matched because the shorter body sits inside the longer, not because they
    are alike as a whole: the shorter one is a cut-down copy."""
    return similarity.jaccard < threshold and similarity.shorter != "same"
