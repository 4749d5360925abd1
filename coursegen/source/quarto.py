"""Quarto projects as a source: the pages of the ``_quarto.yml`` named by ``quarto_project``, in the order and
groups its navigation gives them, as Quarto reads them.

- A book: ``book: chapters:`` then ``book: appendices:``; ``part:`` with a page of its own (``part: x.qmd``)
  or a plain title; ``index.qmd`` becomes the home page.
- A website: the pages of ``project: render:`` (files and globs, ``!`` to leave some out) or else every
  ``.qmd`` and ``.md`` of the project (folders and files starting with ``_`` or ``.`` left out, as Quarto does),
  in the order of ``website: sidebar:`` (nested ``section:``, ``contents: auto``, globs) then of
  ``website: navbar:`` (left and right, nested ``menu:``), the others after them in file order.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

import yaml

from ..config import Config
from ..errors import Problems
from ..quartoyml import QuartoFile, get, line, read, scalar

PAGE_SUFFIXES = (".qmd", ".md", ".Rmd", ".rmd")  # what Quarto renders as Markdown pages (not .ipynb)
APPENDICES = "Annexes"
OTHER_PAGES = "Autres pages"


@dataclass(frozen=True)
class Entry:
    """One page of the project, where its navigation puts it."""

    path: str                        # relative to the content folder, e.g. "01_R_Insee/Fiche_api.qmd"
    group: tuple[str, ...] = ()      # titles of the parts, sections or menus holding it, outermost first;
    # "@path" stands for the title of the part page ``path`` (known once that page is read)
    part: bool = False               # the page of a book part: unnumbered, it heads its group
    appendix: bool = False
    line: int = 0                    # its line in _quarto.yml (0: found by a glob or in the folder)
    text: str = ""                   # the ``text:`` its menu or sidebar shows instead of the page title


def pages_from_project(config: Config, problems: Problems) -> list[Entry] | None:
    """The project's pages in navigation order, or None after an error (reported at its line of _quarto.yml)."""
    project = read(config.root, config.quarto_project, problems, ("config.yaml", config.key_lines.get(
        "quarto_project", 0)))
    if project is None:
        return None
    content = config.content_path.resolve()
    if not project.folder.resolve().is_relative_to(content):
        problems.error(project.rel, 1, "le projet Quarto est hors du dossier de contenu",
                       f"indiquez « content_dir: {project.folder.relative_to(config.root).as_posix() or '.'} » "
                       "dans config.yaml")
        return None
    prefix = project.folder.resolve().relative_to(content).as_posix()
    reader = _Reader(project, prefix if prefix != "." else "", problems)
    before = len(problems.errors)
    entries = reader.book() if project.kind == "book" else reader.website()
    if len(problems.errors) > before:
        return None
    if not entries:
        where = "dans book: chapters:" if project.kind == "book" else \
            "ni dans project: render:, website: sidebar: ou navbar:, ni dans le dossier"
        problems.error(project.rel, line(project.section), f"aucune page trouvée ({where})",
                       "listez les pages du projet, par exemple « book: chapters: [index.qmd, intro.qmd] »")
        return None
    return entries


