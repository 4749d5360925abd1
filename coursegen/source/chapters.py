"""Stage 1, source: discover the chapters named in the config (or its Quarto project) and split each into
validated front matter and body."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from ..config import FRENCH_MONTHS, Config
from ..errors import Problems, did_you_mean
from ..text import french
from ..yamlfile import Key, compose, construct, decode_source, link_outside, read_mapping, too_large, yaml_error
from .bibliography import Bibliography, page_bibliography
from .freeze import Frozen
from .quarto import Entry, pages_from_project
from .quarto_keys import QUARTO_PAGE_KEYS

# Every key Quarto defines is accepted (most change nothing here); the ones the site uses are typed.
_META_SCHEMA = {**{name: Key() for name in sorted(QUARTO_PAGE_KEYS)},
                "title": Key((str,), "un texte"), "description": Key((str,), "un texte"),
                "numbered": Key((bool,), "true ou false"), "draft": Key((bool,), "true ou false"),
                "subtitle": Key((str,), "un texte"), "number-sections": Key((bool,), "true ou false"),
                "date": Key((str, datetime.date), "une date AAAA-MM-JJ"), "toc": Key((bool,), "true ou false"),
                "toc-depth": Key((int,), "un nombre entier"),
                "bibliography": Key((str, list), "un chemin ou une liste de chemins"),
                "csl": Key((str,), "un chemin vers un fichier .csl")}
_COMMON_KEYS = ("title", "subtitle", "description", "author", "date", "numbered", "draft", "abstract", "lang", "toc",
                "toc-depth", "number-sections", "categories", "image", "order", "keywords", "bibliography", "format",
                "execute", "engine", "editor", "jupyter", "knitr", "filters", "code-fold", "csl", "echo", "eval")
_DATE_WORDS = ("today", "now", "last-modified")  # Quarto's dates of the build: not shown (same input, same bytes)
_META_SHORTCODE = re.compile(r"\{\{<\s*meta\s+([\w.-]+)")
_PREFIX = re.compile(r"^\d+[-_]")
_SLUG_OK = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Chapter:
    """One source file: where it is, its validated metadata and its Markdown body."""

    source: str          # path relative to the project root, as shown in messages
    name: str            # path relative to the content folder, as listed in config.yaml or _quarto.yml
    slug: str            # output page name without extension
    title: str
    description: str
    numbered: bool
    draft: bool
    body: str
    body_line: int       # 1-based line of the body's first line in the source file
    subtitle: str = ""   # shown under the title, as Quarto's title block does
    authors: tuple[str, ...] = ()
    date: str = ""       # as shown: « 15 janvier 2024 »
    title_line: int = 0  # line of the title in the source file (its problems are reported there)
    meta: dict[str, Any] = field(default_factory=dict, hash=False, repr=False)  # the whole front matter ({{< meta >}})
    bibliography: Bibliography | None = None  # where its citations are looked up (``pages.cite``)
    frozen: Frozen | None = None  # the page as Quarto executed it (``source.freeze``)
    group: tuple[str, ...] = ()  # Quarto project: the parts, sections or menus holding the page (``source.quarto``)
    part: bool = False           # the page of a book part (unnumbered, heads its group in the sidebar)
    appendix: bool = False       # numbered A, B… in a book
    anchor: str = ""             # the ``{#id}`` of the title heading: links to it lead to the page
    quarto: bool = False         # a page of a Quarto project (read as Quarto reads it)
    nav_title: str = ""          # the ``text:`` of its menu or sidebar entry, shown there instead of the title

    @property
    def url(self) -> str:
        """The page's path in the site: ``transformers.html``, ``01_R_Insee/Fiche_api.html`` (Quarto's own)."""
        return f"{self.slug}.html"


def slug_for(name: str) -> str:
    """``01-les-transformers.md`` -> ``les-transformers``."""
    return _PREFIX.sub("", Path(name).stem)


def discover(config: Config, problems: Problems) -> list[tuple[Path, Entry]]:
    """The page files in the order of ``config.yaml`` or of its Quarto project (never filesystem order)."""
    content = config.content_path
    entries = pages_from_project(config, problems) if config.quarto_project else [Entry(n) for n in config.chapters]
    if not content.is_dir():
        problems.error(config.content_dir, 0, "dossier de contenu introuvable",
                       f"créez « {config.content_dir}/ » et placez-y les chapitres")
        return []
    if entries is None:
        return []
    listed = {e.path for e in entries}
    on_disk = sorted(p.name for p in content.glob("*.md") if not p.name.startswith("_"))
    for name in on_disk if not config.quarto_project else ():  # a Quarto project publishes only what it lists
        if name not in listed:
            problems.warn(f"{config.content_dir}/{name}", 0,
                          "chapitre absent de la liste « chapters » de config.yaml : il n'est pas publié",
                          "ajoutez-le à « chapters » ou renommez-le en « _" + name + " »")
    found = []
    for entry in entries:
        name = entry.path
        path = content / name
        rel = f"{config.content_dir}/{name}"
        if not path.is_file():
            problems.error("config.yaml", 0, f"chapitre « {name} » introuvable dans {config.content_dir}/",
                           did_you_mean(name, on_disk) or "vérifiez le nom dans « chapters »")
            continue
        outside = link_outside(path, content, rel) if path.is_symlink() or "/" in name or "\\" in name else None
        if outside is not None:
            problems.add(outside)
            continue
        found.append((path, entry))
    return found


def _read(path: Path, config: Config, problems: Problems) -> tuple[str, str | None]:
    """The page's path as messages show it, and its text (None once a problem is reported: too large, not UTF-8)."""
    rel = path.relative_to(config.root).as_posix()
    if too_large(path.stat().st_size, rel, problems):
        return rel, None
    return rel, decode_source(path.read_bytes(), rel, problems)


