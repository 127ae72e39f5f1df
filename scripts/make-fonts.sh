#!/usr/bin/env bash
# Regenerates assets/fonts/: subsets of Google's Noto fonts (SIL OFL 1.1) for the scripts that
# egui's default fonts lack, so headlines in the catalog's languages render in their own script
# (src/app/fonts.rs loads them as fallbacks). Regular weight only, cut down to each script's
# Unicode blocks to keep the bundle small; see assets/fonts/README.md for what each covers.
# Needs: apt-get and dpkg (Debian's package index, after `apt-get update`), python3 and pip
# (PyPI, for fontTools).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="assets/fonts"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/make-fonts.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

# apt-get download writes into the working directory.
(cd "$tmp" && apt-get download fonts-noto-core fonts-noto-cjk)
for deb in "$tmp"/*.deb; do
    dpkg-deb --field "$deb" Package Version | paste -sd' '
    dpkg -x "$deb" "$tmp/root"
done
core="$tmp/root/usr/share/fonts/truetype/noto"
cjk="$tmp/root/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

# Only TTF/OTF output, which egui reads; brotli (for WOFF2) is not needed.
pip install --quiet --disable-pip-version-check --target "$tmp/py" fonttools
export PYTHONPATH="$tmp/py"

# Digits, ASCII punctuation, no-break space, quotes, dashes, the zero-width joiners and
# direction marks that Arabic, Persian and Indic text carry, and the dotted circle that shapers
# draw under a stray combining mark.
common="0020-0040,005B-0060,007B-007E,00A0,00AB,00BB,200B-200F,2010-2027,2030-203A,25CC"

subset() { # <source file> <output name> <unicode ranges> [fontTools options...]
    local src="$1" name="$2" unicodes="$3"
    shift 3
    python3 -m fontTools.subset "$src" --unicodes="$common,$unicodes" --name-IDs='*' \
        --output-file="$out/$name" "$@"
}
# A script font keeps every OpenType feature: Arabic joining, Indic conjuncts and Khmer
# stacking are all done by them.
script() { subset "$@" --layout-features='*'; }

find "$out" \( -name '*.ttf' -o -name '*.otf' \) -delete

# Latin: Ubuntu-Light, egui's default, has Latin up to U+024F, Greek and Cyrillic, but none of
# Vietnamese's stacked diacritics (Latin Extended Additional), combining marks or most currency
# signs (₫ ₩ ₺ ₽).
script "$core/NotoSans-Regular.ttf" NotoSans-Regular-subset.ttf "0300-036F,1E00-1EFF,20A0-20CF"
# Arabic (Persian and Urdu letters included), presentation forms and Arabic-Indic digits.
script "$core/NotoSansArabic-Regular.ttf" NotoSansArabic-Regular-subset.ttf \
    "0600-06FF,0750-077F,0870-08FF,FB50-FDFF,FE70-FEFF"
script "$core/NotoSansHebrew-Regular.ttf" NotoSansHebrew-Regular-subset.ttf "0590-05FF,FB1D-FB4F"
script "$core/NotoSansDevanagari-Regular.ttf" NotoSansDevanagari-Regular-subset.ttf \
    "0900-097F,1CD0-1CFF,A8E0-A8FF,20B9"
# Bengali ends its sentences with Devanagari's danda (U+0964, U+0965).
script "$core/NotoSansBengali-Regular.ttf" NotoSansBengali-Regular-subset.ttf "0964-0965,0980-09FF"
script "$core/NotoSansThai-Regular.ttf" NotoSansThai-Regular-subset.ttf "0E00-0E7F"
script "$core/NotoSansKhmer-Regular.ttf" NotoSansKhmer-Regular-subset.ttf "1780-17FF,19E0-19FF"
script "$core/NotoSansGeorgian-Regular.ttf" NotoSansGeorgian-Regular-subset.ttf \
    "10A0-10FF,1C90-1CBF,2D00-2D2F"
script "$core/NotoSansEthiopic-Regular.ttf" NotoSansEthiopic-Regular-subset.ttf \
    "1200-139F,2D80-2DDF,AB00-AB2F"

# CJK: one font for Chinese, Japanese and Korean, cut to the common characters of each, as the
# national standards' first levels define them: GB 2312 level 1 (3,755 simplified hanzi),
# Big5 level 1 (5,401 traditional hanzi, for Taiwan) and JIS X 0208 level 1 (2,965 kanji, about
# the Jōyō list); and all 11,172 Hangul syllables. Face 2 of the collection is the Simplified
# Chinese one: every face has all of these, only the preferred glyph shapes differ.
python3 - "$tmp/han.txt" <<'PY'
import sys

def decoded(codec, first, last, trails):
    """Every character of a double-byte encoding from byte pair `first` to `last`."""
    chars = []
    for lead in range(first[0], last[0] + 1):
        for trail in trails:
            if first <= (lead, trail) <= last:
                try:
                    chars.append(bytes([lead, trail]).decode(codec))
                except UnicodeDecodeError:
                    pass
    return chars

euc = range(0xA1, 0xFF)
big5 = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
chars = set()
chars.update(decoded("gb2312", (0xB0, 0xA1), (0xD7, 0xF9), euc))
chars.update(decoded("big5", (0xA4, 0x40), (0xC6, 0x7E), big5))
chars.update(decoded("euc_jp", (0xB0, 0xA1), (0xCF, 0xD3), euc))
open(sys.argv[1], "w", encoding="utf-8").write("".join(sorted(chars)))
PY
# Kana, CJK punctuation, Hangul and fullwidth forms besides. egui lays text out horizontally and
# tells the shaper no language, so the vertical and the per-language (locl) glyph variants,
# which double the glyph count, would never be drawn; nor would the vertical metrics. Unhinted:
# that saves a fifth, and CJK's dense strokes gain little from hints at panel sizes.
subset "$cjk" NotoSansCJKsc-Regular-subset.otf \
    "00B7,3000-303F,3040-30FF,3130-318F,31F0-31FF,AC00-D7A3,FF00-FFEF" \
    --font-number=2 --text-file="$tmp/han.txt" --layout-features-=locl,vert,vrt2 --no-hinting \
    --drop-tables+=vhea,vmtx,VORG

# The license, with every subset's copyright notice above it. Debian's copyright file carries
# the OFL's text, indented, with "." for blank lines.
python3 - "$tmp/root/usr/share/doc/fonts-noto-core/copyright" "$out" > "$out/OFL.txt" <<'PY'
import pathlib, sys
from fontTools.ttLib import TTFont

notices = []
for font in sorted(pathlib.Path(sys.argv[2]).glob("*-subset.[ot]tf")):
    notice = TTFont(font)["name"].getDebugName(0)
    if notice and notice not in notices:
        notices.append(notice)
print("\n".join(notices))
print("\nThis Font Software is licensed under the SIL Open Font License, Version 1.1.")
print("This license is copied below, and is also available with a FAQ at:")
print("https://openfontlicense.org\n")
paragraphs = pathlib.Path(sys.argv[1]).read_text(encoding="utf-8").split("\n\n")
text = next(p for p in paragraphs if p.startswith("License: OFL-1.1\n"))
print("SIL OPEN FONT LICENSE Version 1.1 - 26 February 2007\n")
for line in text.splitlines()[1:]:
    print("" if line.strip() == "." else line.strip())
PY

ls -l "$out"
echo "assets/fonts: $(du -sh "$out" | cut -f1)"
