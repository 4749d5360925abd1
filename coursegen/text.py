"""Text helpers every stage uses: French typography (Imprimerie nationale style) and readable ASCII slugs.

The Markdown module calls :func:`french` on each ``text`` token of inline content, never on code,
math, raw HTML, attribute values or link URLs. Rules, in one left-to-right pass:

- U+202F (narrow no-break space) before ``;`` ``!`` ``?`` and ``»``, and after ``«``; U+00A0
  before ``:``. A space already there (regular, tab, U+00A0 or U+202F) is replaced. None is
  inserted with no character before (start of text and ``prev == ""``), after whitespace in
  ``prev`` (a line break), or after an opening bracket or ``«`` (``(?)`` and ``(!)`` stay as they
  are). A run of marks gets one space before the run only: ``Quoi?!`` -> ``Quoi\u202f?!``.
- A mark is prose only when followed by the end of the text, whitespace or closing punctuation:
  ``!important``, ``a != b``, ``a?b``, ``a;b``, ``10:30``, ``1:2``, ``std::vector``, ``x := 1``
  are left alone.
- ``'`` between two letters becomes ``’`` (``l'attention``, ``aujourd'hui``), and so does the
  ``'`` of an elided word ending the text (``l'`` before ``*attention*``). Straight double quotes
  are left for the ``check`` command to report.
- Exactly three dots become ``…``; two dots or four and more are left as written.
- Numbers: groups of thousands written with spaces get U+202F (``175 000``); U+202F before ``%``
  and ``‰`` (inserted if missing); U+00A0 before ``€ $ £`` (inserted if missing) and before the
  units in ``_UNITS`` (only replacing a space the author wrote: ``5Go`` or ``3D`` stay).
- Never touched: URLs (``http(s)://``, ``ftp://``, ``www.``, ``mailto:``) and e-mail addresses.

The function is idempotent (``french(french(t)) == french(t)``) and returns its input unchanged,
without running the rules, when it holds none of the characters they look for.
"""

from __future__ import annotations

import re
import unicodedata

NNBSP = "\u202f"  # narrow no-break space (espace fine insécable)
NBSP = "\u00a0"  # no-break space (espace mot insécable)

# Units that take a no-break space after a number, when the author wrote a space there.
# Deliberately short: a bare "M" is left out ("en 2020 M. Dupont"), and so are nouns ("tokens").
_UNITS = (
    "°C", "°F",
    "ko", "Ko", "Mo", "Go", "To", "Po", "Kio", "Mio", "Gio", "Tio", "kB", "KB", "MB", "GB", "TB",
    "ns", "µs", "ms", "s", "min", "h",
    "mm", "cm", "km", "m", "mg", "kg", "g", "t",
    "W", "kW", "MW", "Wh", "kWh", "MWh", "GWh", "TWh", "Hz", "kHz", "MHz", "GHz",
    "px", "k€", "M€", "Md€", "k", "Md", "Mds", "millier", "milliers", "million", "millions",
    "milliard", "milliards",
)

_WS = r"[ \t\u00a0\u202f]"
_LETTER = r"[^\W\d_]"
# What may follow a mark for it to count as prose punctuation.
_PROSE_END = r"(?=\Z|[\s)\]}»\"“”’'.,…;:!?*_])"
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
_ELIDED = r"(?i:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)"

# The rules, as one alternation scanned left to right; at each position the first branch that
# matches wins, so a ``keep`` span is consumed (and copied unchanged) before a rule can see inside.
# ``run`` guards the branches that start with a run of spaces or digits: they are tried only where
# the run starts (from inside a run they would reach the same end and fail the same way), so that a
# long run is read once, not once per position (quadratic). ``french`` tries the unguarded rules at
# the first position only, where a run may have begun in ``prev``. Possessive runs (``*+``, ``++``)
# skip a backtracking that cannot succeed: what follows a run never starts with a space.
def _prose(run: bool) -> str:
    ws_start, digit_start = (rf"(?<!{_WS})", r"(?<!\d)") if run else ("", "")
    return rf"""
    (?P<keep>{digit_start}\d+(?::\d+)+|:{{2,}})
  | (?<!\d)(?<!\d[.,])(?P<thousands>\d{{1,3}}(?:{_WS}\d{{3}})+)(?!\d)
  | (?<=\d){_WS}*+(?P<pct>[%‰])
  | (?<=\d){_WS}*+(?P<cur>[€$£])
  | (?<=\d){_WS}++(?P<unit>{_UNIT_ALT})(?![\w'’-])
  | (?:{ws_start}{_WS}++|(?<=[^\s(\[{{«:;!?]))(?P<high>[;!?]+){_PROSE_END}
  | (?:{ws_start}{_WS}++|(?<=[^\s(\[{{«:;!?]))(?P<colon>:)(?![:=]){_PROSE_END}
  | (?P<open>«){_WS}*
  | (?:{ws_start}{_WS}++|(?<=[^\s«]))(?P<close>»)
  | (?<={_LETTER})(?P<apos>')(?={_LETTER})
  | (?<!\.)(?P<ellipsis>\.\.\.)(?!\.)
"""


