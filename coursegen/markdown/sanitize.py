"""What authors write that reaches a browser as markup: raw HTML, the MathML made from their LaTeX, the SVG
files they link. Kept, minus anything that could run code or leave the page, each removal reported.

HTML (raw fragments and MathML alike) goes through one allow-list of elements and attributes: what is not on
it is removed with a warning at the author's line, among it ``<script>``, ``<style>``, ``<iframe>``,
``<object>``, ``<embed>``, ``<base>``, ``<meta>``, ``<form>``, ``<svg>``, ``on*`` and ``style`` attributes,
and URLs whose scheme runs code (``unsafe_scheme``).

The fragment is read by html5lib's tokenizer, which runs the WHATWG algorithm a browser runs, so ``<!-->``,
``--!>``, raw-text elements (``<noscript>``, ``<xmp>``, ``<textarea>``, ``<title>``…) and unfinished tags
split the text where Chromium splits it; it is then written back token by token: tags rebuilt from their
name and kept attributes, text kept with ``<`` escaped, clean comments kept. Nothing that takes a browser's
tokenizer out of its data state (a raw-text element, CDATA, a bogus comment, an unfinished tag) is ever
written, so the browser reads the output as exactly the tokens checked here, whatever surrounds it in the
page. Why not nh3 (ammonia): Markdown hands raw HTML over in pieces (``<span class="x">``, Markdown text,
``</span>``), which a tree sanitiser closes one by one (``<span class="x"></span>``); and it returns only a
string, so removals could not be reported at their line (measurements in the commit that chose this).

SVG files are XML: read with the standard library's expat (which caps entity expansion) and written back
without scripts, ``<foreignObject>``, event attributes, ``javascript:`` URLs, processing instructions or an
internal DTD subset (whose ``<!ATTLIST>`` defaults a browser applies).
"""

from __future__ import annotations

import html
import re
from collections import deque
from dataclasses import dataclass
from functools import lru_cache

# html5lib's tokenizer is not re-exported by the package; the version is pinned in requirements.txt.
from html5lib._inputstream import HTMLUnicodeInputStream
from html5lib._tokenizer import HTMLTokenizer
from html5lib.constants import tokenTypes

HINT_SCRIPT = "la politique de sécurité du site n'exécute que le JavaScript des fichiers de templates/static/"
HINT_STYLE = "la politique de sécurité du site interdit les styles en ligne : utilisez une classe de site.css"
HINT_URL = "utilisez une adresse http(s)://, un chemin relatif ou une ancre #id"
HINT_EMBED = "le site n'intègre ni autre page ni greffon : mettez un lien vers le contenu, [texte](https://…)"
HINT_HEAD = ("l'en-tête de la page vient de templates/base.html et de l'en-tête du chapitre ; "
             "un renvoi vers une autre page s'écrit comme un lien")
HINT_FORM = "le site ne publie pas de formulaire : mettez un lien vers le formulaire en ligne"
HINT_SVG = "enregistrez le dessin dans un fichier .svg et insérez-le comme une image : ![texte](assets/dessin.svg)"
HINT_ELEMENT = ("le HTML d'un chapitre n'accepte que les éléments de mise en forme du texte "
                "(p, div, span, a, img, table, details, kbd…)")
HINT_ATTRIBUTE = ("le HTML d'un chapitre n'accepte que id, class, title, lang, aria-*, data-* et les attributs "
                  "propres à l'élément (href, src, alt…)")
HINT_MATH_LINK = "une formule ne peut pas contenir de lien : placez le lien dans le texte, hors de la formule"
HINT_MATH_HTML = "une formule ne contient pas de HTML : dans \\text{…}, n'écrivez ni « < » ni « > »"
HINT_COMMENT = "un commentaire s'écrit <!-- texte --> ; « <!--> », « <!---> » et « --!> » ne l'écrivent pas"
HINT_OPENER = ("une page ouverte depuis le site ne doit pas pouvoir le piloter : "
               "gardez rel=\"noopener\" ou rel=\"noreferrer\"")
