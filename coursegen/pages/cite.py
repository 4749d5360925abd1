"""Stage 4, citations: the ``cite`` tokens of a page formatted by Pandoc's citeproc (the pinned
``pypandoc-binary`` wheel, run offline with ``--sandbox``), and the list of references placed where the
author put ``::: {#refs}`` or else at the end of the page, as Quarto does.

One Pandoc run per page that cites: its input is the author's own citation text, one paragraph each, so
locators, prefixes and ``-@`` are read by Quarto's own parser. Its result is kept in the build cache (kind
``citeproc``, keyed by the citations and the bytes of the bibliography and style), so that a page rendered
again for another reason (a title changed elsewhere in the course) does not run Pandoc again; the page
cache itself covers the bibliography's bytes (see ``pipeline``)."""

from __future__ import annotations

import html
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown_it.token import Token

from ..cache import Cache, digest
from ..errors import SiteError, UserError, did_you_mean
from ..markdown.sanitize import clean_html
from ..pandoc import INSTALL_HINT, pandoc_binary
from ..source.bibliography import Bibliography
from ..text import french
from .html import PageState, child_line

TIMEOUT = 120  # seconds for one page's citations
REFERENCES_TITLE = "Références"
_PARAGRAPH = re.compile(r"^<p>(.*)</p>$")
_NOT_FOUND = re.compile(r"Citeproc: citation (\S+) not found")
_BIB_ERROR = re.compile(r"Error reading bibliography file (.+?):\s*\(line (\d+), column \d+\):\s*(.*)", re.DOTALL)
_REF_LINK = re.compile(r'<a href="#ref-([^"]+)" role="doc-biblioref">(.*?)</a>', re.DOTALL)
_REF_ID = re.compile(r'id="ref-([^"]+)"')


@dataclass(frozen=True)
class Formatted:
    """What citeproc made of one page's citations."""

    cites: tuple[str, ...]       # the HTML of each citation, in the order of the page
    references: str              # the HTML of the list of references ("" when nothing is cited)
    unknown: frozenset[str]      # keys found in no bibliography file


def cite_tokens(tokens: Sequence[Token]) -> list[Token]:
    """The ``cite`` tokens of a page, in reading order."""
    return [child for tok in tokens if tok.type == "inline" for child in tok.children or [] if child.type == "cite"]


