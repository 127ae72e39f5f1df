#!/usr/bin/env python3
"""Measure established article extractors ("peers") on the pages our extractor is measured on,
with the same word-level scoring as tests/news.rs (extraction_on_real_pages), so their figures
can stand beside ours.

DATA_DIR is the folder scripts/extract-eval-data.py prepares. Each peer reads each page's HTML
(with the manifest's url, or https://example.com/article as the test gives ours) and its output
becomes plain text, a paragraph a line; a page a peer fails on scores 0. Prints, per peer, the
mean precision, recall and F1 per set and per kind of page in the test's format, the F1 per set,
and the median time a page took. With --newsglobe BIN it also runs `BIN extract --json` on each
page (stdin, so with no base url), to check this scorer against the test's figures.

The peers and the `regex` module (for Unicode's Alphabetic property, as Rust's
char::is_alphanumeric uses) are expected installed, e.g.

    python3 -m venv /tmp/peers-venv
    /tmp/peers-venv/bin/pip install trafilatura==2.3.1 readability-lxml==0.9 \
        "newspaper4k[zh,ja,nlp]==0.9.6" goose3==3.1.22 regex==2026.11.19
    /tmp/peers-venv/bin/python scripts/extract-peers.py DATA_DIR [--newsglobe BIN]

newspaper4k's extras are its Chinese, Japanese and Korean tokenizers; Korean also wants NLTK's
punkt_tab data, which is not fetched here, so newspaper4k gives no article on Korean pages.
"""

import collections
import importlib.util
import json
import logging
import os
import statistics
import subprocess
import sys
import time

import regex

# Rust's extraction_words: a kana, CJK or Hangul character is a word of its own; otherwise a
# word is a run of alphanumeric characters (Alphabetic or Numeric), lower-cased one by one.
UNSPACED = "\u3040-\u30FF\u3400-\u9FFF\uAC00-\uD7AF"
WORD = regex.compile(rf"[{UNSPACED}]|[[\p{{Alphabetic}}\p{{N}}]--[{UNSPACED}]]+", regex.V1)
SETS = ["tune", "ae-tune", "aeb-tune", "aeb-held-out", "newspaper"]


def words(text):
    return collections.Counter("".join(c.lower() for c in w) for w in WORD.findall(text))


def score(got, expected):
    """Word-level precision, recall and F1, each word counted as often as it occurs."""
    got, expected = words(got), words(expected)
    common = sum((got & expected).values())
    precision = common / max(1, sum(got.values()))
    recall = common / max(1, sum(expected.values()))
    f1 = 2 * precision * recall / (precision + recall) if common else 0.0
    return precision, recall, f1


def _text_of():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "extract-eval-data.py")
    spec = importlib.util.spec_from_file_location("extract_eval_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.text_of


text_of = _text_of()


def trafilatura_text(html, url):
    import trafilatura
    return trafilatura.extract(html, url=url) or ""


def readability_text(html, url):
    from readability import Document
    return text_of(Document(html, url=url).summary(html_partial=True))


def newspaper_text(html, url):
    from newspaper import Article
    article = Article(url, fetch_images=False)  # Its default fetches the images over the web.
    article.download(input_html=html)
    article.parse()
    return article.text


def goose_text(html, url):
    from goose3 import Goose
    with Goose() as goose:
        return goose.extract(url=url, raw_html=html).cleaned_text


def newsglobe(binary):
    def extract(html, url):
        done = subprocess.run([binary, "extract", "--json"], input=html.encode(),
                              capture_output=True, check=False)
        return "\n".join(json.loads(done.stdout)["paragraphs"]) if done.returncode == 0 else ""
    return extract


def measure(name, extract, pages):
    by_kind = collections.defaultdict(list)
    seconds = []
    for page, html, expected in pages:
        url = page["url"] or "https://example.com/article"
        start = time.perf_counter()
        try:
            got = extract(html, url)
        except Exception:  # A peer that fails on a page gives no article.
            got = ""
        seconds.append(time.perf_counter() - start)
        for kind in (page["kind"], "all"):
            by_kind[page["set"], kind].append(score(got, expected))
    print(f"{name}, mean per page (median {statistics.median(seconds) * 1000:.0f} ms a page):")
    for (set_, kind), scores in sorted(by_kind.items()):
        p, r, f1 = (statistics.fmean(s[i] for s in scores) for i in range(3))
        print(f"  {set_:12} {kind:9} {len(scores):3} pages  P {p:.3f}  R {r:.3f}  F1 {f1:.3f}")
    print("F1 " + ", ".join(
        f"{s} {statistics.fmean(x[2] for x in by_kind[s, 'all']):.3f}" for s in SETS), flush=True)


def main(data, binary=None):
    logging.disable(logging.CRITICAL)
    pages = []
    with open(os.path.join(data, "manifest.jsonl"), encoding="utf-8") as manifest:
        for line in manifest:
            page = json.loads(line)
            with open(os.path.join(data, page["html"]), "rb") as f:
                html = f.read().decode("utf-8", errors="replace")
            with open(os.path.join(data, page["text"]), encoding="utf-8") as f:
                pages.append((page, html, f.read()))
    peers = [("trafilatura", trafilatura_text), ("readability-lxml", readability_text),
             ("newspaper4k", newspaper_text), ("goose3", goose_text)]
    if binary:
        peers.insert(0, ("newsglobe", newsglobe(binary)))
    for name, extract in peers:
        measure(name, extract, pages)


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) not in (1, 3) or (len(args) == 3 and args[1] != "--newsglobe"):
        sys.exit(__doc__)
    main(args[0], args[2] if len(args) == 3 else None)