def parse_chapter(path: Path, config: Config, problems: Problems, entry: Entry | None = None) -> Chapter | None:
    """Split front matter from body; every problem is reported at ``content/FILE.md:LINE``. A page of a Quarto
    project (``entry``) may have no front matter and take its title from its first ``#`` heading."""
    if config.quarto_project and entry is not None:
        return _quarto_page(path, config, problems, entry)
    rel, text = _read(path, config, problems)
    if text is None:
        return None
    if not text.strip():
        problems.error(rel, 1, "le fichier est vide",
                       "commencez par un en-tête YAML entre deux lignes « --- » avec au moins « title: »")
        return None
    if not text.startswith("---\n"):
        problems.error(rel, 1, "en-tête YAML (front matter) absent",
                       "la première ligne doit être « --- », suivie de « title: … » puis d'une ligne « --- »")
        return None
    end = re.search(r"^(---|\.\.\.)[ \t]*$", text[4:], re.M)
    if end is None:
        problems.error(rel, 1, "en-tête YAML non terminé",
                       "fermez-le par une ligne « --- » avant le texte du chapitre")
        return None
    raw_meta = text[4:4 + end.start()]
    body_start = 4 + end.end() + 1
    body_line = text[:body_start].count("\n") + 1
    loaded = _load_meta(raw_meta, rel, problems, text[body_start:])
    if loaded is None:
        return None
    meta, lines, everything = loaded
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.error(rel, 2, "« title » manquant dans l'en-tête",
                       "ajoutez une ligne « title: \"Titre du chapitre\" »")
        return None
    slug = slug_for(path.name)
    if not _SLUG_OK.match(slug):
        problems.error(rel, 0, f"nom de fichier « {path.name} » inutilisable comme adresse de page",
                       "utilisez des minuscules sans accents, des chiffres et des tirets : 03-mon-chapitre.md")
        return None
    numbered = meta.get("numbered", meta.get("number-sections", True))
    return Chapter(
        source=rel, name=path.name, slug=slug, title=title.strip(),
        description=str(meta.get("description", "")).strip(),
        numbered=bool(numbered), draft=bool(meta.get("draft", False)),
        body=text[body_start:] if body_start <= len(text) else "", body_line=body_line,
        subtitle=str(meta.get("subtitle", "")).strip(), authors=_authors(everything.get("author"), rel,
                                                                          lines.get("author", 0), problems),
        date=_date(meta.get("date"), rel, lines.get("date", 0), problems), title_line=lines.get("title", 0),
        meta=everything, bibliography=page_bibliography(meta, lines, rel, config, problems),
    )


_TITLE = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_TITLE_ATTRS = re.compile(r"[ \t]*\{([^{}]*)\}$")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_URL_PART = re.compile(r"^[\w][\w.-]*$")


