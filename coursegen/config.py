"""Load ``config.yaml`` into a frozen, validated ``Config`` (strict schema, errors at ``config.yaml:LINE``)."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from . import quartoyml as quarto
from .errors import Problems
from .siteurl import cname_url, deduce
from .yamlfile import Key, compose, decode_source, read_mapping, shown, yaml_error

CONFIG_NAME = "config.yaml"

FRENCH_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)


def _key(kind: str, *types: type, required: bool = False, **default: Any) -> Any:
    """A ``Config`` field read from the config.yaml key of the same name: accepted types (text unless
    given), French type name, required or not."""
    return field(**default, metadata={"yaml": Key(types or (str,), kind, required)})


@dataclass(frozen=True)
class Config:
    """Site settings. Every option is one typed field, declared once: its config.yaml schema is on the field
    (``_key``); free-form template data lives in ``extra``."""

    root: Path
    title: str = _key("un texte", required=True)
    author: str = _key("un texte", required=True)
    chapters: tuple[str, ...] = _key("une liste de fichiers", list, required=True, default=())
    subtitle: str = _key("un texte", default="")
    description: str = _key("un texte", default="")
    date: dt.date | None = _key("une date AAAA-MM-JJ", dt.date, str, default=None)
    language: str = _key("un texte", default="fr")
    site_url: str = _key("une adresse http(s)://…", default="")
    cname: str = _key("un nom de domaine", default="")
    quarto_path: str = _key("un chemin vers l'exécutable quarto", default="")  # for ``pdf`` (default: on the PATH)
    # a _quarto.yml giving the pages (``book:`` or ``website:``) and every key config.yaml leaves out
    quarto_project: str = _key("un chemin vers un fichier _quarto.yml", default="")
    repo_url: str = _key("une adresse http(s)://…", default="")      # with repo_actions: links on each page
    repo_branch: str = _key("un nom de branche", default="main")
    repo_subdir: str = _key("un chemin dans le dépôt", default="")  # where the pages are in the repository
    repo_actions: tuple[str, ...] = _key("une liste parmi edit, issue, source", list, default=())
    page_footer: dict[str, str] = _key("un dictionnaire left/center/right", dict, default_factory=dict)
    favicon: str = _key("un chemin d'image, relatif au dossier de contenu", default="")
    number_sections: bool | None = _key("true ou false", bool, default=None)  # None: numbered unless a website
    number_depth: int = _key("un entier", int, default=3)
    content_dir: str = _key("un chemin", default="content")
    templates_dir: str = _key("un chemin", default="templates")
    output_dir: str = _key("un chemin", default="site")
    extra: dict[str, Any] = _key("un dictionnaire", dict, default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)  # where each key is written
    # where site_url came from when config.yaml leaves it empty (``siteurl.deduce``): "" = written or given,
    # else a French phrase; NO_SITE_URL when nothing could tell it
    site_url_origin: str = field(default="", compare=False, repr=False)
    project_type: str = ""  # "book" or "website" for a Quarto project (``quartoyml``), "" for a course
    quarto_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)  # keys from _quarto.yml
    image_extension: str = ""  # Quarto's default-image-extension: added to an image path written without one

    @property
    def numbered(self) -> bool:
        """Whether chapters and sections get numbers: a book and a course yes, a Quarto website only if asked."""
        return self.number_sections if self.number_sections is not None else self.project_type != "website"

    @property
    def date_fr(self) -> str:
        """The date as a French reader writes it: « 26 novembre 2026 » (« 1er » for the first)."""
        if self.date is None:
            return ""
        day = "1er" if self.date.day == 1 else str(self.date.day)
        return f"{day} {FRENCH_MONTHS[self.date.month - 1]} {self.date.year}"

    @property
    def base_path(self) -> str:
        """The URL path the site is served under (``/atelier-llm/``), ``/`` without a site_url."""
        if not self.site_url:
            return "/"
        path = re.sub(r"^https?://[^/]+", "", self.site_url)
        return path if path.endswith("/") else path + "/"

    @property
    def content_path(self) -> Path:
        return self.root / self.content_dir

    @property
    def templates_path(self) -> Path:
        return self.root / self.templates_dir

    @property
    def output_path(self) -> Path:
        return (self.root / self.output_dir).resolve()


# root and key_lines are not written in config.yaml
_SCHEMA = {f.name: f.metadata["yaml"] for f in fields(Config) if "yaml" in f.metadata}


def load_config(root: Path, problems: Problems, name: str = CONFIG_NAME) -> Config | None:
    """Read and validate the config; report every problem, return None if any is an error."""
    path = root / name
    if not path.is_file():
        problems.error(name, 0, "fichier de configuration introuvable",
                       f"créez {name} à la racine du projet (voir README.md)")
        return None
    before = len(problems.errors)
    text = decode_source(path.read_bytes(), name, problems)
    if text is None:
        return None
    try:
        node = compose(text)
    except yaml.YAMLError as exc:
        problems.add(yaml_error(exc, name, 0))
        return None
    if not isinstance(node, yaml.MappingNode):
        line = node.start_mark.line + 1 if node is not None else 1
        problems.error(name, line, "la configuration doit être un dictionnaire de clés « clé: valeur »")
        return None

    values, lines = read_mapping(node, _SCHEMA, name, problems, hint="les clés libres vont sous « extra: »")
    for key, spec in _SCHEMA.items():
        if spec.required and key not in lines and "quarto_project" not in values:
            problems.error(name, 1, f"clé obligatoire « {key} » absente", f"ajoutez « {key}: … »")
    _check_values(values, lines, name, problems)
    if "quarto_project" in values and len(problems.errors) == before:
        quarto.fill(values, root, (name, lines["quarto_project"]), problems, check_site_url)
    return _finish(root, values, lines, name, problems, before)


def load_quarto_folder(folder: Path, problems: Problems, templates: Path) -> Config | None:
    """``build.py --quarto DOSSIER``: the Quarto project where it stands, its pages in place (``content_dir`` is the
    folder itself), the tool's ``templates``, the site in ``DOSSIER/_atelier/`` (Quarto ignores ``_`` folders)."""
    name = f"{quarto.PROJECT_FILE}"
    if not (folder / name).is_file():
        problems.error(str(folder), 0, f"pas de fichier {name} dans ce dossier",
                       "indiquez le dossier d'un projet Quarto (celui qui contient _quarto.yml)")
        return None
    before = len(problems.errors)
    values: dict[str, Any] = {"quarto_project": name, "content_dir": ".", "templates_dir": str(templates),
                              "output_dir": QUARTO_OUTPUT}
    quarto.fill(values, folder, (name, 0), problems, check_site_url)
    return _finish(folder, values, {}, name, problems, before)


