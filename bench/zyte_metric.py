"""The metric of the Zyte article extraction benchmark, and its corpus.

Reimplements ``evaluate.py`` of scrapinghub/article-extraction-benchmark
without the bootstrap: ``\\w+`` tokens, 4-token shingles compared as
multisets, per-document tp/fp/fn normalised by tp+fp+fn, precision and recall
averaged over documents, F1 from the two means.

The corpus lives outside the repo (``../shared/corpora/zyte-aeb`` from the
repo root); ``SYNDICATOR_CORPORA`` points at another corpora folder.

``python -m bench.zyte_metric`` scores the stored outputs of trafilatura and
news-please, as a check of this implementation against the published figures.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import statistics
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
NGRAM_N = 4
_TOKEN = re.compile(r"\w+", re.UNICODE)

TpFpFn = tuple[float, float, float]


def corpus_dir() -> Path:
    base = os.environ.get("SYNDICATOR_CORPORA")
    root = Path(base) if base else REPO_ROOT / ".." / "shared" / "corpora"
    return (root / "zyte-aeb").resolve()


def _load_bodies(path: Path) -> dict[str, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data.get("output"), dict):
        data = data["output"]
    return {key: item.get("articleBody") or "" for key, item in data.items()}


def load_ground_truth() -> dict[str, str]:
    """Id -> human-checked article body."""
    return _load_bodies(corpus_dir() / "ground-truth.json")


def load_output(tool: str) -> dict[str, str]:
    """Id -> article body another extractor produced (``output/<tool>.json``)."""
    return _load_bodies(corpus_dir() / "output" / f"{tool}.json")


def load_urls() -> dict[str, str]:
    """Id -> the page's original URL."""
    data = json.loads((corpus_dir() / "ground-truth.json").read_text(encoding="utf-8"))
    return {key: item["url"] for key, item in data.items()}


def load_html(key: str) -> str:
    return gzip.decompress((corpus_dir() / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8")


def load_pages(ids: list[str] | None = None) -> dict[str, tuple[str, str]]:
    """Id -> (original URL, HTML text); all pages unless ``ids`` is given."""
    urls = load_urls()
    return {key: (urls[key], load_html(key)) for key in (sorted(urls) if ids is None else ids)}


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    # As the original: a text shorter than n tokens is one short shingle, an empty one has none.
    grams = (tuple(tokens[i : i + NGRAM_N]) for i in range(max(1, len(tokens) - NGRAM_N + 1)))
    return Counter(gram for gram in grams if gram)


def shingle_matching(true: str, pred: str) -> TpFpFn:
    """Per-document tp, fp, fn, normalised by their sum so long texts do not weigh more."""
    true_shingles, pred_shingles = _shingles(true), _shingles(pred)
    tp = float(sum((true_shingles & pred_shingles).values()))
    fp = float(sum((pred_shingles - true_shingles).values()))
    fn = float(sum((true_shingles - pred_shingles).values()))
    total = tp + fp + fn
    if total > 0:
        return tp / total, fp / total, fn / total
    return tp, fp, fn


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def _mean(values: list[float]) -> float:
    # The original would raise on an empty list; a bench run on a few empty pages should not.
    return statistics.mean(values) if values else 0.0


def metrics(tp_fp_fns: list[TpFpFn]) -> dict[str, float]:
    """Precision, recall and F1 from per-document counts.

    As in the original, an empty prediction is left out of the precision mean
    (it counts only against recall), and a document with empty ground truth
    is left out of the recall mean.
    """
    precision = _mean([_precision(*c) for c in tp_fp_fns if c[0] + c[1] > 0])
    recall = _mean([_recall(*c) for c in tp_fp_fns if c[0] + c[2] > 0])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall}


def score(predictions: dict[str, str], ground_truth: dict[str, str]) -> dict[str, float]:
    """Score predictions over every ground-truth id; a missing prediction counts as empty."""
    extra = predictions.keys() - ground_truth.keys()
    if extra:
        raise ValueError(f"predictions for ids not in the ground truth: {sorted(extra)[:5]}")
    counts = [
        shingle_matching(ground_truth[key], predictions.get(key) or "")
        for key in sorted(ground_truth)
    ]
    return {**metrics(counts), "n": len(counts)}


def format_score(result: dict[str, float]) -> str:
    return (
        f"F1 {result['f1']:.3f}  P {result['precision']:.3f}  "
        f"R {result['recall']:.3f}  n {result['n']}"
    )


def main() -> int:
    truth = load_ground_truth()
    for tool in ("trafilatura", "news_please"):
        print(f"{tool:<12} {format_score(score(load_output(tool), truth))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
