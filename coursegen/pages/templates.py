"""The Jinja2 environment, ``render_template()`` with errors at ``templates/FILE:LINE``, and the sidebar.

The context each template gets is documented in ``pages.context``.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any, Callable

import jinja2

from ..cache import unseal, write_entry
from ..errors import SiteError
from .ui import UI


class TemplateBytecode(jinja2.BytecodeCache):
    """Jinja2's compiled templates, kept in ``folder`` between builds as checked entries (``unseal``).

    Jinja2's own ``FileSystemBytecodeCache`` trusts any file that starts with its magic bytes and the source's
    checksum: one flipped byte in the compiled code after them would change a page, or crash the interpreter.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _file(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.folder / f"__jinja2_{bucket.key}.cache"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            raw = self._file(bucket).read_bytes()
        except OSError:
            return
        payload = unseal(f"jinja/{bucket.key}", raw)
        if payload is not None:
            bucket.bytecode_from_string(payload)  # Jinja2 still checks its version and the source's checksum

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        write_entry(self._file(bucket), f"jinja/{bucket.key}", bucket.bytecode_to_string())


class TemplateOutside(jinja2.TemplateNotFound):
    """A template that is a symbolic link leading out of the templates folder: never read."""


class _Loader(jinja2.FileSystemLoader):
    def get_source(self, environment: jinja2.Environment, template: str):
        source, filename, uptodate = super().get_source(environment, template)
        if not Path(filename).resolve().is_relative_to(Path(self.searchpath[0]).resolve()):
            raise TemplateOutside(template)
        return source, filename, uptodate


def make_environment(templates: Path, bytecode_dir: Path | None = None) -> jinja2.Environment:
    """One environment per build: strict undefined, autoescape, templates compiled once (and, with
    ``bytecode_dir``, kept compiled between builds: Jinja2 checks each template's source checksum)."""
    cache = None
    if bytecode_dir is not None:
        try:
            bytecode_dir.mkdir(parents=True, exist_ok=True)
            cache = TemplateBytecode(bytecode_dir)
        except OSError:
            cache = None  # read-only project: templates compiled in memory only
    return jinja2.Environment(
        loader=_Loader(str(templates)),
        bytecode_cache=cache,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def url_helper(page_url: str, absolute_base: str = "") -> Callable[[str], str]:
    """``url("static/site.css")`` from ``a/b.html`` -> ``../static/site.css``; absolute on the 404 page."""
    page_dir = posixpath.dirname(page_url)

    def url(target: str) -> str:
        if absolute_base:
            return absolute_base + target
        if not page_dir:
            return target or "./"
        rel = posixpath.relpath(target or ".", page_dir)
        return rel + ("/" if target.endswith("/") else "")
    return url


def render_template(env: jinja2.Environment, name: str, context: dict[str, Any], templates_dir: str) -> str:
    """Render one template; Jinja2 problems become ``templates/FILE:LINE`` errors."""
    try:
        return env.get_template(name).render(ui=UI, **context)
    except TemplateOutside as exc:
        raise SiteError(f"{templates_dir}/{exc.name}", 0, "ce gabarit est un lien qui pointe hors du dossier des "
                        "gabarits", "copiez le fichier dans le projet au lieu d'un lien symbolique") from None
    except jinja2.TemplateNotFound as exc:
        raise SiteError(f"{templates_dir}/{exc.name}", 0, "gabarit introuvable",
                        f"restaurez-le depuis le dépôt ou corrigez le nom dans « {name} »") from None
    except jinja2.TemplateSyntaxError as exc:
        rel = f"{templates_dir}/{exc.name or name}"
        raise SiteError(rel, exc.lineno or 0, f"erreur de syntaxe Jinja2 : {exc.message}",
                        "vérifiez les {{ }} et {% %} de cette ligne") from None
    except jinja2.UndefinedError as exc:
        where, line = _template_frame(exc, name, env)
        raise SiteError(f"{templates_dir}/{where}", line, f"variable indéfinie dans le gabarit : {exc.message}",
                        "les variables disponibles sont décrites en tête de coursegen/pages/context.py") from None


def _template_frame(exc: BaseException, default: str, env: jinja2.Environment) -> tuple[str, int]:
    """The innermost template file and line of a rendering error, from the traceback Jinja2 rewrites."""
    roots = [Path(p).resolve() for p in getattr(env.loader, "searchpath", [])]
    tb, found = exc.__traceback__, (default, 0)
    while tb is not None:
        filename = Path(tb.tb_frame.f_code.co_filename)
        for root in roots:
            if filename.is_absolute() and filename.resolve().is_relative_to(root):
                found = (filename.resolve().relative_to(root).as_posix(), tb.tb_lineno)
        tb = tb.tb_next
    return found


class Sidebar:
    """The course sidebar, rendered once; each page shows only its own chapter's sections.

    Listing every section of every chapter on every page makes the output quadratic in the course size
    (686 MB at 1,000 chapters); this keeps it to the chapter list plus one chapter's sections.

    The rendered partial carries two build-time markers, both removed here: ``data-page="slug"`` on a
    link (``aria-current="page"`` goes in its place on that page) and ``<!--sections slug-->...
    <!--/sections-->`` around a chapter's sections. The collapsed sidebar and, per slug, the offsets of
    those two insertions are computed once, so ``for_page`` costs a few slices, not a pass over the list.
    """

    _MARKER = re.compile(r' data-page="([^"]*)"|<!--sections (\S+?)-->\n?(.*?)<!--/sections-->\n?', re.S)
    _CURRENT = ' aria-current="page"'

    def __init__(self, html: str) -> None:
        kept: list[str] = []
        size = pos = 0  # size: length of the collapsed sidebar so far, i.e. the offset of the next marker
        links: dict[str, int] = {}
        sections: dict[str, tuple[int, str]] = {}
        for match in self._MARKER.finditer(html):
            kept.append(html[pos:match.start()])
            size += match.start() - pos
            pos = match.end()
            if match.group(1) is not None:
                links.setdefault(match.group(1), size)
            else:
                sections.setdefault(match.group(2), (size, match.group(3)))
        kept.append(html[pos:])
        self.html = "".join(kept)
        # slug -> its insertions (offset in self.html, text), in offset order.
        self._edits: dict[str, list[tuple[int, str]]] = {}
        for slug, offset in links.items():
            self._edits[slug] = [(offset, self._CURRENT)]
        for slug, edit in sections.items():
            self._edits[slug] = sorted(self._edits.get(slug, []) + [edit])

    def for_page(self, current: str = "") -> str:
        """The sidebar with ``current`` (a chapter slug or "glossaire") marked and its sections shown."""
        edits = self._edits.get(current) if current else None
        if not edits:
            return self.html
        html, parts, pos = self.html, [], 0
        for offset, text in edits:
            parts += (html[pos:offset], text)
            pos = offset
        parts.append(html[pos:])
        return "".join(parts)
