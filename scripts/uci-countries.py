#!/usr/bin/env python3
"""Gives each headline of the UCI story fixtures (tests/fixtures/stories/uci-2014) the
country its outlet is from, read off the outlet's HOSTNAME column in the UCI "News
Aggregator" CSV (Gasparetti 2017) by a fixed rule, never from the outlet's name.

usage: scripts/uci-countries.py uci-news-aggregator.csv OUT.tsv

Writes `id<TAB>hostname<TAB>country` for every id in tune.jsonl and heldout.jsonl, sorted
by id, under that header line; country is a Natural Earth ADM0_A3 code, or `-` for unknown.
The rule, first match wins (labels compared lower-case, a trailing dot dropped):

  (a) the last label is a country-code TLD (so .co.uk, .com.au, .co.nz ... count by their
      last label): the country whose ISO_A2_EH it is in the repository's Natural Earth table
      (assets/countries/countries-low.geojson), `uk` read as `gb`; except the ccTLDs sold
      worldwide as generic names (VANITY_CCTLDS), which fall through to (d);
  (b) a .com/.net/.org host of three labels or more whose first label is a country edition
      of the site (EDITIONS: in.reuters.com, uk.reuters.com, au.news.yahoo.com ...);
  (c) the last label is `us`, `gov`, `mil` or `edu` (registries for the United States only): USA;
  (d) anything else (.com, .net, .org, .tv, .fm, .co, .biz, .info, .eu ...): `-`.
"""

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests/fixtures/stories/uci-2014"
NATURAL_EARTH = ROOT / "assets/countries/countries-low.geojson"

# Country-code TLDs marketed as generic names, so they say nothing about the outlet's country.
VANITY_CCTLDS = {"co", "tv", "fm", "me", "io", "cc", "ws", "tk", "nu", "ly", "tm", "gs"}
# First labels that name a country edition of a .com/.net/.org site (as seen in the data:
# in.reuters.com, uk.reuters.com, ca.reuters.com, au.news.yahoo.com, ph.celebrity.yahoo.com,
# za.news.yahoo.com, au.ibtimes.com ...).
EDITIONS = {
    "au": "AUS", "ca": "CAN", "ie": "IRL", "in": "IND", "my": "MYS", "nz": "NZL",
    "ph": "PHL", "sg": "SGP", "uk": "GBR", "us": "USA", "za": "ZAF",
}
GENERIC_TLDS = {"com", "net", "org"}
USA_TLDS = {"us", "gov", "mil", "edu"}


def cctld_table() -> dict:
    """ISO alpha-2 (lower case) -> ADM0_A3; where several features share one alpha-2
    (AU, FR, BR), the one whose ADM0_A3 is its own ISO_A3_EH."""
    table = {}
    features = json.loads(NATURAL_EARTH.read_text(encoding="utf-8"))["features"]
    for feature in features:
        p = feature["properties"]
        a2, a3 = (p.get("ISO_A2_EH") or "").lower(), p["ADM0_A3"]
        if len(a2) != 2 or not a2.isalpha():
            continue
        if a2 not in table or a3 == p.get("ISO_A3_EH"):
            table[a2] = a3
    table["uk"] = table["gb"]
    return table


def country(hostname: str, cctlds: dict) -> str:
    labels = hostname.strip().rstrip(".").lower().split(".")
    tld = labels[-1]
    if len(tld) == 2 and tld not in VANITY_CCTLDS and tld in cctlds:
        return cctlds[tld]
    if tld in GENERIC_TLDS and len(labels) >= 3 and labels[0] in EDITIONS:
        return EDITIONS[labels[0]]
    if tld in USA_TLDS:
        return "USA"
    return "-"


def main() -> None:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    ids = set()
    for half in ("tune", "heldout"):
        with (FIXTURES / f"{half}.jsonl").open(encoding="utf-8") as f:
            ids.update(json.loads(line)["id"] for line in f if line.strip())
    hostnames = {}
    with source.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if (row.get("ID") or "").isdigit() and int(row["ID"]) in ids:
                hostnames[int(row["ID"])] = row["HOSTNAME"] or ""
    missing = ids - hostnames.keys()
    if missing:
        sys.exit(f"{len(missing)} ids not in {source}, e.g. {sorted(missing)[:5]}")
    cctlds = cctld_table()
    counts = {}
    with out.open("w", encoding="utf-8", newline="") as f:
        f.write("id\thostname\tcountry\n")
        for id_ in sorted(ids):
            code = country(hostnames[id_], cctlds)
            counts[code] = counts.get(code, 0) + 1
            f.write(f"{id_}\t{hostnames[id_]}\t{code}\n")
    known = len(ids) - counts.get("-", 0)
    print(f"{len(ids)} headlines, {known} with a country, {counts.get('-', 0)} unknown")
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"{code}\t{n}")


if __name__ == "__main__":
    main()
