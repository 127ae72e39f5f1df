#!/usr/bin/env python3
"""Fills a news store with one made-up story told by twelve countries at different hours and
in different words, through the app's own ingest, for the README's picture of a story's
spread and framing. The event, the outlets ("<Country> Daily") and every line are invented
for the demo; no real outlet said any of it.

usage: scripts/demo-spread.py NEWSGLOBE_BINARY DATA_DIR

DATA_DIR then holds news.sqlite and outlets.toml; draw it with
  newsglobe --data-dir DATA_DIR --outlets DATA_DIR/outlets.toml --translator none \\
      screenshot --story --spread 0.3 --out spread.png
"""

import email.utils
import importlib.util
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("bench_store", HERE / "bench-store.py")
bench_store = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench_store)

# Each country: hours after the first report that its first came, and its articles'
# (title, summary), in its own words around the shared ones.
TAKES = {
    "EST": (0, [
        ("Baltic power grid blackout: cyberattack suspected as Tallinn goes dark",
         "Officials suspect a cyberattack by state-backed hackers after the Baltic power grid blackout left Tallinn without power."),
        ("State-backed hackers behind Baltic grid blackout, Estonian officials say",
         "The cyberattack on the Baltic power grid was the work of state-backed hackers, officials said as the blackout went on."),
        ("Baltic grid blackout enters second night; cyberattack inquiry widens",
         "Investigators widened the cyberattack inquiry as the Baltic power grid blackout entered a second night."),
    ]),
    "LVA": (1, [
        ("Riga hit by Baltic power grid blackout amid cyberattack fears",
         "Latvia joined Estonia in blaming a cyberattack for the Baltic power grid blackout that hit Riga."),
        ("Cyberattack by state-backed hackers cut Baltic grid, Riga says",
         "Riga said state-backed hackers carried out the cyberattack that caused the Baltic power grid blackout."),
    ]),
    "LTU": (2, [
        ("Vilnius in the dark as Baltic power grid blackout spreads",
         "The Baltic power grid blackout spread to Vilnius; hospitals switched to generators."),
        ("Lithuania calls Baltic grid blackout a cyberattack on the region",
         "Lithuania called the Baltic power grid blackout a cyberattack and asked allies for help."),
    ]),
    "FIN": (3, [
        ("Finland sends engineers as Baltic power grid blackout continues",
         "Finland offered engineers and emergency power after the Baltic grid blackout; critical infrastructure on alert."),
        ("Critical infrastructure on alert in Finland after Baltic grid blackout",
         "Finnish officials put critical infrastructure on alert following the Baltic power grid blackout."),
    ]),
    "POL": (5, [
        ("NATO allies meet over Baltic power grid blackout and critical infrastructure",
         "Poland called for NATO consultations on protecting critical infrastructure after the Baltic grid blackout."),
        ("Warsaw urges NATO response to Baltic grid blackout sabotage",
         "Warsaw said the Baltic power grid blackout looked like sabotage and urged a NATO response."),
    ]),
    "DEU": (6, [
        ("Berlin offers help after Baltic power grid blackout; sabotage not ruled out",
         "Germany offered emergency generators; officials did not rule out sabotage in the Baltic grid blackout."),
        ("German officials weigh NATO role after Baltic grid blackout",
         "The NATO role in protecting critical infrastructure was discussed in Berlin after the Baltic power grid blackout."),
    ]),
    "GBR": (7, [
        ("Baltic power grid blackout: hospitals on generators as millions wait",
         "Hospitals ran on generators and millions waited for power after the Baltic grid blackout."),
        ("Millions without power in Baltic grid blackout as hospitals cope",
         "Hospitals coped on generators as the Baltic power grid blackout left millions without power."),
    ]),
    "RUS": (8, [
        ("Moscow rejects Western speculation over Baltic power grid blackout",
         "Moscow said the Baltic grid blackout was a technical failure and rejected Western speculation."),
        ("Baltic grid blackout a technical failure of ageing lines, Moscow says",
         "A technical failure of ageing lines caused the Baltic power grid blackout, Moscow said, dismissing Western speculation."),
        ("Kremlin: Western speculation about Baltic blackout is baseless",
         "The Kremlin called Western speculation about the Baltic power grid blackout baseless; a technical failure was to blame."),
    ]),
    "USA": (10, [
        ("Pentagon monitoring Baltic power grid blackout, cybersecurity teams deployed",
         "The Pentagon said cybersecurity teams were helping allies after the Baltic grid blackout."),
        ("US cybersecurity teams join Baltic grid blackout investigation",
         "American cybersecurity teams joined the investigation into the Baltic power grid blackout, the Pentagon said."),
    ]),
    "CHN": (16, [
        ("Beijing urges restraint and a full investigation into Baltic grid blackout",
         "China called for restraint and a full investigation before blame is assigned for the Baltic power grid blackout."),
        ("Restraint needed after Baltic power grid blackout, Beijing says",
         "Beijing urged restraint and said a full investigation should establish the cause of the Baltic grid blackout."),
    ]),
    "IND": (20, [
        ("Baltic power grid blackout: Indian nationals safe, embassy says",
         "The embassy said Indian nationals were safe after the Baltic grid blackout."),
    ]),
    "BRA": (26, [
        ("Baltic power grid blackout raises questions about grid security",
         "Experts said the Baltic grid blackout raised questions about power grid security everywhere."),
    ]),
}