HINT_DECLARATION = "le HTML d'un chapitre ne contient que des éléments, du texte et des commentaires <!-- … -->"


def _table(spec: str) -> dict[str, frozenset[str]]:
    """``names: attributes`` rows (indented lines continue a row) → {element: its own allowed attributes}."""
    out: dict[str, frozenset[str]] = {}
    for row in re.sub(r"\n\s+", " ", spec.strip()).splitlines():
        names, _, attributes = row.partition(":")
        for name in names.split():
            out[name] = frozenset(attributes.split())
    return out


# Element → its own attributes, besides GLOBAL_ATTRIBUTES, aria-* and data-*: text-level HTML, tables, media,
# the form controls a quiz may show (never <form>), and the MathML that latex2mathml writes.
ELEMENTS = _table("""
abbr address article aside b bdi bdo br caption cite code datalist dd dfn div dl dt em figcaption figure footer
    h1 h2 h3 h4 h5 h6 header hgroup hr i kbd legend mark nav p picture pre rp rt ruby s samp section small span
    strong sub summary sup table tbody tfoot thead tr u ul var wbr
a: href hreflang rel target download type referrerpolicy
area: href alt coords shape target download rel referrerpolicy
audio: src controls loop muted preload crossorigin
blockquote q: cite
button: type name value disabled
col colgroup: span
data: value
del ins: cite datetime
details: open name
dialog: open
fieldset: disabled name
img: src srcset sizes alt width height loading decoding usemap referrerpolicy crossorigin
input: type name value checked disabled readonly placeholder min max step size maxlength minlength list multiple
    required autocomplete pattern
label: for
li: value
map: name
meter: value min max low high optimum
ol: start reversed type
optgroup: label disabled
option: value selected disabled label
output: for name
progress: value max
select: name multiple size disabled required
source: src srcset sizes type media width height
td th: colspan rowspan headers scope abbr
time: datetime
track: src kind srclang label default
video: src poster controls loop muted preload playsinline width height crossorigin
math annotation menclose merror mfenced mfrac mi mlabeledtr mmultiscripts mn mo mover mpadded mphantom
    mprescripts mroot mrow ms mspace msqrt mstyle msub msubsup msup mtable mtd mtext mtr munder munderover none
    semantics: accent accentunder align alttext bevelled close columnalign columnlines columnspacing columnspan
    denomalign depth display displaystyle encoding equalcolumns equalrows fence form frame framespacing height
    largeop linebreak linethickness lspace mathbackground mathcolor mathsize mathvariant maxsize minsize
    movablelimits notation numalign open rowalign rowlines rowspacing rowspan rspace scriptlevel separator
    separators stretchy subscriptshift superscriptshift symmetric voffset width xmlns
""")
MATHML = frozenset(name for name, attributes in ELEMENTS.items() if "mathvariant" in attributes)
GLOBAL_ATTRIBUTES = frozenset({"id", "class", "title", "lang", "dir", "hidden", "role", "tabindex", "translate"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
                            "cite", "codebase", "longdesc", "ping", "srcset", "manifest", "lowsrc", "dynsrc"})
# The tokenizer state a browser switches to after these start tags (in HTML content): their text runs to
# their end tag, unread as markup. They are removed with that text, as is the content of <svg> and <template>.
RAW_TEXT = {"script": "scriptDataState", "style": "rawtextState", "xmp": "rawtextState",
            "iframe": "rawtextState", "noembed": "rawtextState", "noframes": "rawtextState",
            "noscript": "rawtextState", "textarea": "rcdataState", "title": "rcdataState",
            "plaintext": "plaintextState"}
SUBTREE = frozenset({"svg", "template"})
VOID = frozenset({"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
                  "input", "keygen", "link", "meta", "param", "source", "track", "wbr"})
_ELEMENT_HINTS = {"script": HINT_SCRIPT, "style": HINT_STYLE, "svg": HINT_SVG, "form": HINT_FORM,
                  **dict.fromkeys(("iframe", "frame", "frameset", "object", "embed", "applet", "portal",
                                   "fencedframe", "noembed", "noframes", "param"), HINT_EMBED),
                  **dict.fromkeys(("base", "meta", "link", "title", "head", "html", "body"), HINT_HEAD)}

