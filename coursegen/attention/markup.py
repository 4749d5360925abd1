"""Text helpers shared by the attention figures: French spacing, escaping, numbers in French."""

from __future__ import annotations

import html

NBSP, NNBSP = "\u00a0", "\u202f"


def fr(text: str) -> str:
    """The site's French spacing in the figures' own prose: no-break space before « : », narrow
    no-break space before « ; » and inside guillemets (as coursegen.text does for chapters)."""
    return (text.replace(" : ", f"{NBSP}: ").replace(" ; ", f"{NNBSP}; ")
            .replace("« ", f"«{NNBSP}").replace(" »", f"{NNBSP}»"))


def esc(text: str) -> str:
    return html.escape(str(text), quote=True)


def fmt(value: int, decimals: int = 2) -> str:
    """Thousandths → French decimal text, rounded half away from zero: 677 → « 0,68 », -1500 → « −1,50 »."""
    step = 10 ** (3 - decimals)
    q, r = divmod(abs(value), step)
    if 2 * r >= step:
        q += 1
    sign = "\u2212" if value < 0 and q else ""
    whole, frac = divmod(q, 10 ** decimals)
    return f"{sign}{whole},{frac:0{decimals}d}" if decimals else f"{sign}{whole}"


def model_name(figure: dict) -> str:
    """The model's short name: « all-MiniLM-L6-v2 » for « sentence-transformers/all-MiniLM-L6-v2 »."""
    return figure["model"]["id"].rsplit("/", 1)[-1]


def num(x: float) -> str:
    """Two-decimal SVG number without trailing zeros (stable text for attributes)."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"
