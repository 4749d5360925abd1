"""Render a parsed chapter to HTML once navigation is known: numbers, resolved links, code, math, divs."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Sequence

from markdown_it.token import Token

from .errors import Problems
from . import quiz
from .markdown import Figure, ParsedPage, engine, inline_text
from .typography import french
from .nav import PageNav, Site, resolve_link

CALLOUT_LABELS = {
    "note": "Note",
    "tip": "Astuce",
    "important": "Important",
    "warning": "Avertissement",
    "caution": "Attention",
}

# Called with (figure request, caption HTML); returns the figure's HTML or raises FigureProblem.
FigureRenderer = Callable[[Figure, str], str]


class FigureProblem(Exception):
    """A figure that cannot be rendered; the message is French and shown at the Markdown line."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass
class RenderResult:
    html: str
    assets: set[str] = field(default_factory=set)       # content-relative files to copy
    external_links: list[tuple[str, int]] = field(default_factory=list)


def render_page(page: ParsedPage, nav: PageNav, site: Site, problems: Problems,
                figure_html: FigureRenderer) -> RenderResult:
    """Turn the chapter's tokens into the HTML of its article body."""
    result = RenderResult("")
    env: dict[str, Any] = dict(page.env)
    env.update(nav=nav, site=site, problems=problems, result=result,
               figures={f.line: f for f in page.figures})
    _mark_inline_lines(page.tokens, env)
    tokens = _replace_attention_figures(page, env, figure_html)
    md = engine()
    tokens = quiz.replace_quizzes(tokens, page.ids, *quiz.env_renderers(md, env), inline_text)
    result.html = md.renderer.render(tokens, md.options, env)
    return result


def _line(env: dict[str, Any], tok: Token) -> int:
    return env["body_line"] + (tok.map[0] if tok.map else 0)


def _child_line(env: dict[str, Any], tok: Token) -> int:
    """Line of an inline token: set by ``_mark_inline_lines`` (block line + soft breaks before it)."""
    return tok.meta.get("line", env["body_line"])


def _mark_inline_lines(tokens: list[Token], env: dict[str, Any]) -> None:
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        line = _line(env, block)
        for child in block.children:
            child.meta["line"] = line
            if child.type in ("softbreak", "hardbreak"):
                line += 1


def _replace_attention_figures(page: ParsedPage, env: dict[str, Any],
                               figure_html: FigureRenderer) -> list[Token]:
    """Swap each ``::: {.attention}`` block for the HTML of its pre-computed figure."""
    tokens = page.tokens
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "container_div_open" and "attention" in tok.meta["attrs"].get("class", "").split():
            depth, j = 1, i + 1
            while depth:
                depth += {"container_div_open": 1, "container_div_close": -1}.get(tokens[j].type, 0)
                j += 1
            md = engine()
            caption = md.renderer.render(tokens[i + 1: j - 1], md.options, env).strip()
            if caption.startswith("<p>") and caption.endswith("</p>") and caption.count("<p>") == 1:
                caption = caption[3:-4]
            line = _line(env, tok)
            fig = env["figures"][line]
            block = Token("html_block", "", 0)
            try:
                block.content = figure_html(fig, caption)
            except FigureProblem as exc:
                env["problems"].error(env["source"], line, exc.message, exc.hint)
                block.content = ""
            out.append(block)
            i = j
            continue
        out.append(tok)
        i += 1
    return out


def install_rules() -> None:
    """Register the site's render rules on the shared engine (idempotent)."""
    md = engine()
    if md.renderer.rules.get("fence") is _fence:
        return
    from .qmdrender import RULES as quarto_rules

    for name, func in {**_RULES, **quarto_rules}.items():
        md.add_render_rule(name, func)


def _heading_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    tok = tokens[idx]
    ident = tok.attrGet("id")
    by_id = env.get("_toc_by_id")
    if by_id is None:  # one lookup table per page: a linear search per heading is quadratic
        by_id = env["_toc_by_id"] = {h.id: h for h in reversed(env["nav"].toc)}
    heading = by_id.get(ident)
    number = heading.number if heading else ""
    numero = f'<span class="numero">{number}</span> ' if number else ""
    return f"<{tok.tag}{self.renderAttrs(tok)}>{numero}"