def _quarto_page(path: Path, config: Config, problems: Problems, entry: Entry) -> Chapter | None:
    """A page as Quarto reads it: front matter optional, title from it or else from the first ``#`` heading
    (its ``{#id}`` becomes the page's anchor, ``{.unnumbered}`` leaves the chapter unnumbered; the line is then
    left empty so that every later line keeps its number); the page keeps Quarto's address (the file's path)."""
    rel, text = _read(path, config, problems)
    if text is None:
        return None
    meta: dict[str, Any] = {}
    lines: dict[str, int] = {}
    everything: dict[str, Any] = {}
    body, body_line = text, 1
    if text.startswith("---\n"):
        end = re.search(r"^(---|\.\.\.)[ \t]*$", text[4:], re.M)
        if end is None:
            problems.error(rel, 1, "en-tête YAML non terminé", "fermez-le par une ligne « --- » avant le texte")
            return None
        start = 4 + end.end() + 1
        loaded = _load_meta(text[4:4 + end.start()], rel, problems, text[start:])
        if loaded is None:
            return None
        meta, lines, everything = loaded
        body, body_line = (text[start:] if start <= len(text) else ""), text[:start].count("\n") + 1
    slug = PurePosixPath(entry.path).with_suffix("").as_posix()
    bad = next((part for part in slug.split("/") if not _URL_PART.match(part)), None)
    if bad is not None:
        problems.error(rel, 0, f"nom « {bad} » inutilisable dans l'adresse de la page",
                       "renommez le fichier ou le dossier avec des lettres, des chiffres, « - », « _ » ou « . », "
                       "sans espace")
        return None
    title, anchor, numbered, found, index = meta.get("title"), "", True, None, 0
    if not isinstance(title, str) or not title.strip():
        body_lines = body.split("\n")
        found = _first_title(body_lines, any_level=config.project_type == "book")
        if found is None and slug == "index":
            title = config.title  # an untitled home page: the site's title, as Quarto shows it
        elif found is None:
            title = PurePosixPath(entry.path).stem.replace("_", " ").replace("-", " ")
            problems.warn(rel, body_line, "page sans titre (ni « title: » dans l'en-tête, ni titre « # »)",
                          f"ajoutez « # Titre » en tête de la page ; en attendant : « {title} »")
        else:
            index, title, attrs = found
            body_lines[index] = ""
            body = "\n".join(body_lines)
            anchor = next((a[1:] for a in attrs if a.startswith("#")), "")
            numbered = ".unnumbered" not in attrs and "-" not in attrs
    home = slug == "index" and config.project_type == "book"  # quarto.org: a book's index.qmd is unnumbered
    numbered = numbered and not entry.part and not home and meta.get("numbered", meta.get("number-sections", True)) \
        is not False
    title_line = lines.get("title", 0) if meta.get("title") else (body_line + index if found else 0)
    return Chapter(
        source=rel, name=entry.path, slug=slug, title=title.strip(),
        description=str(meta.get("description", "")).strip(), numbered=numbered,
        draft=bool(meta.get("draft", False)), body=body, body_line=body_line,
        subtitle=str(meta.get("subtitle", "")).strip(),
        authors=_authors(everything.get("author"), rel, lines.get("author", 0), problems),
        date=_date(meta.get("date"), rel, lines.get("date", 0), problems), title_line=title_line, meta=everything,
        group=tuple(g if g.startswith("@") else french(g) for g in entry.group), part=entry.part,
        appendix=entry.appendix, anchor=anchor, quarto=True, nav_title=french(entry.text.strip()),
        bibliography=page_bibliography(meta, lines, rel, config, problems),
    )


def _first_title(lines: list[str], any_level: bool = False) -> tuple[int, str, list[str]] | None:
    """(line index, text, attributes) of the first level-1 ATX heading outside code fences, or else (``any_level``,
    a book: quarto.org, « Book Structure »: « the first header in the page will be used ») of the first heading."""
    fence, first = "", None
    for i, raw in enumerate(lines):
        opener = _FENCE.match(raw)
        if fence:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = ""
            continue
        if opener:
            fence = opener.group(1)
            continue
        match = _TITLE.match(raw)
        if match:
            text = match.group(2)
            attrs = _TITLE_ATTRS.search(text)
            if attrs:
                text = text[:attrs.start()]
            found = i, text.strip(), (attrs.group(1).split() if attrs else [])
            if len(match.group(1)) == 1:
                return found
            first = first or found
    return first if any_level else None


def _load_meta(raw: str, rel: str, problems: Problems,
               body: str = "") -> tuple[dict[str, Any], dict[str, int], dict[str, Any]] | None:
    """Parse and type-check the front matter: (typed values, their lines, every key as written). A key Quarto
    does not define is a warning (ignored) unless a ``{{< meta key >}}`` of the page reads it; wrong types are
    errors."""
    offset = 1  # the opening "---" line
    try:
        node = compose(raw)
    except yaml.YAMLError as exc:
        problems.add(yaml_error(exc, rel, offset))
        return None
    if node is None:
        return {}, {}, {}
    if not isinstance(node, yaml.MappingNode):
        problems.error(rel, node.start_mark.line + 1 + offset,
                       "l'en-tête doit contenir des paires « clé: valeur »")
        return None
    before = len(problems.errors)
    read = {name.split(".")[0] for name in _META_SHORTCODE.findall(raw + "\n" + body)} if "{{<" in raw + body else set()
    unknown = {}
    for key_node, _ in node.value:
        name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if isinstance(name, str) and name not in _META_SCHEMA and name not in read:
            # « vouliez-vous dire » among the keys authors write, not among Quarto's 450 (« website » -> « verbosity »)
            problems.warn(rel, key_node.start_mark.line + 1 + offset, f"clé d'en-tête inconnue « {name} » (ignorée)",
                          did_you_mean(name, _COMMON_KEYS))
            unknown[name] = Key()
    schema = {**unknown, **{name: Key() for name in read}, **_META_SCHEMA} if read or unknown else _META_SCHEMA
    meta, lines = read_mapping(node, schema, rel, problems, offset=offset, wrong=_wrong_type)
    if len(problems.errors) != before:
        return None
    everything: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            try:
                everything[str(key_node.value)] = meta[key_node.value] if key_node.value in meta \
                    else construct(value_node)
            except yaml.YAMLError as exc:
                problems.add(yaml_error(exc, rel, offset))
                return None
    return meta, lines, everything


