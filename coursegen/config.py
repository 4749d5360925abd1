"""Load ``config.yaml`` into a frozen, validated ``Config`` (strict schema, errors at ``config.yaml:LINE``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from .errors import Problems
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
    # a _quarto.yml whose ``book: chapters:`` gives the chapter list
    quarto_project: str = _key("un chemin vers un fichier _quarto.yml", default="")
    content_dir: str = _key("un chemin", default="content")
    templates_dir: str = _key("un chemin", default="templates")
    output_dir: str = _key("un chemin", default="site")
    extra: dict[str, Any] = _key("un dictionnaire", dict, default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)  # where each key is written

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
        if spec.required and key not in lines and not (key == "chapters" and "quarto_project" in values):
            problems.error(name, 1, f"clé obligatoire « {key} » absente", f"ajoutez « {key}: … »")
    _check_values(values, lines, name, problems)
    if len(problems.errors) > before:
        return None
    return Config(root=root, key_lines=lines, **{k: (tuple(v) if k == "chapters" else v) for k, v in values.items()})


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
    content = values.get("content_dir", "content")
    if any(part.startswith(".") and part not in (".", "..") for part in Path(out).parts):
        problems.error(name, lines["output_dir"], f"« output_dir » : « {out} » est un dossier caché (.git, .cache…) "
                       "que la construction remplacerait", "choisissez un dossier dédié, par exemple « site »")
    if Path(out) in (Path("."), Path("")) or Path(content).is_relative_to(Path(out)) or \
            Path(values.get("templates_dir", "templates")).is_relative_to(Path(out)):
        problems.error(name, lines.get("output_dir", 1),
                       f"le dossier de sortie « {out} » contiendrait le projet ou content/",
                       "choisissez un dossier dédié, par exemple « site »")


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
    """``config`` writing into ``output`` (``--output``), refused when that folder holds the project."""
    out = output if output.is_absolute() else (Path.cwd() / output)
    out = out.resolve()
    root = config.root.resolve()
    if out == root or root.is_relative_to(out) or config.content_path.resolve().is_relative_to(out):
        problems.error("--output", 0, f"le dossier de sortie « {output} » contient le projet ou content/",
                       "choisissez un dossier dédié, par exemple « site »")
        return None
    return replace(config, output_dir=str(out))


def load_for_build(root: Path, problems: Problems, output: Path | None = None,
                   site_url: tuple[str, str] | None = None) -> Config | None:
    """The config of a command: config.yaml, then ``--output`` and the public address given at build time
    (``(address, where it came from)``: ``--site-url`` or ``ATELIER_SITE_URL``)."""
    config = load_config(root, problems)
    if config is not None and output is not None:
        config = with_output(config, output, problems)
    if config is not None and site_url is not None:
        config = with_site_url(config, site_url[0], site_url[1], problems)
    return config
