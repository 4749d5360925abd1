"""Remake templates/static/fonts/atelier-math*.woff2, the maths font the site ships (a maintainer tool,
never run by the build).

Source: Asana Math 000.907 (SIL Open Font License 1.1, Reserved Font Name « Asana Math ») from Debian's
package fonts-oflb-asana-math. The file is a Modified Version under the licence (a subset, without hinting),
so it carries another family name, « Atelier Math », and keeps the copyright and licence records.

    apt-get download fonts-oflb-asana-math && dpkg-deb -x fonts-oflb-asana-math_*.deb deb
    python3 -m venv /tmp/fontenv && /tmp/fontenv/bin/pip install fonttools==4.68.0 brotli==1.2.1
    /tmp/fontenv/bin/python scripts/math-font.py deb/usr/share/fonts/opentype/asana-math/Asana-Math.otf

Kept: what LaTeX formulas become in MathML (Latin, Latin-1, Greek, operators, arrows, delimiters and the
size variants and pieces the MATH table stretches them with, math italic, bold and double-struck
letters). A character outside the subset is drawn with the next font of the CSS list. site.css repeats
CORE and EXTRA as the unicode-range of each file: change them together.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

# Two files for one family, told apart in the CSS by unicode-range (the same lists): a browser fetches the
# extra file only for a page whose formulas use one of its characters. CORE holds what most formulas are
# made of (Latin, math italic, the usual operators, brackets and their stretching pieces, the characters of
# French text in \text{…}); it must contain U+0020, since its MATH constants are the ones layout uses.
CORE = (
    "U+0020-007E,U+00A0-00FF,U+0131,U+0237,U+02C6-02C7,U+02C9,U+02D8-02DA,U+02DC,U+0300-0308,U+2009-200B,"
    "U+2016,U+2019,U+2026,U+202F,U+2032-2034,U+205F,U+2061-2064,U+20D7,U+210E,U+2190-2194,U+2211-2213,"
    "U+2218-221A,U+221E,U+2223,U+2225,U+222B,U+2248,U+2260-2265,U+22A4,U+22C5,U+22EF,U+2308-230B,"
    "U+239B-23AD,U+23B0-23B1,U+23DC-23DF,U+27E8-27E9,U+1D434-1D467"
)
EXTRA = (
    "U+030A,U+030C,U+0332,U+0338,U+0391-03A9,U+03B1-03C9,U+03D1,U+03D5,U+03D6,U+03F0,U+03F1,U+03F5,"
    "U+2000-2008,U+2020-2022,U+2035-2037,U+20D6,U+2102,U+210B,U+2111-2113,U+2115,U+211A,U+211C,U+211D,"
    "U+2124,U+2130,U+2131,U+2133,U+2135,U+2195-2199,U+21A6,U+21D0-21D5,U+2200-2210,U+2214-2217,U+221B-221D,"
    "U+2220-2222,U+2224,U+2226-222A,U+222C-222E,U+2234-2237,U+223C-223D,U+2243-2247,U+2249,U+226A-226B,"
    "U+2282-2287,U+2295-2299,U+22A5,U+22C0-22C3,U+22EE,U+22F0-22F1,U+23AE-23AF,U+23B2-23B7,U+23E0-23E1,"
    "U+27EA-27EF,U+1D400-1D433,U+1D538-1D56B,U+1D6E2-1D71B"
)
FAMILY = "Atelier Math"
FONTS = Path(__file__).resolve().parent.parent / "templates" / "static" / "fonts"


def main(source: str) -> None:
    for name, unicodes in (("atelier-math.woff2", CORE), ("atelier-math-extra.woff2", EXTRA)):
        out = FONTS / name
        write_subset(source, unicodes, out)
        print(f"{out}: {out.stat().st_size} octets, unicode-range: {unicodes}")


def write_subset(source: str, unicodes: str, out: Path) -> None:
    options = subset.Options()
    options.layout_features = ["ssty", "dtls", "kern", "mark", "mkmk"]
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.flavor = "woff2"
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset.parse_unicodes(unicodes))
    subsetter.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6):
            value = {1: FAMILY, 3: f"{FAMILY} Regular (subset of Asana Math 000.907)", 4: FAMILY,
                     6: FAMILY.replace(" ", "") + "-Regular"}[record.nameID]
            names.setName(value, record.nameID, record.platformID, record.platEncID, record.langID)
    font.flavor = "woff2"
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(out)


if __name__ == "__main__":
    main(sys.argv[1])