# What every telling says: the event itself, which the clustering joins them by.
SHARED = "The Baltic power grid blackout began in Estonia, Latvia and Lithuania on Tuesday."


def other_news(country: str, start: float, rng: random.Random) -> str:
    """The rest of the day's news, in made-up words that no two articles share: a store of one
    story alone would weigh every shared word as nothing, since every article has it."""
    syllables = "ka lo mer ti sa vun dor pel an is ru go ne ba tor li fen qua zi hep mo ux".split()

    def word() -> str:
        return "".join(rng.choice(syllables) for _ in range(5)).capitalize()

    items = []
    for i in range(30):
        items.append(
            f"<item><title>{word()} {word().lower()} {word().lower()} in {word()}</title>"
            f"<link>https://{country.lower()}.example/other/{i}</link>"
            f"<description>{word()} {word().lower()} {word().lower()}.</description>"
            f"<pubDate>{email.utils.formatdate(start + rng.uniform(0, 30) * 3600)}</pubDate>"
            f"</item>"
        )
    return "".join(items)


def feed(country: str, hours: float, articles: list[tuple[str, str]], start: float) -> bytes:
    items = other_news(country, start, random.Random(country)) + "".join(
        f"<item><title>Baltic blackout: {title}</title><link>https://{country.lower()}.example/{i}</link>"
        f"<description>{summary} {SHARED}</description>"
        f"<pubDate>{email.utils.formatdate(start + (hours + 1.5 * i) * 3600)}</pubDate></item>"
        for i, (title, summary) in enumerate(articles)
    )
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>{country}</title>"
        f"<link>https://{country.lower()}.example/</link>{items}</channel></rss>"
    ).encode()


def main() -> None:
    binary, data = sys.argv[1], Path(sys.argv[2])
    data.mkdir(parents=True, exist_ok=True)
    # The story began 30 hours ago, so its whole spread is within the app's 48 hours.
    start = time.time() - 30 * 3600
    feeds = {
        f"/{country}.xml": feed(country, hours, articles, start)
        for country, (hours, articles) in TAKES.items()
    }
    server = bench_store.serve(feeds)
    port = server.server_address[1]
    catalog = bench_store.write_catalog(
        data,
        [
            (f"{country} Daily", country, f"http://127.0.0.1:{port}/{country}.xml")
            for country in TAKES
        ],
    )
    command = [binary, "--outlets", str(catalog), "--data-dir", str(data), "--translator", "none"]
    subprocess.run(command + ["fetch", "--all"], check=True, capture_output=True)
    server.shutdown()
    stories = subprocess.run(command + ["stories"], check=True, capture_output=True, text=True)
    print(stories.stdout)


if __name__ == "__main__":
    main()