def run_citeproc(texts: Sequence[str], bibliography: Bibliography, root: Path) -> Formatted:
    """Format ``texts`` (each a citation as the author wrote it) with the page's bibliography and style.

    Raises SiteError at the line of a malformed bibliography file, UserError if Pandoc is missing or fails."""
    args = [str(pandoc_binary()), "--sandbox", "-f", "markdown", "-t", "html", "--citeproc", "--wrap=none",
            "-M", "lang=fr-FR", "-M", "link-citations=true",
            *(f"--bibliography={f}" for f in bibliography.files)]
    if bibliography.csl:
        args.append(f"--csl={bibliography.csl}")
    source = "\n\n".join(text.replace("\n", " ") for text in texts) + "\n"
    try:
        done = subprocess.run(args, cwd=root, input=source.encode("utf-8"), capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise UserError(f"citations : Pandoc n'a pas fini en {TIMEOUT} s", "relancez la construction") from None
    except OSError as exc:
        raise UserError(f"citations : impossible de lancer Pandoc ({exc.strerror})", INSTALL_HINT) from None
    log = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        bad = _BIB_ERROR.search(log)
        if bad:
            raise SiteError(bad.group(1), int(bad.group(2)),
                            f"bibliographie illisible : {' '.join(bad.group(3).split())}",
                            "vérifiez les accolades et les virgules de l'entrée qui précède : @type{clé, champ = {…}}")
        lines = log.strip().splitlines()
        raise UserError(f"citations : Pandoc a échoué (code {done.returncode})",
                        "fin du journal : " + " | ".join(lines[-4:]) if lines else INSTALL_HINT)
    out = done.stdout.decode("utf-8")
    body, _, refs = out.partition('<div id="refs"')
    cites = [m.group(1) for line in body.splitlines() if (m := _PARAGRAPH.match(line))]
    if len(cites) != len(texts):
        raise UserError(f"citations : Pandoc a rendu {len(cites)} citations au lieu de {len(texts)}",
                        "signalez ce cas avec la page en cause")
    references = '<div id="refs"' + refs.rstrip() if refs else ""
    known = set(_REF_ID.findall(references))
    unknown = frozenset(_NOT_FOUND.findall(log))

    def unlink(m: re.Match[str]) -> str:  # an unknown key: no link to a reference that is not there
        return m.group(0) if m.group(1) in known else m.group(2)

    return Formatted(tuple(_REF_LINK.sub(unlink, c) for c in cites), references, unknown)


def french_html(fragment: str) -> str:
    """French typography on the text of an HTML fragment made by Pandoc (tags and entities untouched)."""
    parts = re.split(r"(<[^>]*>)", fragment)
    prev = ""
    for i in range(0, len(parts), 2):
        if parts[i]:
            text = french(html.unescape(parts[i]), prev)
            prev = text[-1]
            parts[i] = html.escape(text, quote=False)
    return "".join(parts)


CACHE_KIND = "citeproc"


def cached_citeproc(texts: list[str], bibliography: Bibliography, root: Path, cache: Cache) -> tuple[Formatted, str]:
    """``run_citeproc``, kept in ``cache`` under the key returned (a failure is never kept)."""
    files = [*bibliography.files, bibliography.csl] if bibliography.csl else list(bibliography.files)
    key = digest(CACHE_KIND, texts, [(f, (root / f).read_bytes()) for f in files])
    entry = cache.get(CACHE_KIND, key)
    if isinstance(entry, dict) and isinstance(entry.get("cites"), list) and len(entry["cites"]) == len(texts):
        return Formatted(tuple(entry["cites"]), str(entry.get("references", "")),
                         frozenset(entry.get("unknown", []))), key
    formatted = run_citeproc(texts, bibliography, root)
    cache.put(CACHE_KIND, key, {"cites": list(formatted.cites), "references": formatted.references,
                                "unknown": sorted(formatted.unknown)})
    return formatted, key


def format_page(tokens: list[Token], bibliography: Bibliography | None, root: Path, env: dict[str, Any],
                cache: Cache | None = None) -> tuple[list[Token], str]:
    """Give each ``cite`` token its HTML (``meta["html"]``), report unknown keys at their line, and place the
    references: in the author's ``::: {#refs}`` div, else in a section appended to the page. Also returns the
    cache key of the citeproc result ("" if none), for the build to keep that entry."""
    page: PageState = env["page"]
    cites = cite_tokens(tokens)
    if not cites:
        return tokens, ""
    if bibliography is None:
        for tok in cites:
            page.warn(child_line(env, tok), f"citation « {tok.content} » sans bibliographie : affichée telle quelle",
                      "déclarez « bibliography: references.bib » dans l'en-tête de la page ou dans _quarto.yml")
        return tokens, ""
    try:
        formatted, key = cached_citeproc([tok.content for tok in cites], bibliography, root, cache or Cache(None))
    except UserError as exc:
        page.problems.add(exc.at(bibliography.source, bibliography.line))
        return tokens, ""
    except SiteError as exc:
        page.problems.add(exc)
        return tokens, ""
    except OSError as exc:  # the bibliography was removed since the page was read
        page.error(bibliography.line, f"bibliographie illisible : {exc.strerror}", "vérifiez le fichier")
        return tokens, ""
    cited = sorted({key for tok in cites for key in tok.meta["keys"]} - formatted.unknown)
    for tok, shown in zip(cites, formatted.cites):
        tok.meta["html"] = _clean(french_html(shown), child_line(env, tok), page)
        for name in tok.meta["keys"]:
            if name in formatted.unknown:
                page.warn(child_line(env, tok), f"citation « @{name} » absente de la bibliographie",
                          did_you_mean(name, cited) or f"vérifiez la clé dans {', '.join(bibliography.files)}")
    if not formatted.references:
        return tokens, key
    section = Token("html_block", "", 0)
    section.content = _clean(french_html(formatted.references), bibliography.line, page) + "\n"
    out, placed, i = [], False, 0
    while i < len(tokens):
        tok = tokens[i]
        if not placed and tok.type == "container_div_open" and tok.meta.get("attrs", {}).get("id") == "refs":
            depth, j = 0, i
            while j < len(tokens):  # the div and whatever it holds give way to the list
                depth += tokens[j].nesting if tokens[j].type.startswith("container_div") else 0
                if depth == 0:
                    break
                j += 1
            out.append(section)
            placed, i = True, j + 1
            continue
        out.append(tok)
        i += 1
    if not placed:
        section.content = (f'<section class="references" aria-labelledby="references-titre">\n'
                           f'<h2 id="references-titre">{REFERENCES_TITLE}</h2>\n{section.content}</section>\n')
        out.append(section)
    return out, key


def _clean(fragment: str, line: int, page: PageState) -> str:
    """Pandoc escapes the bibliography's text, but a field may still hold an unsafe URL: same sanitiser."""
    cleaned, removed = clean_html(fragment)
    for item in removed:
        page.warn(line, f"bibliographie : {item.message}", item.hint)
    return cleaned


def _cite(self, tokens: Sequence[Token], idx: int, options, env: dict[str, Any]) -> str:
    tok = tokens[idx]
    return tok.meta.get("html") or html.escape(tok.content)


RULES = {"cite": _cite}