QUARTO_OUTPUT = "_atelier"


def _finish(root: Path, values: dict[str, Any], lines: dict[str, int], name: str, problems: Problems,
            before: int) -> Config | None:
    if len(problems.errors) > before:
        return None
    config = Config(root=root, key_lines=lines, **{k: (tuple(v) if k in ("chapters", "repo_actions") else v)
                                                   for k, v in values.items()})
    refusal = output_refusal(config.output_path, config)
    if refusal:
        problems.error(name, lines.get("output_dir", 0), f"le dossier de sortie « {config.output_dir} » {refusal} : "
                       "la construction le remplacerait en entier", OUTPUT_HINT)
        return None
    return config


SITE_URL_HINT = "exemple : https://utilisateur.github.io/atelier-llm/"
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def check_site_url(url: str) -> tuple[str, str]:
    """``site_url`` as the site uses it (ending in ``/``), and an error message if it is not an http(s) address."""
    if not re.match(r"^https?://[^/\s]+(/[^\s?#]*)?$", url):
        return url, f"adresse du site invalide « {url} »"
    return (url if url.endswith("/") else url + "/"), ""


def _check_values(values: dict[str, Any], lines: dict[str, int], name: str, problems: Problems) -> None:
    """Checks beyond the type of each field."""
    if isinstance(values.get("date"), str):
        raw = values["date"]
        try:
            values["date"] = dt.date.fromisoformat(raw.strip())
        except ValueError:
            problems.error(name, lines["date"], f"date illisible « {raw} »",
                           "écrivez-la au format AAAA-MM-JJ, par exemple 2026-11-26")
    elif isinstance(values.get("date"), dt.datetime):
        values["date"] = values["date"].date()
    if "language" in values and values["language"] != "fr":
        problems.error(name, lines["language"], f"langue « {values['language']} » non prise en charge",
                       "seul « fr » est disponible pour l'instant")
    url = values.get("site_url")
    if url:
        checked, message = check_site_url(url)
        if message:
            problems.error(name, lines["site_url"], message, SITE_URL_HINT)
        values["site_url"] = checked
    cname = values.get("cname")
    if cname is not None:
        values["cname"] = cname = cname.strip().lower()
        if cname and (not _HOSTNAME.match(cname) or "." not in cname):
            problems.error(name, lines["cname"], f"« cname » : nom de domaine invalide « {cname} »",
                           "indiquez le domaine seul, sans https:// ni chemin, par exemple cours.exemple.fr")
    if values.get("chapters") is not None:
        check_chapter_list(values["chapters"], name, lines["chapters"], problems)
    for key in ("content_dir", "templates_dir", "output_dir"):
        if key in values and (Path(values[key]).is_absolute() or ".." in Path(values[key]).parts):
            problems.error(name, lines[key], f"« {key} » doit être un chemin relatif dans le projet")
    out = values.get("output_dir", "site")
    if any(part.startswith(".") and part not in (".", "..") for part in Path(out).parts):
        problems.error(name, lines["output_dir"], f"« output_dir » : « {out} » est un dossier caché (.git, .cache…) "
                       "que la construction remplacerait", "choisissez un dossier dédié, par exemple « site »")


