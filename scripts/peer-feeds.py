#!/usr/bin/env python3
"""Prepare a peer corpus for our feed parser: feedparser's own test feeds, with what feedparser
reads from each.

feedparser (BSD 2-clause, https://github.com/kurtmckee/feedparser) ships about 2,200 small
feeds in its source distribution: encodings, entities, ill-formed XML, old formats. None of
them is copied into this repository; this script fetches the sdist from PyPI, parses every
feed with feedparser itself (from the same bytes and the HTTP headers each test names), and
writes what it found beside the files:

    OUT/files/<path>          the feed bytes, as shipped
    OUT/manifest.jsonl        one line per feed: path, content_type, base, format (feedparser's
                              version), split, and its entries' titles (as plain text) and links

The Rust test `peer_feed_corpus` in tests/news.rs reads OUT and reports how many entries our
parser keeps with the same title and link. A fixed fifth of the files (by a hash of the path)
is held out: we never looked at those while fixing the parser, so their figure is the honest
one.

Usage: scripts/peer-feeds.py OUT   (needs pip and the package registry; about 30 s)
"""

import hashlib
import html
import html.parser
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile

VERSION = "6.0.11"
SDIST_SHA256 = "c9d0407b64c6f2a065d0ebb292c2b35c01050cc0dc33757461aaabdc4c4184d5"
FOLDERS = ("wellformed", "illformed", "encoding", "entities")
# feedparser's test server serves every file from here; the tests' expected links assume it.
BASE = "http://127.0.0.1:8097/"
HEADER = re.compile(rb"^Header:\s+([^:]+):(.+)$", re.MULTILINE)


class _Text(html.parser.HTMLParser):
    """Markup to its text, the way a reader sees it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def plain(value, kind):
    if kind in ("text/html", "application/xhtml+xml"):
        parser = _Text()
        parser.feed(value)
        parser.close()
        value = "".join(parser.parts)
    return " ".join(value.split())


def split_of(path):
    return "held-out" if hashlib.sha256(path.encode()).digest()[0] % 5 == 0 else "tune"


def main(out):
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
             "-d", tmp, f"feedparser=={VERSION}"],
            check=True,
        )
        sdist = os.path.join(tmp, f"feedparser-{VERSION}.tar.gz")
        with open(sdist, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        if digest != SDIST_SHA256:
            sys.exit(f"{sdist}: sha256 {digest}, expected {SDIST_SHA256}")
        with tarfile.open(sdist) as tar:
            tar.extractall(tmp, filter="data")
        root = os.path.join(tmp, f"feedparser-{VERSION}")
        # feedparser itself, from the sdist just checked; from PyPI its one dependency, and
        # chardet, which it uses when present to read feeds that name no encoding.
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "sgmllib3k==1.0.0", "chardet==5.2.0"],
            check=True,
        )
        sys.path.insert(0, root)
        import feedparser

        lines = []
        skipped = []
        for folder in FOLDERS:
            top = os.path.join(root, "tests", folder)
            for dirpath, _, names in os.walk(top):
                for name in sorted(names):
                    full = os.path.join(dirpath, name)
                    path = os.path.relpath(full, root)
                    with open(full, "rb") as f:
                        body = f.read()
                    headers = {k.decode().strip().lower(): v.decode().strip()
                               for k, v in HEADER.findall(body)}
                    base = BASE + path
                    try:
                        parsed = feedparser.parse(body, response_headers={**headers, "content-location": base})
                    except Exception as error:  # feedparser's own crash: no reference to compare with
                        skipped.append(f"{path}: {error!r}")
                        continue
                    entries = []
                    for entry in parsed.entries:
                        detail = entry.get("title_detail") or {}
                        entries.append({
                            "title": plain(entry.get("title", ""), detail.get("type", "text/plain")),
                            "link": entry.get("link", ""),
                        })
                    target = os.path.join(out, "files", path)
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    with open(target, "wb") as f:
                        f.write(body)
                    lines.append(json.dumps({
                        "path": path,
                        "content_type": headers.get("content-type"),
                        "base": base,
                        "format": parsed.get("version", ""),
                        "split": split_of(path),
                        "entries": entries,
                    }, ensure_ascii=False))
        with open(os.path.join(out, "manifest.jsonl"), "w", encoding="utf-8") as f:
            f.write("\n".join(sorted(lines)) + "\n")
        for line in skipped:
            print(f"skipped, feedparser fails on it: {line}")
        print(f"{len(lines)} feeds, {sum(len(json.loads(l)['entries']) for l in lines)} entries -> {out}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
