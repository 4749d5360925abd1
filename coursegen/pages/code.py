"""Code and formulas, as pure cached functions: Pygments highlighting with CSS classes, LaTeX to MathML."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from ..markdown.sanitize import Removal, clean_html


@lru_cache(maxsize=64)
def _lexer(lang: str):
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(lang) if lang else None
    except ClassNotFound:
        return None


@lru_cache(maxsize=1)
def _formatter():
    """One formatter for the whole build: creating one builds a style sheet, which costs more than most blocks."""
    from pygments.formatters.html import HtmlFormatter

    return HtmlFormatter(nowrap=True)


@lru_cache(maxsize=256)
def highlight_code(code: str, lang: str) -> str:
    """Pygments with CSS classes (the stylesheet has light and dark rules); a pure function, so cached."""
    from pygments import highlight

    lexer = _lexer(lang)
    cls = f' class="language-{html.escape(lang)}"' if lang else ""
    body = highlight(code, lexer, _formatter()) if lexer else html.escape(code)
    label = f' data-lang="{html.escape(lang)}"' if lang else ""
    return f'<div class="code"{label}><pre class="highlight"><code{cls}>{body}</code></pre></div>\n'


_LATEX_COMMAND_LEFT = re.compile(r">(\\[A-Za-z]+)<")


def _latex_problem(latex: str, mathml: str) -> str:
    """What latex2mathml silently accepts but a reader would see broken."""
    depth = 0
    for match in re.finditer(r"(?<!\\)[{}]", latex):
        depth += 1 if match.group() == "{" else -1
        if depth < 0:
            return "accolade fermante « } » en trop"
    if depth:
        return "accolade « { » non fermée"
    unknown = _LATEX_COMMAND_LEFT.search(mathml)
    return f"commande inconnue « {unknown.group(1)} »" if unknown else ""


@lru_cache(maxsize=1024)
def mathml(latex: str, display: bool) -> tuple[str, str, tuple[Removal, ...]]:
    """(MathML, problem, removals) for one formula; a pure function, so each distinct formula is converted once.

    The MathML goes through the MathML part of the raw-HTML allow-list: latex2mathml copies the arguments of
    ``\\href`` and ``\\style`` into attributes, and the text of ``\\text{…}`` unescaped.
    """
    from latex2mathml.converter import convert

    try:
        mathml = convert(latex, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises many types on bad input; all are author errors
        return "", type(exc).__name__.removesuffix("Error"), ()
    cleaned, removals = clean_html(mathml, math=True)
    return cleaned, _latex_problem(latex, mathml), removals