_SAFE_DATA = re.compile(r"^data:image/(gif|png|jpeg|webp);")
_STRIPPED = re.compile(r"[\x00-\x20]+")
_DATA_OR_ARIA = re.compile(r"^(data-[a-z0-9_.-]+|aria-[a-z]+)$")
_CHARACTERS = (tokenTypes["Characters"], tokenTypes["SpaceCharacters"])
_START, _END, _COMMENT = tokenTypes["StartTag"], tokenTypes["EndTag"], tokenTypes["Comment"]
_ERROR = tokenTypes["ParseError"]
# "--" inside a comment: an error for html5lib, allowed by today's standard; the comment still ends at "-->".
_HARMLESS_IN_COMMENT = {"unexpected-dash-after-double-dash-in-comment", "unexpected-char-in-comment",
                        "invalid-codepoint"}


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


def _unsafe_in(name: str, value: str) -> str:
    if name == "srcset":  # "a.png 1x, b.png 2x": every candidate URL counts
        for candidate in value.split(","):
            scheme = unsafe_scheme(candidate.strip().split(" ")[0])
            if scheme:
                return scheme
        return ""
    return unsafe_scheme(value)


@dataclass(frozen=True)
class Removal:
    """One thing taken out of the author's HTML: line offset (0 = first line of the fragment) and why."""

    line: int
    message: str
    hint: str


