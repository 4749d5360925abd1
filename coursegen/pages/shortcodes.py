"""Stage 4, the render rules of the shortcodes the parser reads (``markdown.shortcodes``): keys, a print page
break, escaped shortcodes shown as written. A ``video`` is parsed as a link, rendered by ``pages.html``."""

from __future__ import annotations

import html
from typing import Sequence

from markdown_it.token import Token

from ..markdown.shortcodes import kbd_html


def _shortcode(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    meta = tokens[idx].meta
    if meta["name"] == "kbd" and not meta.get("problem"):
        return kbd_html(meta)
    return ""  # removed: the parser warned at its line


def _shortcode_escaped(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    return html.escape(tokens[idx].content, quote=False)


def _pagebreak(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    return '<div class="pagebreak" aria-hidden="true"></div>\n'


RULES = {"shortcode": _shortcode, "shortcode_escaped": _shortcode_escaped, "pagebreak": _pagebreak}