# Plain-text URLs and e-mail addresses; the URL stops before guillemets and double quotes.
_KEEP = r"""
    (?P<url>
        (?:https?|ftp)://[^\s«»"<>]+
      | www\.[^\s«»"<>]+
      | mailto:[^\s«»"<>]+
      | (?<![\w.…+@-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+
    )
"""
# Every match starts with one of these characters; checking it first skips ordinary letters fast.
_FIRST = r"[ \t\u00a0\u202f;:!?«»'.%‰€$£\d]"
# (rules at the first position of a text, rules elsewhere), without and with URLs
_RULES = tuple(re.compile(rf"(?={_FIRST})(?:{_prose(run)})", re.VERBOSE) for run in (False, True))
_RULES_WITH_URLS = tuple(re.compile(rf"{_KEEP}|{_prose(run)}", re.VERBOSE) for run in (False, True))
_URLISH = re.compile(r"://|www\.|mailto:|@")  # only then is the slower _RULES_WITH_URLS needed
_ELIDED_END = re.compile(rf"\b{_ELIDED}'\Z")
# Fast path: a text holding none of these cannot be changed by any rule.
_TRIGGER = re.compile(r"[;:!?«»'.%‰€$£\d]")
_SPACE = re.compile(_WS)


def _replace(m: re.Match[str]) -> str:
    kind = m.lastgroup
    value = m.group(kind)
    if kind in ("keep", "url"):
        return value
    if kind == "thousands":
        return _SPACE.sub(NNBSP, value)
    if kind in ("high", "close", "pct"):
        return NNBSP + value
    if kind in ("colon", "cur", "unit"):
        return NBSP + value
    if kind == "open":
        return value + NNBSP
    if kind == "apos":
        return "’"
    return "…"  # ellipsis


def french(text: str, prev: str = "") -> str:
    """Apply French typography to one text node. `prev` is the last character of the preceding text in the same paragraph (may be ""), so rules at the node's start can look back (e.g. '*mot*!' where '!' starts the node).

    Only ``text`` itself is changed: ``prev`` is context for look-behind, never rewritten. With
    ``prev == ""`` (start of the paragraph) or a whitespace ``prev`` (after a line break), a mark at
    the very start of ``text`` gets no space, since there is nothing in this node to attach it to.
    """
    if not _TRIGGER.search(text):
        return text
    prev = prev[-1:]
    source = prev + text
    parts: list[str] = []
    last = len(prev)
    first, rules = _RULES_WITH_URLS if _URLISH.search(text) else _RULES
    m = first.match(source, last)
    if m:
        parts.append(_replace(m))
        last = m.end()
    for m in rules.finditer(source, last):
        parts.append(source[last:m.start()])
        parts.append(_replace(m))
        last = m.end()
    parts.append(source[last:])
    result = "".join(parts)
    # An elided word ending the node (``l'`` before ``*attention*``): the next letter is elsewhere.
    if result.endswith("'") and _ELIDED_END.search(prev + result, len(prev)):
        result = result[:-1] + "’"
    return result


_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """A stable, readable ASCII id: « Qu'est-ce qu'un Transformer ? » -> ``quest-ce-quun-transformer``."""
    text = unicodedata.normalize("NFKD", text.replace("’", "").replace("'", ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _NON_WORD.sub("-", text).strip("-") or "section"
