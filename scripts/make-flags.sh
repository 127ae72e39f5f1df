#!/usr/bin/env bash
# Regenerates assets/flags/<ADM0_A3>.png: the country panel's flags, rasterised from the
# npm package flag-icons (MIT, see assets/flags/README.md) for every country in the default
# outline file that has a two-letter code flag-icons knows.
# Needs: node + npm (the npm registry), python3, rsvg-convert (Debian: librsvg2-bin).
set -euo pipefail

FLAG_ICONS="flag-icons@7.5.0"
WIDTH=64
HEIGHT=48

cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="assets/flags"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/make-flags.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

npm install --silent --no-audit --no-fund --prefix "$tmp" "$FLAG_ICONS" >/dev/null
svgs="$tmp/node_modules/flag-icons/flags/4x3"
cp "$tmp/node_modules/flag-icons/LICENSE" "$out/LICENSE.flag-icons" 2>/dev/null || {
    mkdir -p "$out"
    cp "$tmp/node_modules/flag-icons/LICENSE" "$out/LICENSE.flag-icons"
}
find "$out" -name '*.png' -delete

python3 - assets/countries/countries-default.geojson <<'PY' > "$tmp/codes.tsv"
import json, sys
for f in json.load(open(sys.argv[1]))["features"]:
    p = f["properties"]
    a2 = (p.get("ISO_A2_EH") or "").lower()
    if len(a2) == 2 and a2.isalpha():
        print(p["ADM0_A3"], a2, sep="\t")
PY

made=0
while IFS=$'\t' read -r adm0 a2; do
    svg="$svgs/$a2.svg"
    [ -f "$svg" ] || { echo "no flag for $adm0 ($a2)"; continue; }
    rsvg-convert --width "$WIDTH" --height "$HEIGHT" --keep-aspect-ratio "$svg" -o "$out/$adm0.png"
    made=$((made + 1))
done < "$tmp/codes.tsv"
echo "$made flags in $out ($(du -sh "$out" | cut -f1))"
