"""Stage 4, one chapter renderer: a parsed chapter and its place in the course -> the HTML of its article.

The renderer is its own markdown-it instance, built once with every render rule (``pages.html``,
``pages.quarto``) and never changed afterwards; the parser (``markdown.parse.engine``) is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..cache import Cache
from ..course.nav import PageNav, Site
from ..errors import Problems, UserError
from ..markdown import quiz
from ..markdown.parse import Figure, ParsedPage, inline_text, new_engine
from . import cells as cell_rules
from . import cite as cite_rules
from . import html as html_rules
from . import quarto as quarto_rules
from . import shortcodes as shortcode_rules
from .html import PageState, block_line

# Called with (figure request, its number or "", caption HTML); returns the figure's HTML or raises UserError.
FigureRenderer = Callable[[Figure, str, str], str]


@dataclass
class RenderResult:
    html: str
    assets: set[str] = field(default_factory=set)       # content-relative files to copy
    external_links: list[tuple[str, int]] = field(default_factory=list)
    cache_keys: list[tuple[str, str]] = field(default_factory=list)  # (kind, key) of build-cache entries used


@lru_cache(maxsize=1)
def renderer() -> MarkdownIt:
    """The page renderer: the parser's plugins (for their own render rules) plus every rule of the site."""
    md = new_engine()
    rules = {**html_rules.RULES, **quarto_rules.RULES, **cite_rules.RULES, **cell_rules.RULES, **shortcode_rules.RULES}
    for name, rule in rules.items():
        md.add_render_rule(name, rule)
    return md


def render_page(page: ParsedPage, nav: PageNav, site: Site, problems: Problems, figure_html: FigureRenderer,
                content_root: Path, project_root: Path | None = None, cache: Cache | None = None) -> RenderResult:
    """Turn the chapter's tokens into the HTML of its article body (``project_root``: where the paths of its
    bibliography start, by default the parent of ``content_root``)."""
    state = PageState(page.chapter.source, page.chapter.body_line, nav, site, content_root, problems,
                      {f.line: f for f in page.figures})
    env: dict[str, Any] = {**page.env, "page": state}
    md = renderer()
    tokens = _replace_attention_figures(page.tokens, env, md, figure_html)
    tokens = quiz.replace_quizzes(tokens, page.ids, *quiz.env_renderers(md, env), inline_text)
    tokens, cited = cite_rules.format_page(tokens, page.chapter.bibliography, project_root or content_root.parent,
                                           env, cache)
    body = md.renderer.render(tokens, md.options, env)
    return RenderResult(body, state.assets, state.external_links,
                        [(cite_rules.CACHE_KIND, cited)] if cited else [])


def _replace_attention_figures(tokens: list[Token], env: dict[str, Any], md: MarkdownIt,
                               figure_html: FigureRenderer) -> list[Token]:
    """Swap each ``::: {.attention}`` block for the HTML of its pre-computed figure."""
    state: PageState = env["page"]
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "container_div_open" and "attention" in tok.meta["attrs"].get("class", "").split():
            j = quiz.block_end(tokens, i)
            caption = md.renderer.render(tokens[i + 1: j - 1], md.options, env).strip()
            if caption.startswith("<p>") and caption.endswith("</p>") and caption.count("<p>") == 1:
                caption = caption[3:-4]
            line = block_line(env, tok)
            block = Token("html_block", "", 0)
            try:
                block.content = figure_html(state.figures[line], state.nav.figure_numbers.get(line, ""), caption)
            except UserError as exc:
                state.error(line, exc.message, exc.hint)
                block.content = ""
            out.append(block)
            i = j
            continue
        out.append(tok)
        i += 1
    return out