def check_chapter_list(chapters: list, path: str, line: int, problems: Problems) -> None:
    """The chapter list of config.yaml, or of the Quarto project it names: not empty, files, each once."""
    if not chapters:
        problems.error(path, line, "la liste « chapters » est vide", "indiquez au moins un fichier de content/")
    seen: set[str] = set()
    for item in chapters:
        if not isinstance(item, str) or not item.endswith((".md", ".qmd")):
            problems.error(path, line, f"« chapters » : chaque entrée doit être un fichier .md (reçu {shown(item)})")
        elif item in seen:
            problems.error(path, line, f"« chapters » : « {item} » figure deux fois")
        seen.add(str(item))


def with_site_url(config: Config, url: str, source: str, problems: Problems) -> Config | None:
    """``config`` with ``site_url`` replaced at build time (``--site-url`` or ``ATELIER_SITE_URL``), checked
    like the key of config.yaml; the error names ``source``."""
    url = url.strip()
    if not url:
        return replace(config, site_url="")
    checked, message = check_site_url(url)
    if message:
        problems.error(source, 0, message, SITE_URL_HINT)
        return None
    return replace(config, site_url=checked)


def with_output(config: Config, output: Path, problems: Problems) -> Config | None:
    """``config`` writing into ``output`` (``--output``), refused where the build must never write."""
    out = (output if output.is_absolute() else (Path.cwd() / output)).resolve()
    refusal = output_refusal(out, config)
    if refusal:
        problems.error("--output", 0, f"le dossier de sortie « {output} » {refusal} : la construction le remplacerait "
                       "en entier", OUTPUT_HINT)
        return None
    return replace(config, output_dir=str(out))


def load_for_build(root: Path, problems: Problems, output: Path | None = None,
                   site_url: tuple[str, str] | None = None, quarto: Path | None = None) -> Config | None:
    """The config of a command that builds: config.yaml, then ``--output`` and the public address given at build
    time (``(address, where it came from)``: ``--site-url`` or ``ATELIER_SITE_URL``); refused if the output folder
    holds files that are not the build's (``output_occupant``). ``quarto``: the folder of ``--quarto`` and the tool's
    templates, read instead of ``root``'s config.yaml."""
    config = load_quarto_folder(quarto, problems, root / "templates") if quarto else load_config(root, problems)
    if config is not None and output is not None:
        config = with_output(config, output, problems)
    if config is not None:
        occupant = output_occupant(config.output_path, config.content_path)
        if occupant:
            where = ("--output", 0) if output is not None else (
                (CONFIG_NAME, config.key_lines["output_dir"]) if "output_dir" in config.key_lines
                else (config.output_dir, 0))
            named = output if output is not None else config.output_dir
            problems.error(*where, f"le dossier de sortie « {named} » contient des fichiers qui ne viennent pas de la "
                           f"construction (« {occupant} ») : elle le remplacerait en entier", OCCUPIED_HINT)
            return None
    if config is not None and site_url is not None:
        config = with_site_url(config, site_url[0], site_url[1], problems)
    if config is not None and not config.site_url:
        config = with_deduced_site_url(config)
    return config


NO_SITE_URL = "aucune"


def with_deduced_site_url(config: Config) -> Config:
    """``config`` with the address GitHub Pages will publish it at, when config.yaml has no ``site_url``:
    ``cname`` of config.yaml, else a CNAME file or the GitHub remote (``siteurl.deduce``)."""
    if config.cname:
        url, origin = cname_url(config.cname), "« cname » de config.yaml"
    else:
        url, origin = deduce(config.root, config.content_dir)
    return replace(config, site_url=url, site_url_origin=origin) if url else \
        replace(config, site_url_origin=NO_SITE_URL)