class _Stream(HTMLUnicodeInputStream):
    """The fragment read as one chunk, so the offset of the next character is known (html5lib keeps lines)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.size = len(text) + 1
        self.consumed = 0

    def readChunk(self, chunkSize=None):  # noqa: N802 - html5lib's name
        self.consumed += self.chunkSize
        return super().readChunk(self.size)

    def offset(self) -> int:
        return self.consumed + self.chunkOffset


def _constructs(text: str):
    """``(start, end, tokens, errors)`` for each construct of ``text``, tokenized as a browser does.

    A construct is what one step of the tokenizer emitted: a tag, a comment, a run of text; its parse errors
    come with it. Raw-text elements switch the tokenizer as a browser's tree builder does. Whatever remains
    after the last construct (an unfinished tag) comes last, with no token.
    """
    tokenizer = HTMLTokenizer("")
    tokenizer.stream = stream = _Stream(text)
    tokenizer.tokenQueue = queue = deque()
    start, errors, more = 0, [], True
    while more:
        more = tokenizer.state()
        if stream.errors:  # invalid code points
            errors += stream.errors
            stream.errors.clear()
        if not queue:
            continue
        tokens = [t for t in queue if t["type"] != _ERROR]
        errors += [t["data"] for t in queue if t["type"] == _ERROR]
        queue.clear()
        if tokens:
            end = min(stream.offset(), len(text))
            yield start, end, tokens, errors
            start, errors = end, []
            last = tokens[-1]
            if last["type"] == _START and last["name"] in RAW_TEXT:
                tokenizer.state = getattr(tokenizer, RAW_TEXT[last["name"]])
    if start < len(text):
        yield start, len(text), [], errors


def _escape_attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute_problem(tag: str, name: str, value: str) -> tuple[str, str] | None:
    """(message, hint) if the attribute must go."""
    if name.startswith("on"):
        return f"attribut « {name} » retiré de <{tag}>", HINT_SCRIPT
    if name == "style":
        return f"attribut « style » retiré de <{tag}>", HINT_STYLE
    allowed = name in GLOBAL_ATTRIBUTES or name in ELEMENTS[tag] or bool(_DATA_OR_ARIA.match(name))
    if not allowed:
        hint = HINT_MATH_LINK if tag in MATHML and name in ("href", "xlink:href") else HINT_ATTRIBUTE
        return f"attribut « {name} » retiré de <{tag}>", hint
    scheme = _unsafe_in(name, value) if name in URL_ATTRIBUTES else ""
    if scheme:
        return f"adresse « {scheme}: » retirée de l'attribut « {name} » de <{tag}>", HINT_URL
    return None


def _element_removal(tag: str, with_content: bool, line: int) -> Removal:
    if tag in ("script", "style") or tag in VOID:
        what = "retiré de la page"
    elif with_content:
        what = "retiré de la page avec son contenu"
    else:
        what = "retiré de la page (son contenu est gardé)"
    return Removal(line, f"élément HTML <{tag}> {what}", _ELEMENT_HINTS.get(tag, HINT_ELEMENT))


@lru_cache(maxsize=4096)
def clean_html(fragment: str, math: bool = False) -> tuple[str, tuple[Removal, ...]]:
    """The fragment with only allowed elements and attributes, and what was removed (a pure function, cached:
    the same ``</span>`` or formula recurs). ``math``: MathML made from LaTeX, where only the MathML part of
    the allow-list belongs (an HTML element there comes from the unescaped text of ``\\text{…}``)."""
    if "<" not in fragment:
        return fragment, ()
    allowed = MATHML if math else ELEMENTS
    text = fragment.replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    removals: list[Removal] = []
    skipping, depth = "", 0          # an element removed with its content, and its nesting depth
    counted, line = 0, 0
    for start, end, tokens, errors in _constructs(text):
        line += text.count("\n", counted, start)
        counted = start
        if skipping:
            for token in tokens:
                if token.get("name") == skipping and token["type"] == _START and not token["selfClosing"]:
                    depth += 1
                elif token.get("name") == skipping and token["type"] == _END:
                    depth -= 1
                    skipping = skipping if depth else ""
            continue
        if not tokens:  # an unfinished tag would swallow the markup after it in the page: show it as text
            if any("eof" in e.lower() for e in errors) and text[start:end].strip():
                out.append(html.escape(text[start:end], quote=False))
                removals.append(Removal(line, "balise HTML non terminée : affichée comme du texte",
                                        "fermez la balise par « > »"))
            continue
        if len(tokens) == 1 and tokens[0]["type"] in _CHARACTERS and not errors:
            out.append(text[start:end].replace("<", "&lt;"))  # as written: entities stay as the author wrote them
            continue
        for token in tokens:
            kind = token["type"]
            if kind in _CHARACTERS:
                out.append(html.escape(token["data"], quote=False))
            elif kind == _START:
                name = token["name"]
                if name in RAW_TEXT or name in SUBTREE:
                    removals.append(_element_removal(name, True, line))
                    if name in RAW_TEXT or not token["selfClosing"]:  # <script/> is still raw text in HTML
                        skipping, depth = name, 1
                elif name not in allowed:
                    removals.append(Removal(line, f"élément HTML <{name}> retiré de la formule", HINT_MATH_HTML)
                                    if math else _element_removal(name, False, line))
                else:
                    out.append(_start_tag(name, token, line, removals))
            elif kind == _END:
                if token["name"] in allowed:
                    out.append(f"</{token['name']}>")
            elif kind == _COMMENT and not text.startswith("<!--", start):  # <?php ?>, <![CDATA[…]]>, </ x>
                shown = text[start:end] if end - start <= 40 else text[start:start + 39] + "…"
                removals.append(Removal(line, f"déclaration HTML « {shown} » retirée", HINT_DECLARATION))
            elif kind == _COMMENT:
                data = token["data"]
                # Written back as <!--data-->: only if a browser would read that as this very comment.
                if set(errors) - _HARMLESS_IN_COMMENT or "-->" in data or "--!>" in data \
                        or data.startswith((">", "->")) or data.endswith("-"):
                    unclosed = any("eof" in e.lower() for e in errors)
                    removals.append(Removal(line, "commentaire HTML non fermé retiré" if unclosed else
                                            "commentaire HTML mal formé retiré",
                                            "fermez-le par « --> »" if unclosed else HINT_COMMENT))
                else:
                    out.append(f"<!--{data}-->")
            else:  # <!DOCTYPE …>
                removals.append(Removal(line, "déclaration <!DOCTYPE> retirée", HINT_DECLARATION))
    return "".join(out), tuple(removals)


def _start_tag(name: str, token: dict, line: int, removals: list[Removal]) -> str:
    kept = []
    for attribute, value in token["data"].items():
        problem = _attribute_problem(name, attribute, value)
        if problem:
            removals.append(Removal(line, *problem))
            continue
        if attribute == "rel" and "opener" in value.lower().split():  # the opened page could steer this one
            value = " ".join(v for v in value.split() if v.lower() != "opener")
            removals.append(Removal(line, f"valeur « opener » retirée de l'attribut « rel » de <{name}>", HINT_OPENER))
            if not value:
                continue
        kept.append(f" {attribute}" if value == "" else f' {attribute}="{_escape_attribute(value)}"')
    return f"<{name}{''.join(kept)}{' /' if token['selfClosing'] else ''}>"


# In an SVG file opened by itself, these run script or leave the page, in the SVG or XHTML namespace alike.
SVG_REMOVED = frozenset({"script", "foreignobject", "handler", "iframe", "frame", "frameset", "embed", "object",
                         "applet", "portal", "meta", "base", "link", "form"})
SVG_ANIMATIONS = frozenset({"set", "animate", "animatetransform", "animatemotion", "animatecolor"})


@lru_cache(maxsize=64)
def clean_svg(data: bytes) -> tuple[bytes | None, tuple[str, ...]]:
    """(bytes to publish, what was removed, e.g. ``<script>``) for an SVG file; (None, ()) if it is not XML.

    Unchanged bytes when nothing is removed; else the document written back by ``minidom``, without its
    doctype (expat has already expanded the entities it declares, within its amplification limits). A doctype
    with an internal subset (``<!DOCTYPE svg [ … ]>``) counts as removed: its ``<!ATTLIST>`` defaults, which
    a browser applies and expat does not report, may add ``onload``.
    """
    from xml.dom import Node, minidom  # the few builds that link an SVG pay for it
    from xml.parsers.expat import ExpatError

    try:
        doc = minidom.parseString(data)
    except (ExpatError, ValueError):
        return None, ()
    removed: list[str] = []
    stack = list(reversed(doc.childNodes))  # document order, so the warning lists them as the file does
    while stack:
        node = stack.pop()
        if node.nodeType == Node.PROCESSING_INSTRUCTION_NODE:  # <?xml-stylesheet?> may bring in XSLT
            removed.append(f"<?{node.target}?>")
            node.parentNode.removeChild(node)
        elif node.nodeType == Node.DOCUMENT_TYPE_NODE and node.internalSubset:
            # A browser applies the default attributes of an internal <!ATTLIST> (onload="…" by default), which
            # expat does not report: written back without the doctype, whose entities expat has expanded.
            removed.append("déclarations internes du <!DOCTYPE>")
        elif node.nodeType == Node.ELEMENT_NODE:
            local = node.tagName.rsplit(":", 1)[-1].lower()
            target = (node.getAttribute("attributeName") or "").rsplit(":", 1)[-1].lower()
            if local in SVG_REMOVED or (local in SVG_ANIMATIONS and (target == "href" or target.startswith("on"))):
                removed.append(f"<{node.tagName}>")
                node.parentNode.removeChild(node)
                continue
            for name, value in list(node.attributes.items()):
                if name.rsplit(":", 1)[-1].lower().startswith("on"):
                    removed.append(f"attribut « {name} »")
                    node.removeAttribute(name)
                elif scheme := unsafe_scheme(value):
                    removed.append(f"adresse « {scheme}: »")
                    node.removeAttribute(name)
            stack.extend(reversed(node.childNodes))
    if not removed:
        return data, ()
    if doc.doctype is not None:
        doc.removeChild(doc.doctype)
    try:
        return doc.toxml(encoding="utf-8"), tuple(dict.fromkeys(removed))
    except RecursionError:  # minidom writes recursively: thousands of nested elements
        return None, ()