def _heading_close(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    opening = next(tokens[j] for j in range(idx - 1, -1, -1) if tokens[j].type == "heading_open")
    ident = html.escape(str(opening.attrGet("id")))
    return (f' <a class="ancre" href="#{ident}" data-pagefind-ignore aria-label="Lien direct vers cette section">#</a>'
            f"</{tokens[idx].tag}>\n")


def _link_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    tok = tokens[idx]
    href = str(tok.attrGet("href") or "")
    line = _child_line(env, tok)
    if tok.meta.get("glossary"):  # generated link to the glossary page, which the build writes itself
        return self.renderToken(tokens, idx, options, env)
    if _unsafe_url(href, "du lien", line, env):
        tok.attrs.pop("href", None)
        return self.renderToken(tokens, idx, options, env)
    resolved = resolve_link(href, env["nav"], env["site"])
    if resolved.error:
        env["problems"].error(env["source"], line, resolved.error, resolved.hint)
    elif resolved.kind == "external":
        env["result"].external_links.append((href, line))
        if tok.markup == "autolink":  # <https://…>: the text is the address, printed once (site.css)
            tok.attrJoin("class", "url")
    elif resolved.kind == "asset":
        _use_asset(resolved.asset, href, line, env)
    tok.attrSet("href", resolved.href)
    return self.renderToken(tokens, idx, options, env)


def _use_asset(path: str, href: str, line: int, env) -> None:
    from pathlib import Path

    site: Site = env["site"]
    content_root: Path = env["content_root"]
    target = (content_root / path)
    if not target.is_file():
        env["problems"].error(env["source"], line, f"fichier « {href} » introuvable",
                              f"vérifiez le chemin, relatif au dossier {content_root.name}/")
    elif not target.resolve().is_relative_to(content_root.resolve()):
        env["problems"].error(env["source"], line, f"« {href} » pointe hors du projet",
                              "copiez le fichier dans le projet au lieu d'un lien symbolique")
    else:
        env["result"].assets.add(path)
    del site


def _image(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    from .qmdrender import image_attrs

    tok = tokens[idx]
    src = str(tok.attrGet("src") or "")
    line = _child_line(env, tok)
    if _unsafe_url(src, "de l'image", line, env):
        return html.escape(self.renderInlineAsText(tok.children or [], options, env))
    resolved = resolve_link(src, env["nav"], env["site"])
    if resolved.error:
        env["problems"].error(env["source"], line, resolved.error.replace("le lien", "l'image"), resolved.hint)
    elif resolved.kind == "asset":
        _use_asset(resolved.asset, src, line, env)
    alt = html.escape(str(tok.attrs.get("fig-alt") or self.renderInlineAsText(tok.children or [], options, env)))
    attrs = image_attrs(tok, env)
    return f'<img src="{html.escape(resolved.href)}" alt="{alt}"{attrs} loading="lazy">'


def _paragraph_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    tok = tokens[idx]
    if not tok.meta.get("figure"):
        return self.renderToken(tokens, idx, options, env)
    fig: Figure = env["figures"][_line(env, tok)]
    ident = f' id="{html.escape(fig.id)}"' if fig.id else ""
    return f'<figure class="figure"{ident}>'


def _paragraph_close(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    opening = tokens[idx - 2]
    if opening.type != "paragraph_open" or not opening.meta.get("figure"):
        return self.renderToken(tokens, idx, options, env)
    fig: Figure = env["figures"][_line(env, opening)]
    image = next(c for c in tokens[idx - 1].children or [] if c.type == "image")
    caption = self.renderInline(image.children or [], options, env)
    label = f'<span class="figure-label">Figure {fig.number}</span> : ' if fig.number else ""
    return f"<figcaption>{label}{caption}</figcaption></figure>\n"


def _fence(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    tok = tokens[idx]
    info = tok.info.strip()
    lang = info.split()[0] if info else ""
    code = tok.content
    if lang.startswith("{") and lang.endswith("}"):
        lang = lang[1:-1].split(",")[0].strip()  # Quarto cell ``{python}`` is shown, never run
        code = re.sub(r"\A(?:[ \t]*#\|[^\n]*\n)+", "", code)  # cell options, hidden as Quarto does
        if lang.lower() in ("mermaid", "dot", "ojs"):
            env["problems"].warn(env["source"], _line(env, tok), f"cellule « {{{lang}}} » non exécutée : "
                                 "son code est affiché tel quel", "remplacez-la par une image (SVG) du résultat")
    return highlight_code(code, lang.lower())


def _code_block(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    return highlight_code(tokens[idx].content, "")


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
def _mathml(latex: str, display: bool) -> tuple[str, str]:
    """(MathML, problem) for one formula; a pure function, so each distinct formula is converted once."""
    from latex2mathml.converter import convert

    try:
        mathml = convert(latex, display="block" if display else "inline")
        return mathml, _latex_problem(latex, mathml)
    except Exception as exc:  # latex2mathml raises many types on bad input; all are author errors
        return "", type(exc).__name__.removesuffix("Error")


def _math(display: bool):
    def render(self, tokens: Sequence[Token], idx: int, options, env) -> str:
        tok = tokens[idx]
        latex = tok.content.strip()
        line = _line(env, tok) if display else _child_line(env, tok)
        mathml, problem = _mathml(latex, display)
        if problem:
            shown = latex if len(latex) <= 60 else latex[:57] + "…"
            env["problems"].error(env["source"], line, f"formule LaTeX illisible « {shown} » : {problem}",
                                  "vérifiez les accolades et le nom des commandes")
            return f"<code>{html.escape(tok.content)}</code>"
        return f'<div class="math">{mathml}</div>\n' if display else mathml
    return render


def _div_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    attrs: dict[str, str] = dict(tokens[idx].meta.get("attrs", {}))
    classes = attrs.pop("class", "").split()
    ident = attrs.pop("id", "")
    id_attr = f' id="{html.escape(ident)}"' if ident else ""
    callout = next((c for c in classes if c.startswith("callout-")), "")
    env.setdefault("_div_stack", [])
    if callout:
        kind = callout.removeprefix("callout-")
        title = html.escape(french(attrs.pop("title", "")) or CALLOUT_LABELS.get(kind, kind.capitalize()))
        cls = html.escape(" ".join(["callout"] + classes))
        if attrs.pop("collapse", "false").lower() == "true":
            env["_div_stack"].append("</div></details>\n")
            return (f'<details class="{cls}"{id_attr}><summary class="callout-title">{title}</summary>'
                    f'<div class="callout-body">\n')
        env["_div_stack"].append("</div></div>\n")
        return (f'<div class="{cls}"{id_attr} role="note"><p class="callout-title">{title}</p>'
                f'<div class="callout-body">\n')
    if "solution" in classes:
        title = html.escape(french(attrs.pop("title", "")) or "Voir la réponse")
        env["_div_stack"].append("</div></details>\n")
        return (f'<details class="solution"{id_attr}><summary>{title}</summary>'
                f'<div class="solution-body">\n')
    data = "".join(f' data-{html.escape(k.removeprefix("data-"))}="{html.escape(v)}"' for k, v in sorted(attrs.items())
                   if k.replace("-", "").isalnum())
    cls = f' class="{html.escape(" ".join(classes))}"' if classes else ""
    env["_div_stack"].append("</div>\n")
    return f"<div{id_attr}{cls}{data}>\n"


def _div_close(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    return env["_div_stack"].pop()


def _footnote_block_open(self, tokens, idx, options, env) -> str:
    return '<section class="footnotes" aria-label="Notes">\n<ol class="footnotes-list">\n'


def _footnote_anchor(self, tokens, idx, options, env) -> str:
    ident = self.rules["footnote_anchor_name"](tokens, idx, options, env)
    if tokens[idx].meta.get("subId", -1) > 0:
        ident += f":{tokens[idx].meta['subId']}"
    return f' <a href="#fnref{ident}" class="footnote-backref" aria-label="Retour au texte">↩</a>'


def _table_cell(self, tokens, idx, options, env) -> str:
    """Column alignment as a class: the site's CSP forbids inline ``style`` attributes."""
    tok = tokens[idx]
    style = str(tok.attrGet("style") or "")
    if style.startswith("text-align:"):
        tok.attrs.pop("style")
        tok.attrSet("class", "align-" + style.split(":", 1)[1].strip())
    return self.renderToken(tokens, idx, options, env)


def _unsafe_url(url: str, what: str, line: int, env) -> bool:
    """Warn about and report a ``javascript:``-like URL (markdown-it's own check is off: see markdown.engine)."""
    from .sanitize import HINT_URL, unsafe_scheme

    scheme = unsafe_scheme(url)
    if scheme:
        env["problems"].warn(env["source"], line, f"adresse « {scheme}: » {what} retirée de la page", HINT_URL)
    return bool(scheme)


def _html_block(self, tokens, idx, options, env) -> str:
    tok = tokens[idx]
    if tok.map is None:  # made by the build (attention figure, quiz), not parsed from the author's text
        return tok.content
    return _clean_html(tok.content, _line(env, tok), env)


def _html_inline(self, tokens, idx, options, env) -> str:
    return _clean_html(tokens[idx].content, _child_line(env, tokens[idx]), env)


def _clean_html(fragment: str, line: int, env) -> str:
    """Author's raw HTML minus event handlers, unsafe URLs, scripts and inline styles (coursegen/sanitize.py)."""
    from .sanitize import clean_html

    cleaned, removed = clean_html(fragment)
    for item in removed:
        env["problems"].warn(env["source"], line + item.line, item.message, item.hint)
    return cleaned


_RULES = {
    "heading_open": _heading_open, "heading_close": _heading_close, "link_open": _link_open,
    "image": _image, "paragraph_open": _paragraph_open,
    "paragraph_close": _paragraph_close, "fence": _fence, "code_block": _code_block,
    "math_inline": _math(False), "math_inline_double": _math(True), "math_block": _math(True),
    "math_block_label": _math(True),
    "container_div_open": _div_open, "container_div_close": _div_close,
    "footnote_block_open": _footnote_block_open, "footnote_anchor": _footnote_anchor,
    "html_block": _html_block, "html_inline": _html_inline, "th_open": _table_cell, "td_open": _table_cell,
}