# The output folder is the build's alone: it is replaced as a whole at every build.
SITE_MARKER = ".atelier-site"  # written into every site (``output.staging``); served as plain text, harmless
OUTPUT_HINT = "choisissez un dossier dédié, vide ou absent, par exemple « site »"
OCCUPIED_HINT = ("choisissez un dossier vide ou absent, par exemple « site », ou déplacez ces fichiers ailleurs "
                 "puis relancez")


def output_refusal(out: Path, config: Config) -> str:
    """Why the folder ``out`` (resolved) may never be replaced by what the tool writes, whatever it holds, as the
    end of a French sentence (« le dossier … est dans le dossier de contenu »); empty if it may
    (``output_occupant`` then looks at what it holds)."""
    root = config.root.resolve()
    try:
        home = Path.home().resolve()
    except (RuntimeError, KeyError):  # no home folder known for this user
        home = None
    if ".git" in out.parts:
        return "est un dépôt git (.git)"
    if out.is_relative_to(root) and any(part.startswith(".") for part in out.relative_to(root).parts):
        return "est un dossier caché du projet (.git, .cache…)"
    places = [(root, "le dossier du projet"), (config.content_path.resolve(), "le dossier de contenu"),
              (config.templates_path.resolve(), "le dossier des gabarits"),
              (Path(__file__).resolve().parent, "le dossier du code de l'outil"),
              (root / "tests", "le dossier des tests du projet"), (root / "scripts", "le dossier des scripts du projet")]
    for folder, what in places + ([(home, "votre dossier personnel")] if home else []):
        if out == folder or folder.is_relative_to(out):
            verb = "est" if out == folder else "contient"
            return f"{verb} {what}"
        if out.is_relative_to(folder) and folder != home and folder != root:
            return f"est dans {what}"
    return ""


# What a site built before the marker existed always holds, and the names it writes beside the pages: such a
# folder is recognised as a previous build (see ``output_occupant``).
_PREVIOUS_SITE = (".nojekyll", "index.html", "404.html", "llms.txt")
_SITE_FILES = {".nojekyll", "llms.txt", "sitemap.xml", "robots.txt", "CNAME"}
_SITE_FOLDERS = ("static/", "pagefind/", "donnees/attention/", "telechargements/", ".pagefind-nouveau/",
                 ".pagefind-ancien/")


def output_occupant(out: Path, content: Path | None) -> str:
    """A file of the folder ``out`` that the build did not make (relative, the first in sorted order), or an empty
    string if the build may replace ``out``: absent, empty, or holding the marker of a site this tool built.

    A site built before the marker existed (a checkout built with the previous version) has none. It is
    accepted when every file in it is one a build writes — pages and their Markdown copies at the top, the
    files and folders named above, copies of files of the content folder (the images a chapter links) — and it
    holds the files every build wrote: replacing it then loses nothing an author wrote. Anything else (one
    file the build never writes, a symbolic link) is kept and reported.
    """
    if not out.is_dir() or out.is_symlink():
        return ""  # absent, or not a folder (the build refuses it, naming it)
    if (out / SITE_MARKER).is_file() and not (out / SITE_MARKER).is_symlink():
        return ""
    top = sorted(entry.name for entry in out.iterdir())
    if not top:
        return ""
    if not all((out / name).is_file() and not (out / name).is_symlink() for name in _PREVIOUS_SITE):
        return next((name for name in top if name not in _PREVIOUS_SITE), top[0])
    for folder, _, files in sorted_walk(out):
        rel_folder = folder.relative_to(out)
        for name in files:
            rel = (rel_folder / name).as_posix()
            if not _written_by_a_build(out, rel, content):
                return rel
    return ""


def sorted_walk(top: Path):
    """``os.walk`` in sorted order, symbolic links to folders listed as files (never followed)."""
    for folder, dirs, files in os.walk(top):
        links = [name for name in dirs if os.path.islink(os.path.join(folder, name))]
        dirs[:] = sorted(name for name in dirs if name not in links)
        yield Path(folder), dirs, sorted(files + links)


def _written_by_a_build(out: Path, rel: str, content: Path | None) -> bool:
    path = out / rel
    if path.is_symlink():
        return False  # the build never writes a link
    if content is not None and (content / rel).is_file():
        return True  # a copy of a file the author still has
    if "/" not in rel:
        stem, _, suffix = rel.rpartition(".")
        return rel in _SITE_FILES or suffix == "html" or (suffix == "md" and (out / f"{stem}.html").is_file())
    return rel.startswith(_SITE_FOLDERS)