class _Reader:
    """Walks the navigation nodes of one _quarto.yml; files are checked as they are met."""

    def __init__(self, project: QuartoFile, prefix: str, problems: Problems) -> None:
        self.project, self.prefix, self.problems = project, prefix, problems
        self.folder = project.folder
        self.seen: dict[str, Entry] = {}
        self.files: list[str] | None = None  # the project's page files, relative to its folder (read once)

    def _add(self, out: list[Entry], rel: str, node: yaml.Node, once: bool = False, **kw) -> None:
        """Add the page ``rel`` unless already there (a website lists a page in several menus; ``once``: a
        book's chapter list, where a second mention is an error)."""
        norm = PurePosixPath(rel.lstrip("/")).as_posix()
        path = self.folder / norm
        if not path.is_file():
            self.problems.error(self.project.rel, line(node), f"page « {rel} » introuvable",
                                "vérifiez le chemin, relatif au dossier de _quarto.yml")
            return
        if not path.resolve().is_relative_to(self.folder.resolve()):
            self.problems.error(self.project.rel, line(node), f"la page « {rel} » est hors du projet",
                                "copiez le fichier dans le projet au lieu d'un lien symbolique")
            return
        full = f"{self.prefix}/{norm}" if self.prefix else norm
        if once and full in self.seen:
            self.problems.error(self.project.rel, line(node), f"« {rel} » figure deux fois dans la liste des chapitres",
                                f"retirez l'une des deux mentions (ligne {self.seen[full].line})")
        elif full not in self.seen:
            entry = Entry(full, line=line(node), **kw)
            self.seen[full] = entry
            out.append(entry)

    # book

    def book(self) -> list[Entry]:
        out: list[Entry] = []
        section = self.project.section
        chapters, appendices = get(section, "chapters"), get(section, "appendices")
        if chapters is None:
            self.problems.error(self.project.rel, line(section), "« book: » sans liste « chapters: »",
                                "ajoutez « chapters: » avec la liste des fichiers du livre")
            return out
        self._chapters(chapters, (), False, out)
        if appendices is not None:
            self._chapters(appendices, (APPENDICES,), True, out)
        return out

    def _chapters(self, node: yaml.Node | None, group: tuple[str, ...], appendix: bool, out: list[Entry]) -> None:
        if not isinstance(node, yaml.SequenceNode):
            self.problems.error(self.project.rel, line(node), "une liste de fichiers est attendue ici",
                                "écrivez une ligne « - fichier.qmd » par chapitre")
            return
        for item in node.value:
            text = scalar(item)
            if text is not None:
                if self._is_page(text, item):
                    self._add(out, text, item, once=True, group=group, appendix=appendix)
                continue
            part = scalar(get(item, "part"))
            if part is None:
                href = scalar(get(item, "href")) or scalar(get(item, "file"))
                if href is not None and self._is_page(href, item):
                    self._add(out, href, item, once=True, group=group, appendix=appendix)
                else:
                    self._unknown(item, "chapitre")
                continue
            if part.endswith(PAGE_SUFFIXES):
                self._add(out, part, item, once=True, group=group, part=True, appendix=appendix)
                title = f"@{self.prefix + '/' if self.prefix else ''}{PurePosixPath(part).as_posix()}"
            else:
                title = part
            if get(item, "chapters") is not None:
                self._chapters(get(item, "chapters"), group + (title,), appendix, out)

    # website

    def website(self) -> list[Entry]:
        out: list[Entry] = []
        section = self.project.section
        sidebars = get(section, "sidebar")
        for sidebar in sidebars.value if isinstance(sidebars, yaml.SequenceNode) else [sidebars]:
            if sidebar is not None:
                self._contents(get(sidebar, "contents"), (), out)
        navbar = get(section, "navbar")
        for side in ("left", "right"):
            self._navbar(get(navbar, side), (), out)
        for rel in self._rendered():  # published but in no menu: after them, under a group of their own
            self._add(out, rel, self.project.node, group=(OTHER_PAGES,) if any(e.group for e in out) else ())
        home = f"{self.prefix}/index" if self.prefix else "index"
        first = [replace(e, group=()) for e in out if _stem(e.path) == home]  # the home page opens the site
        return first + [e for e in out if _stem(e.path) != home]

    def _contents(self, node: yaml.Node | None, group: tuple[str, ...], out: list[Entry]) -> None:
        if node is None:
            return
        if scalar(node) == "auto":
            self._glob("**/*", group, node, out, auto=True)
            return
        if not isinstance(node, yaml.SequenceNode):
            self.problems.error(self.project.rel, line(node), "« contents » : une liste est attendue ici",
                                "écrivez une ligne « - page.qmd » par page, ou « contents: auto »")
            return
        for item in node.value:
            text = scalar(item)
            if text is not None:
                if text == "auto":
                    self._glob("**/*", group, item, out, auto=True)
                elif any(c in text for c in "*?["):
                    self._glob(text, group, item, out)
                elif self._is_page(text, item):
                    self._add(out, text, item, group=group)
                continue
            title = scalar(get(item, "section"))
            href = scalar(get(item, "href"))
            if title is not None:
                inner = group
                if title.endswith(PAGE_SUFFIXES):
                    self._add(out, title, item, group=group, part=True)
                    inner = group + ("@" + (self.prefix + "/" if self.prefix else "") + title,)
                else:
                    if href is not None and self._is_page(href, item):
                        self._add(out, href, item, group=group, part=True, text=title)
                    inner = group + (title,)
                self._contents(get(item, "contents"), inner, out)
            elif scalar(get(item, "auto")) is not None:
                self._glob(scalar(get(item, "auto")) or "**/*", group, item, out, auto=True)
            elif href is not None:
                if self._is_page(href, item):
                    self._add(out, href, item, group=group, text=scalar(get(item, "text")) or "")
            else:
                self._unknown(item, "élément de barre latérale")

    def _navbar(self, node: yaml.Node | None, group: tuple[str, ...], out: list[Entry]) -> None:
        if not isinstance(node, yaml.SequenceNode):
            return
        for item in node.value:
            text = scalar(item)
            if text is not None:
                if self._is_page(text, item, quiet=True):
                    self._add(out, text, item, group=group)
                continue
            menu = get(item, "menu")
            href = scalar(get(item, "href"))
            if menu is not None:
                label = scalar(get(item, "text")) or scalar(get(item, "title")) or ""
                self._navbar(menu, group + ((label,) if label else ()), out)
            elif href is not None and self._is_page(href, item, quiet=True):
                self._add(out, href, item, group=group, text=scalar(get(item, "text")) or "")

    def _glob(self, pattern: str, group: tuple[str, ...], node: yaml.Node, out: list[Entry],
              auto: bool = False) -> None:
        """The pages matching ``pattern``; with ``auto`` (``contents: auto``), each sub-folder is a section named
        after it, as Quarto lays them out."""
        matched = [rel for rel in self._files() if _glob_match(rel, pattern)]
        if auto:  # a folder's pages after the pages above it, as Quarto lists them
            matched.sort(key=lambda rel: (rel.count("/") > 0, rel))
        if not matched:
            self.problems.warn(self.project.rel, line(node), f"le motif « {pattern} » ne désigne aucune page",
                               "vérifiez le chemin, relatif au dossier de _quarto.yml")
        for rel in matched:
            folders = tuple(PurePosixPath(rel).parent.parts) if auto else ()
            self._add(out, rel, node, group=group + folders)

    def _rendered(self) -> list[str]:
        """``project: render:`` (files, globs, ``!`` exclusions), or every page file of the project."""
        render = get(get(self.project.node, "project"), "render")
        if not isinstance(render, yaml.SequenceNode):
            return self._files()
        chosen: list[str] = []
        for item in render.value:
            text = scalar(item)
            if text is None:
                continue
            if text.startswith("!"):
                pattern = text[1:].rstrip("/")
                chosen = [rel for rel in chosen if not (_glob_match(rel, pattern) or rel.startswith(pattern + "/"))]
                continue
            named = not any(c in text for c in "*?[")  # a file named outright is rendered whatever its name
            matched = [rel for rel in self._files(hidden=named) if _glob_match(rel, text)]
            if not matched:
                self.problems.warn(self.project.rel, line(item), f"« render » : « {text} » ne désigne aucune page",
                                   "vérifiez le chemin, relatif au dossier de _quarto.yml")
            chosen += [rel for rel in matched if rel not in chosen]
        return chosen

    def _files(self, hidden: bool = False) -> list[str]:
        """The page files of the project in file order; names starting with _ or . are left out (as Quarto does)
        unless ``hidden`` (a file named in ``render:`` is rendered whatever its name)."""
        if self.files is None:
            found = []
            for path in sorted(self.folder.rglob("*")):
                rel = path.relative_to(self.folder)
                if path.suffix in PAGE_SUFFIXES and path.is_file() and not any(
                        part.startswith((".",)) for part in rel.parts):
                    found.append(rel.as_posix())
            self.files = found
        return [rel for rel in self.files if hidden or not (
            any(part.startswith("_") for part in rel.split("/")) or PurePosixPath(rel).stem.lower() == "readme")]

    def _is_page(self, href: str, node: yaml.Node, quiet: bool = False) -> bool:
        """Whether ``href`` names a page of the project (not an address, a file of another kind or an anchor)."""
        if "://" in href or href.startswith(("mailto:", "#")):
            return False
        if href.split("#")[0].endswith(PAGE_SUFFIXES):
            return True
        if not quiet:
            notebook = href.split("#")[0].endswith(".ipynb")
            self.problems.warn(self.project.rel, line(node),
                               f"« {href} » : carnet Jupyter non pris en charge (ignoré)" if notebook
                               else f"« {href} » n'est pas une page .qmd, .md ou .Rmd (ignoré)",
                               "convertissez le carnet en .qmd : quarto convert carnet.ipynb" if notebook
                               else "seules les pages .qmd, .md et .Rmd du projet sont publiées")
        return False

    def _unknown(self, node: yaml.Node, what: str) -> None:
        self.problems.warn(self.project.rel, line(node), f"{what} illisible (ignoré)",
                           "écrivez un nom de fichier, ou « part: » / « section: » suivi de « chapters: » / "
                           "« contents: »")


def _glob_match(rel: str, pattern: str) -> bool:
    """Quarto's globs: ``*`` within a folder, ``**`` across folders, relative to the project folder."""
    pattern = pattern.lstrip("/")
    if "**" in pattern:
        return fnmatch.fnmatchcase(rel, pattern.replace("**/", "*")) or fnmatch.fnmatchcase(rel, pattern)
    return fnmatch.fnmatchcase(rel, pattern) and rel.count("/") == pattern.count("/")


def _stem(path: str) -> str:
    """``dossier/index.Rmd`` -> ``dossier/index``."""
    return PurePosixPath(path).with_suffix("").as_posix()
