"""Raw HTML written by authors: kept, minus what would run code or break the site's CSP.

Authors may write HTML in Markdown. Before it reaches a page, this module removes, with a warning at
the author's line: ``on*`` event attributes, URLs whose scheme runs code or replaces the page
(``javascript:``, ``vbscript:``, ``data:`` other than images, ``file:``), ``<script>`` and ``<style>``
elements and ``style`` attributes (the CSP of ``templates/base.html`` blocks them anyway: the reader
would only get a broken page and a console error). Everything else is left byte for byte.

The HTML is read with the standard library's tokenizer (``html.parser``), never with regular expressions.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
                            "cite", "codebase", "longdesc", "ping", "srcset", "manifest", "lowsrc", "dynsrc"})
REMOVED_ELEMENTS = ("script", "style")
HINT_SCRIPT = "la politique de sécurité du site n'exécute que le JavaScript des fichiers de templates/static/"
HINT_STYLE = "la politique de sécurité du site interdit les styles en ligne : utilisez une classe de site.css"
HINT_URL = "utilisez une adresse http(s)://, un chemin relatif ou une ancre #id"

_SAFE_DATA = re.compile(r"^data:image/(gif|png|jpeg|webp);")
_STRIPPED = re.compile(r"[\x00-\x20]+")


def unsafe_scheme(url: str) -> str:
    """The scheme of a URL a page must not carry (``javascript``, ``vbscript``, ``data``, ``file``), else "".

    Normalised as a browser does: surrounding spaces and control characters, tabs and newlines anywhere
    are ignored, letters are case-insensitive.
    """
    text = _STRIPPED.sub("", html.unescape(url)).lower()
    for scheme in ("javascript", "vbscript", "file"):
        if text.startswith(scheme + ":"):
            return scheme
    if text.startswith("data:") and not _SAFE_DATA.match(text):
        return "data"
    return ""


@dataclass(frozen=True)
class Removal:
    """One thing taken out of the author's HTML: line offset (0 = first line of the fragment) and why."""

    line: int
    message: str
    hint: str


class _Scanner(HTMLParser):
    """Finds the spans of the fragment to rewrite: ``(start, end, replacement)`` in character offsets."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.text = text
        self.line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        self.edits: list[tuple[int, int, str]] = []
        self.removals: list[Removal] = []
        self.open_element: tuple[str, int] | None = None   # a <script>/<style> being removed: (tag, start)

    def _at(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, self.get_starttag_text() or "", closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, self.get_starttag_text() or "", closed=True)

    def handle_endtag(self, tag: str) -> None:
        start = self._at()
        end = self.text.find(">", start) + 1 or len(self.text)
        if self.open_element and self.open_element[0] == tag:
            self.edits.append((self.open_element[1], end, ""))
            self.open_element = None
        elif tag in REMOVED_ELEMENTS:
            self.edits.append((start, end, ""))

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], raw: str, closed: bool) -> None:
        start = self._at()
        line = self.getpos()[0] - 1
        end = start + len(raw)
        if tag in REMOVED_ELEMENTS:
            self.removals.append(Removal(line, f"élément HTML <{tag}> retiré de la page",
                                         HINT_SCRIPT if tag == "script" else HINT_STYLE))
            if closed:
                self.edits.append((start, end, ""))
            else:
                self.open_element = (tag, start)
            return
        kept: list[tuple[str, str | None]] = []
        for name, value in attrs:
            if name.startswith("on"):
                self.removals.append(Removal(line, f"attribut « {name} » retiré de <{tag}>", HINT_SCRIPT))
            elif name == "style":
                self.removals.append(Removal(line, f"attribut « style » retiré de <{tag}>", HINT_STYLE))
            elif name in URL_ATTRIBUTES and value and _unsafe_in(name, value):
                self.removals.append(Removal(line, f"adresse « {_unsafe_in(name, value)}: » retirée de "
                                                   f"l'attribut « {name} » de <{tag}>", HINT_URL))
            else:
                kept.append((name, value))
        if len(kept) != len(attrs):
            rebuilt = "".join(f" {n}" if v is None else f' {n}="{html.escape(v, quote=True)}"' for n, v in kept)
            self.edits.append((start, end, f"<{tag}{rebuilt}{' /' if closed else ''}>"))


def _unsafe_in(name: str, value: str) -> str:
    if name == "srcset":  # "a.png 1x, b.png 2x": every candidate URL counts
        for candidate in value.split(","):
            scheme = unsafe_scheme(candidate.strip().split(" ")[0])
            if scheme:
                return scheme
        return ""
    return unsafe_scheme(value)


def clean_html(fragment: str) -> tuple[str, list[Removal]]:
    """The fragment without event handlers, unsafe URLs, scripts and inline styles; what was removed."""
    if "<" not in fragment:
        return fragment, []
    scanner = _Scanner(fragment)
    scanner.feed(fragment)
    tail = scanner.rawdata[scanner.rawdata.find("<"):] if "<" in scanner.rawdata else ""
    if scanner.open_element:  # <script> never closed in this fragment: drop it to the end
        scanner.edits.append((scanner.open_element[1], len(fragment), ""))
    elif tail.strip():
        # An unfinished tag at the end (« <a href="x" » without « > ») would swallow the markup that
        # follows in the page: show it as text instead.
        start = len(fragment) - len(tail)
        scanner.edits.append((start, len(fragment), html.escape(tail, quote=False)))
        scanner.removals.append(Removal(fragment.count("\n", 0, start), "balise HTML non terminée : affichée "
                                        "comme du texte", "fermez la balise par « > »"))
    if not scanner.edits:
        return fragment, scanner.removals
    out, pos = [], 0
    for start, end, replacement in sorted(scanner.edits):
        if start < pos:  # inside a span already removed (a tag within <script>…</script>)
            continue
        out += [fragment[pos:start], replacement]
        pos = end
    out.append(fragment[pos:])
    return "".join(out), scanner.removals
