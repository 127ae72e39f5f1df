#!/usr/bin/env python3
"""Fills a news store with 10,000 synthetic English articles through the app's own ingest,
for the memory and render benchmarks: 80 outlets in 40 countries, 125 articles each over the
last week, their headlines drawn from running stories so that the clustering has work to do.

usage: scripts/bench-store.py NEWSGLOBE_BINARY DATA_DIR

It serves the feeds from 127.0.0.1, writes an outlet catalog that points at them, and runs
`newsglobe fetch --all` over it (again, up to six times, while a busy machine runs out of
time for some feeds); DATA_DIR then holds news.sqlite and the catalog.

With NEWSGLOBE_STORE_URL (and NEWSGLOBE_STORE_PASSWORD) set, it fills that shared PostgreSQL
store instead, through runs of `newsglobe ingest`, which also writes the stories screens show.
"""

import email.utils
import http.server
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

COUNTRIES = (
    "USA GBR FRA DEU ITA ESP PRT NLD BEL POL UKR RUS TUR EGY NGA KEN ZAF ETH MAR DZA "
    "IND PAK BGD CHN JPN KOR IDN PHL VNM THA AUS NZL CAN MEX BRA ARG CHL COL PER VEN"
).split()
OUTLETS_PER_COUNTRY = 2
ARTICLES_PER_FEED = 125
PLACES = [
    "Kyiv", "Gaza", "Brussels", "Geneva", "Nairobi", "Lagos", "Delhi", "Jakarta",
    "Manila", "Bogota", "Lima", "Santiago", "Cairo", "Ankara", "Warsaw", "Madrid",
]
SUBJECTS = [
    "ceasefire talks", "central bank rates", "election results", "flood relief",
    "trade agreement", "wildfire season", "vaccine rollout", "port strike",
    "energy prices", "climate summit", "football final", "satellite launch",
    "mining dispute", "refugee crossing", "tax reform", "drought emergency",
]
VERBS = ["resume in", "stall in", "shake", "dominate", "spread to", "reach", "divide", "lift"]


def feed(country: str, n: int, now: float, rng: random.Random) -> bytes:
    items = []
    for i in range(ARTICLES_PER_FEED):
        subject, place = rng.choice(SUBJECTS), rng.choice(PLACES)
        title = f"{subject.capitalize()} {rng.choice(VERBS)} {place} as officials respond"
        summary = (
            f"Officials in {place} said the {subject} would shape the coming week; "
            f"reporters for outlet {n} in {country} followed the reaction ({i})."
        )
        published = email.utils.formatdate(now - rng.uniform(0, 7 * 86400))
        link = f"https://{country.lower()}{n}.example/{i}"
        items.append(
            f"<item><title>{title}</title><link>{link}</link>"
            f"<description>{summary}</description><pubDate>{published}</pubDate></item>"
        )
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>{country} {n}</title>"
        f"<link>https://{country.lower()}{n}.example/</link>{''.join(items)}</channel></rss>"
    ).encode()


def serve(feeds: dict[str, bytes]) -> http.server.ThreadingHTTPServer:
    """Serves `feeds` (path to RSS bytes) from 127.0.0.1 on a free port, on a thread."""

    class Feeds(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = feeds.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Feeds)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def write_catalog(data: Path, outlets: list[tuple[str, str, str]]) -> Path:
    """An outlet catalog of English outlets, each (name, country, feed URL), in DATA."""
    catalog = data / "outlets.toml"
    catalog.write_text(
        "".join(
            f'[[outlet]]\nname = "{name}"\ncountry = "{country}"\n'
            f'homepage = "https://{name.lower().replace(" ", "-")}.example"\n'
            f'feeds = ["{url}"]\nlanguage = "en"\n'
            f'english = true\nownership = "private"\n\n'
            for name, country, url in outlets
        )
    )
    return catalog


def ingest_once(command: list[str]) -> str:
    """One run of the ingest daemon: started, read until its run's line, stopped with SIGTERM."""
    with subprocess.Popen(command + ["ingest"], stdout=subprocess.PIPE, text=True) as daemon:
        said = []
        for line in daemon.stdout:
            said.append(line)
            if " refreshed: " in line or " refresh failed: " in line:
                break
        daemon.terminate()
        said += daemon.stdout.readlines()
    return "".join(said)


def main() -> None:
    binary, data = sys.argv[1], Path(sys.argv[2])
    data.mkdir(parents=True, exist_ok=True)
    rng, now = random.Random(7), time.time()
    feeds = {
        f"/{country}/{n}.xml": feed(country, n, now, rng)
        for country in COUNTRIES
        for n in range(OUTLETS_PER_COUNTRY)
    }

    server = serve(feeds)
    port = server.server_address[1]
    catalog = write_catalog(
        data,
        [
            (f"{country} Daily {n}", country, f"http://127.0.0.1:{port}{path}")
            for path in feeds
            for country, n in [(path.split("/")[1], int(path.split("/")[2][0]))]
        ],
    )
    shared = os.environ.get("NEWSGLOBE_STORE_URL")
    common = [binary, "--outlets", str(catalog), "--data-dir", str(data), "--translator", "none"]
    # A run has 30 s; on a busy machine some feeds wait for the next one.
    for _ in range(6):
        if shared:
            run = ingest_once(common)
            stored = int(
                subprocess.run(
                    ["psql", shared, "-tAc", "SELECT count(*) FROM articles"],
                    env={**os.environ, "PGPASSWORD": os.environ.get("NEWSGLOBE_STORE_PASSWORD", "")},
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
        else:
            run = subprocess.run(
                common + ["fetch", "--all"], capture_output=True, text=True, check=False
            ).stdout
            with sqlite3.connect(data / "news.sqlite") as db:
                (stored,) = db.execute("SELECT count(*) FROM articles").fetchone()
        if stored >= len(feeds) * ARTICLES_PER_FEED:
            break
    else:
        sys.exit(f"{stored} articles stored after six runs; the last said:\n{run}")
    server.shutdown()


if __name__ == "__main__":
    main()