def _authors(value: Any, rel: str, line: int, problems: Problems) -> tuple[str, ...]:
    """Quarto's ``author``: a name, a list of names, or entries with ``name`` (text, or ``given``/``family``)."""
    if value is None:
        return ()
    found: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, dict):
            name = name.get("literal") or " ".join(str(name[k]) for k in ("given", "family") if name.get(k))
        if isinstance(name, (str, int, float)) and not isinstance(name, bool) and str(name).strip():
            found.append(str(name).strip())
        else:
            problems.warn(rel, line, f"« author » : auteur illisible ({item!r}) : non affiché",
                          "écrivez « author: Prénom Nom », une liste de noms, ou des entrées « - name: Prénom Nom »")
    return tuple(found)


def _date(value: Any, rel: str, line: int, problems: Problems) -> str:
    """``date:`` as a French reader reads it (« 15 janvier 2024 »); other texts are shown as written."""
    if isinstance(value, str):
        value = value.strip()
        if value in _DATE_WORDS:
            problems.warn(rel, line, f"« date: {value} » non affichée : la page ne dépend pas du jour de construction",
                          "écrivez la date elle-même : date: 2024-01-15")
            return ""
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        day = "1er" if value.day == 1 else str(value.day)
        return f"{day} {FRENCH_MONTHS[value.month - 1]} {value.year}"
    return ""


def _wrong_type(name: str, key: Key, value: object) -> str:
    """Unlike config.yaml, front matter shows the received value in full, an empty one as None."""
    received = f"\"{value}\"" if isinstance(value, str) else repr(value)
    return f"« {name} » doit être {key.kind} (reçu {received})"


def load_chapters(config: Config, problems: Problems) -> list[Chapter]:
    """Discover, parse and de-duplicate the published chapters (drafts left out)."""
    chapters: list[Chapter] = []
    by_slug: dict[str, str] = {}
    for path, entry in discover(config, problems):
        chapter = parse_chapter(path, config, problems, entry)
        if chapter is None or chapter.draft:
            continue
        home = chapter.slug == "index" and bool(config.quarto_project)  # a Quarto project's index.qmd: home page
        if config.quarto_project and chapter.slug in QUARTO_OWN_PAGES:  # common in Quarto websites: not an error
            problems.warn(chapter.source, 0, f"page non publiée : « {chapter.slug}.html » est une page de l'outil",
                          "la page d'erreur 404 et la page de recherche du site sont celles de l'outil")
            continue
        if chapter.slug in by_slug or (chapter.slug in RESERVED_SLUGS and not home):
            other = by_slug.get(chapter.slug, "une page du site")
            problems.error(chapter.source, 0,
                           f"l'adresse « {chapter.slug}.html » est déjà prise par {other}",
                           "renommez l'un des fichiers")
            continue
        by_slug[chapter.slug] = chapter.source
        chapters.append(chapter)
    if config.quarto_project:
        chapters = _name_groups(chapters)
    if not chapters and not problems.errors:
        problems.error(config.content_dir, 0, "aucun chapitre à publier",
                       "ajoutez un fichier .md et listez-le dans « chapters » de config.yaml")
    return chapters


def _name_groups(chapters: list[Chapter]) -> list[Chapter]:
    """Groups headed by a part page (``@path``, ``source.quarto``) take that page's title."""
    titles = {c.name: french(c.title) for c in chapters}
    return [replace(c, group=tuple(titles.get(g[1:], PurePosixPath(g[1:]).stem) if g.startswith("@") else g
                                   for g in c.group)) if any(g.startswith("@") for g in c.group) else c
            for c in chapters]


RESERVED_SLUGS = frozenset({"index", "404"})
QUARTO_OWN_PAGES = frozenset({"404", "recherche"})  # pages every site gets from the tool (``pages.context``)
