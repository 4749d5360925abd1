"""The social image (Open Graph / Twitter card): a 1200×630 PNG drawn from the course title.

Drawn with Pillow and a DejaVu Sans subset shipped in ``coursegen/output/fonts`` (Pillow's built-in font has
no accented letters). Same title, same bytes: no timestamp, no metadata chunk, fonts from the repository.
"""

from __future__ import annotations

import io
import unicodedata
from functools import lru_cache
from pathlib import Path

from ..errors import SiteError

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
BACKGROUND = (11, 87, 208)        # --accent of the light theme, as in static/favicon.svg
FOREGROUND = (255, 255, 255)
SOFT = (214, 227, 250)
FONTS = Path(__file__).resolve().parent / "fonts"
REGULAR, BOLD = FONTS / "DejaVuSans-latin.ttf", FONTS / "DejaVuSans-Bold-latin.ttf"
TITLE_SIZES = (84, 76, 68, 60, 54, 48)


@lru_cache(maxsize=32)
def _font(path: Path, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(str(path), size)


@lru_cache(maxsize=512)
def _missing_glyph(path: Path, char: str) -> bool:
    """True when the font draws ``char`` as its .notdef box (U+FFFF is never in the subset)."""
    from PIL import Image

    font = _font(path, 40)
    masks = [font.getmask(c) for c in (char, "\uffff")]
    return masks[0].size == masks[1].size and \
        Image.frombytes("L", masks[0].size, bytes(masks[0])) == Image.frombytes("L", masks[1].size, bytes(masks[1]))


def drawable(text: str, path: Path = BOLD) -> tuple[str, list[str]]:
    """``text`` with characters the font lacks replaced by their base letter (or dropped); and those characters."""
    missing: list[str] = []
    out = []
    for char in text:
        if char.isspace() or not _missing_glyph(path, char):
            out.append(char)
            continue
        missing.append(char)
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(base if base and base != char and not any(_missing_glyph(path, c) for c in base) else "")
    return "".join(out), missing


def _wrap(text: str, font, width: int) -> list[str]:
    """Greedy word wrap on ordinary spaces (no-break spaces keep « mot ! » together)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return [line for line in lines if line]


def _fit(text: str, font_path: Path, sizes: tuple[int, ...], width: int, max_lines: int,
         max_height: int = HEIGHT, leading: float = 1.2):
    """The largest size at which ``text`` fits in ``max_lines`` and ``max_height``; else cut with « … »."""
    for size in sizes:
        font = _font(font_path, size)
        lines = _wrap(text, font, width)
        if len(lines) <= max_lines and all(font.getlength(line) <= width for line in lines) \
                and round(size * leading) * len(lines) <= max_height:
            return font, lines
    font = _font(font_path, sizes[-1])
    lines = _wrap(text, font, width)[:max_lines]
    last = lines[-1]
    while last and font.getlength(last + "…") > width:
        last = last[:-1].rstrip()
    lines[-1] = last + "…"
    return font, lines


def _logo(draw, x: int, y: int, size: int) -> None:
    """The favicon's « A » in its rounded square, drawn as shapes (no SVG renderer needed)."""
    scale = size / 32
    draw.rounded_rectangle((x, y, x + size, y + size), radius=round(6 * scale), fill=FOREGROUND)
    points = [(9, 24), (16, 7), (23, 24)]
    draw.line([(x + px * scale, y + py * scale) for px, py in points], fill=BACKGROUND,
              width=round(3 * scale), joint="curve")
    draw.line([(x + 11.8 * scale, y + 18 * scale), (x + 20.2 * scale, y + 18 * scale)], fill=BACKGROUND,
              width=round(3 * scale))
    for px, py in points:  # round caps, like stroke-linecap="round"
        r = 1.5 * scale
        draw.ellipse((x + px * scale - r, y + py * scale - r, x + px * scale + r, y + py * scale + r), fill=BACKGROUND)


@lru_cache(maxsize=4)  # the preview server rebuilds often; the image only changes with the config
def social_png(title: str, subtitle: str = "", footer: str = "") -> bytes:
    """The 1200×630 PNG for ``title`` (already typeset); the subtitle and footer are optional lines."""
    from PIL import Image, ImageDraw, features

    if not features.check("freetype2"):
        raise SiteError("requirements.txt", 0, "Pillow a été compilé sans FreeType : l'image de partage est impossible",
                        "réinstallez Pillow depuis requirements.txt (paquet binaire de PyPI)")
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    width = WIDTH - 2 * MARGIN
    _logo(draw, MARGIN, MARGIN - 16, 72)

    sub_font, sub_lines = _fit(subtitle, REGULAR, (36, 32, 28), width, 2, leading=1.35) if subtitle else (None, [])
    sub_step = round(sub_font.size * 1.35) if sub_font else 0
    sub_block = 24 + sub_step * len(sub_lines) if sub_lines else 0
    top, bottom = MARGIN + 96, HEIGHT - MARGIN - 48     # below the logo, above the footer
    title_font, title_lines = _fit(title, BOLD, TITLE_SIZES, width, 3, bottom - top - sub_block, 1.18)
    title_step = round(title_font.size * 1.18)
    block = title_step * len(title_lines) + sub_block
    y = max(top, top + (bottom - top - block) // 2)
    for line in title_lines:
        draw.text((MARGIN, y), line, font=title_font, fill=FOREGROUND)
        y += title_step
    if sub_lines:
        y += 24
        for line in sub_lines:
            draw.text((MARGIN, y), line, font=sub_font, fill=SOFT)
            y += sub_step
    if footer:
        foot_font, foot_lines = _fit(footer, REGULAR, (28, 24), width, 1)
        draw.text((MARGIN, HEIGHT - MARGIN + 8), foot_lines[0], font=foot_font, fill=SOFT, anchor="ls")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")  # optimize=True: 5 % smaller, three times slower (38 ms per cold build)
    return buffer.getvalue()
