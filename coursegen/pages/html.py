"""Stage 4, the render rules of a chapter page: numbered headings and figures, resolved links and images,
callouts and divs, code, math, footnotes, and the author's raw HTML sanitised.

Rules read and report through one typed ``PageState`` that markdown-it passes along in ``env["page"]``
(the rest of ``env`` is markdown-it's own, e.g. footnotes).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Sequence

from markdown_it.token import Token

from ..course.nav import SCHEME, PageNav, Section, Site, resolve_link
from ..errors import Problems
from ..markdown.parse import Figure
from ..markdown.sanitize import HINT_URL, clean_html, clean_svg, unsafe_scheme
from .code import highlight_code, mathml

# The only files a chapter may link for publication: types a browser shows or downloads without running
# them on the site's origin (SVG once cleaned). An allow-list, since GitHub Pages serves many other names
# (.xsd, .rng, .xhtml…) as XML or HTML, which a browser would run as a page with its scripts.
ASSET_EXTENSIONS = frozenset({
    "png", "jpg", "jpeg", "gif", "webp", "avif", "ico", "svg",                          # images
    "pdf", "txt", "md", "csv", "tsv", "json", "ipynb", "py", "r", "zip", "gz", "tar", "bz2", "7z",  # documents
    "mp3", "ogg", "oga", "wav", "mp4", "webm",                                        # audio, video
})
HINTED_MISSES = 20  # unresolved links and references per page that get a « vouliez-vous dire »
WIDTH_STEP = 5  # percentage widths become the class "largeur-N", N a multiple of 5 (site.css)
_PX = re.compile(r"^(\d+)(px)?$")
_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)%$")


@dataclass
class PageState:
    """One page's render: where it is, what it may link to, and what the rules collect."""

    source: str
    body_line: int
    nav: PageNav
    site: Site
    content_root: Path
    problems: Problems
    figures: dict[int, Figure]                                  # figure requests by line
    assets: set[str] = field(default_factory=set)               # content-relative files to copy
    external_links: list[tuple[str, int]] = field(default_factory=list)
    div_stack: list[str] = field(default_factory=list)          # closing HTML of the open divs
    misses: int = 0                                             # unresolved links and references so far
    sections: dict[str, Section] = field(init=False)

    def __post_init__(self) -> None:
        # a linear search per heading is quadratic
        self.sections = {s.id: s for s in reversed(self.nav.toc + self.nav.deeper)}

    def may_hint(self) -> bool:
        """Whether an unresolved link or reference still gets a « vouliez-vous dire »: each one compares a
        name with every id of the page or course, so only the first ``HINTED_MISSES`` of a page do."""
        return self.misses < HINTED_MISSES

    def error(self, line: int, message: str, hint: str = "") -> None:
        self.problems.error(self.source, line, message, hint)

    def warn(self, line: int, message: str, hint: str = "") -> None:
        self.problems.warn(self.source, line, message, hint)

    def broken(self, line: int, message: str, hint: str = "") -> None:
        """A link or image that leads nowhere: an error, a warning in a Quarto project (Quarto publishes it as
        written, and the author's sources are not to be edited; ``--strict`` makes it an error again)."""
        (self.warn if self.site.quarto else self.error)(line, message, hint)




