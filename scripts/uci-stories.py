#!/usr/bin/env python3
"""Turns a cut of the UCI "News Aggregator" corpus (Gasparetti 2017) into the story
evaluation's JSON lines: its headlines with the story each was filed under by the
aggregator, in arrival order, split into a tuning half and a held-out half by story.

usage: scripts/uci-stories.py uci-news-aggregator.csv OUT_DIR

The cut used for tests/fixtures/stories/uci-2014 is the first 6,367 rows of newsCorpora.csv
(10-12 March 2014) as kept in github.com/pratikaher88/IPythonNotebooks; its last row is cut
short there and is left out. A story goes to the held-out half when the first byte of the MD5
of its label is odd, so the halves never share a story, and the split needs no choosing.
"""

import csv
import hashlib
import json
import sys
from pathlib import Path


def main() -> None:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    with source.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if not (row.get("TIMESTAMP") or "").isdigit() or not row.get("STORY"):
                continue
            rows.append(row)
    rows.sort(key=lambda r: (int(r["TIMESTAMP"]), int(r["ID"])))
    halves = {"tune": [], "heldout": []}
    for row in rows:
        half = "heldout" if hashlib.md5(row["STORY"].encode()).digest()[0] % 2 else "tune"
        halves[half].append(
            {
                "id": int(row["ID"]),
                "title": row["TITLE"],
                "summary": "",
                "published": int(row["TIMESTAMP"]) // 1000,
                "outlet": row["PUBLISHER"],
                "country": None,
                "language": "en",
                "story": row["STORY"],
            }
        )
    for half, items in halves.items():
        with (out / f"{half}.jsonl").open("w", encoding="utf-8") as f:
            for item in items:
                f.write(json.dumps(item, ensure_ascii=False) + "\n")
        stories = len({item["story"] for item in items})
        print(f"{half}: {len(items)} headlines, {stories} stories")


if __name__ == "__main__":
    main()