def nothing(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    """The render rule of a token kept only to be counted (a hidden cell, another format's raw block)."""
    return ""

def caption_label(word: str, number: str) -> str:
    """« Figure 1.2 : » before a caption (a no-break space before the colon), or nothing when unnumbered."""
    return f'<span class="figure-label">{word} {number}</span>\u00a0: ' if number else ""

def publishable(path: str) -> bool:
    """Whether a linked file's name allows publishing it (``ASSET_EXTENSIONS``, case aside)."""
    return PurePosixPath(path).suffix[1:].lower() in ASSET_EXTENSIONS


def block_line(env: dict[str, Any], tok: Token) -> int:
    return env["page"].body_line + (tok.map[0] if tok.map else 0)


def child_line(env: dict[str, Any], tok: Token) -> int:
    """Line of an inline token: marked at parse time (block line + soft breaks before it)."""
    return tok.meta.get("line", env["page"].body_line)


def _heading_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    tok = tokens[idx]
    if tok.hidden:  # an empty heading of a Quarto page (``markdown.parse``)
        return ""
    heading = env["page"].sections.get(tok.attrGet("id"))
    number = heading.number if heading else ""
    numero = f'<span class="numero">{number}</span> ' if number else ""
    return f"<{tok.tag}{self.renderAttrs(tok)}>{numero}"


def _heading_close(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    opening = next(tokens[j] for j in range(idx - 1, -1, -1) if tokens[j].type == "heading_open")
    if opening.hidden:
        return ""
    ident = html.escape(str(opening.attrGet("id")))
    return (f' <a class="ancre" href="#{ident}" data-pagefind-ignore aria-label="Lien direct vers cette section">#</a>'
            f"</{tokens[idx].tag}>\n")


def _link_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    tok = tokens[idx]
    href = str(tok.attrGet("href") or "")
    line = child_line(env, tok)
    if tok.meta.get("glossary"):  # generated link to the glossary page, which the build writes itself
        return self.renderToken(tokens, idx, options, env)
    if _unsafe_url(href, "du lien", line, env):
        tok.attrs.pop("href", None)
        return self.renderToken(tokens, idx, options, env)
    page: PageState = env["page"]
    resolved = resolve_link(href, page.nav, page.site, page.may_hint())
    if resolved.error:
        page.misses += 1
        page.broken(line, resolved.error, resolved.hint)
    elif resolved.kind == "external":
        page.external_links.append((href, line))
        if tok.markup == "autolink":  # <https://…>: the text is the address, printed once (site.css)
            tok.attrJoin("class", "url")
    elif resolved.kind == "asset" and not _use_asset(resolved.asset, href, line, env):
        tok.attrs.pop("href", None)
        return self.renderToken(tokens, idx, options, env)
    tok.attrSet("href", resolved.href)
    return self.renderToken(tokens, idx, options, env)


def _use_asset(path: str, href: str, line: int, env) -> bool:
    """Check a linked file and publish it, unless it could run script on the site: False if not published.

    Files whose type is not in ``ASSET_EXTENSIONS`` (pages, scripts, XML…) are refused rather than renamed: the
    author meant a page of the site or a download, and only they know which (the hint says how to offer either).
    SVG files are published without their scripts.
    """
    page: PageState = env["page"]
    target = page.content_root / path
    if not target.is_file():
        page.broken(line, f"fichier « {href} » introuvable", "vérifiez le chemin, relatif au dossier de la page"
                    if page.site.quarto else f"vérifiez le chemin, relatif au dossier {page.content_root.name}/")
    elif not target.resolve().is_relative_to(page.content_root.resolve()):
        page.error(line, f"« {href} » pointe hors du projet",
                   "copiez le fichier dans le projet au lieu d'un lien symbolique")
    elif not publishable(path):
        page.warn(line, f"fichier « {href} » non publié : un navigateur pourrait l'exécuter comme une page ou un "
                        "script du site", "proposez-le dans une archive .zip, ou montrez son contenu dans un bloc de "
                        f"code ; types publiés : {', '.join('.' + e for e in sorted(ASSET_EXTENSIONS))}")
    elif not path.lower().endswith(".svg") or _svg_published(target, href, line, page):
        page.assets.add(path)
        return True
    return False


def _svg_published(target: Path, href: str, line: int, page: PageState) -> bool:
    """Warn about what the published copy of an SVG file leaves out (``output.site`` writes that copy)."""
    cleaned, removed = clean_svg(target.read_bytes())
    if cleaned is None:
        page.warn(line, f"image SVG « {href} » non publiée : ce n'est pas un fichier XML lisible",
                  "ouvrez-la dans un éditeur de dessin et enregistrez-la de nouveau en SVG")
        return False
    if removed:
        page.warn(line, f"image SVG « {href} » publiée sans {', '.join(removed)}",
                  "retirez-les du fichier : une image publiée sur le site n'exécute pas de code")
    return True


def _image(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    tok = tokens[idx]
    src = str(tok.attrGet("src") or "")
    line = child_line(env, tok)
    if _unsafe_url(src, "de l'image", line, env):
        return html.escape(self.renderInlineAsText(tok.children or [], options, env))
    page: PageState = env["page"]
    if page.site.image_extension and src and not SCHEME.match(src) and not PurePosixPath(src.split("#")[0]).suffix:
        src = f"{src}.{page.site.image_extension}"  # Quarto's default-image-extension
    resolved = resolve_link(src, page.nav, page.site, page.may_hint())
    if resolved.error:
        page.misses += 1
        page.broken(line, resolved.error.replace("le lien", "l'image"), resolved.hint)
    elif resolved.kind == "asset" and not _use_asset(resolved.asset, src, line, env):
        return html.escape(self.renderInlineAsText(tok.children or [], options, env))
    alt = html.escape(str(tok.attrs.get("fig-alt") or self.renderInlineAsText(tok.children or [], options, env)))
    attrs = image_attrs(tok, env)
    return f'<img src="{html.escape(resolved.href)}" alt="{alt}"{attrs} loading="lazy">'


def _paragraph_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    tok = tokens[idx]
    if not tok.meta.get("figure"):
        return self.renderToken(tokens, idx, options, env)
    fig: Figure = env["page"].figures[block_line(env, tok)]
    ident = f' id="{html.escape(fig.id)}"' if fig.id else ""
    return f'<figure class="figure"{ident}>'


def _paragraph_close(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    opening = tokens[idx - 2]
    if opening.type != "paragraph_open" or not opening.meta.get("figure"):
        return self.renderToken(tokens, idx, options, env)
    number = env["page"].nav.figure_numbers.get(block_line(env, opening), "")
    image = next(c for c in tokens[idx - 1].children or [] if c.type == "image")
    caption = self.renderInline(image.children or [], options, env)
    return f"<figcaption>{caption_label('Figure', number)}{caption}</figcaption></figure>\n"


def _fence(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    tok = tokens[idx]
    info = tok.info.strip()
    lang = info.split()[0] if info else ""
    code = tok.content
    if lang.startswith("{") and lang.endswith("}"):
        lang = lang[1:-1].split(",")[0].strip()  # Quarto cell ``{python}`` is shown, never run
        code = re.sub(r"\A(?:[ \t]*(?:#|//|%%)\|[^\n]*\n)+", "", code)  # cell options, hidden as Quarto does
        if lang.lower() in ("mermaid", "dot", "ojs"):
            env["page"].warn(block_line(env, tok), f"cellule « {{{lang}}} » non exécutée : "
                             "son code est affiché tel quel", "remplacez-la par une image (SVG) du résultat")
    return highlight_code(code, lang.lower())


def _code_block(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    return highlight_code(tokens[idx].content, "")


def math_rule(display: bool):
    """The render rule of inline or display math: MathML, or the LaTeX as code with an error at its line."""
    def render(self, tokens: Sequence[Token], idx: int, options, env) -> str:
        tok = tokens[idx]
        latex = tok.content.strip()
        line = block_line(env, tok) if display else child_line(env, tok)
        converted, problem, removed = mathml(latex, display)
        shown = latex if len(latex) <= 60 else latex[:57] + "…"
        if problem:
            env["page"].error(line, f"formule LaTeX illisible « {shown} » : {problem}",
                              "vérifiez les accolades et le nom des commandes")
            return f"<code>{html.escape(tok.content)}</code>"
        for item in removed:
            env["page"].warn(line, f"formule LaTeX « {shown} » : {item.message}", item.hint)
        return f'<div class="math">{converted}</div>\n' if display else converted
    return render


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
    """Warn about and report a ``javascript:``-like URL (markdown-it's own check is off: see markdown.parse)."""
    scheme = unsafe_scheme(url)
    if scheme:
        env["page"].warn(line, f"adresse « {scheme}: » {what} retirée de la page", HINT_URL)
    return bool(scheme)


def _html_block(self, tokens, idx, options, env) -> str:
    tok = tokens[idx]
    if tok.map is None:  # made by the build (attention figure, quiz), not parsed from the author's text
        return tok.content
    return _clean_html(tok.content, block_line(env, tok), env)


def _html_inline(self, tokens, idx, options, env) -> str:
    return _clean_html(tokens[idx].content, child_line(env, tokens[idx]), env)


def _clean_html(fragment: str, line: int, env) -> str:
    """Author's raw HTML minus event handlers, unsafe URLs, scripts and inline styles (markdown.sanitize)."""
    cleaned, removed = clean_html(fragment)
    for item in removed:
        env["page"].warn(line + item.line, item.message, item.hint)
    return cleaned


RULES = {
    "heading_open": _heading_open, "heading_close": _heading_close, "link_open": _link_open,
    "image": _image, "paragraph_open": _paragraph_open,
    "paragraph_close": _paragraph_close, "fence": _fence, "code_block": _code_block,
    "math_inline": math_rule(False), "math_inline_double": math_rule(True), "math_block": math_rule(True),
    "math_block_label": math_rule(True),
    "footnote_block_open": _footnote_block_open, "footnote_anchor": _footnote_anchor,
    "html_block": _html_block, "html_inline": _html_inline, "th_open": _table_cell, "td_open": _table_cell,
}


def image_attrs(tok: Token, env: dict[str, Any]) -> str:
    """The HTML attributes of an image besides src/alt: widths as classes or pixels, never ``style``."""
    out: list[tuple[str, str]] = []
    classes = str(tok.attrs.get("class", "")).split()
    line = child_line(env, tok)
    for key in ("width", "height"):
        value = str(tok.attrs.get(key, "")).strip()
        if not value:
            continue
        px, pct = _PX.match(value), _PERCENT.match(value)
        if px:
            out.append((key, px.group(1)))
        elif pct and key == "width" and 0 < float(pct.group(1)) <= 100:
            step = max(WIDTH_STEP, min(100, WIDTH_STEP * round(float(pct.group(1)) / WIDTH_STEP)))
            classes.append(f"largeur-{step}")
        else:
            env["page"].warn(line, f"{'largeur' if key == 'width' else 'hauteur'} "
                                 f"« {value} » non prise en charge : ignorée",
                                 "écrivez width=60% (de 5 % en 5 %) ou une taille en pixels : width=300px")
    if "style" in tok.attrs:
        env["page"].warn(line, "attribut « style » ignoré sur l'image",
                             "la politique de sécurité du site interdit les styles en ligne : utilisez width=")
    for key, value in tok.attrs.items():
        if key == "title" or key.startswith("data-"):
            out.append((key, str(value)))
        elif key not in ("src", "alt", "id", "class", "width", "height", "style", "fig-alt"):
            env["page"].warn(line, f"attribut d'image « {key} » non pris en charge : ignoré",
                                 "attributs reconnus : #fig-nom, .classe, width, height, title, fig-alt")
    if classes:
        out.append(("class", " ".join(classes)))
    return "".join(f' {k}="{html.escape(v)}"' for k, v in out)
