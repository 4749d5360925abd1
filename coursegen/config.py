"""Load ``config.yaml`` into a frozen, validated ``Config`` (strict schema, errors at ``config.yaml:LINE``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from .errors import Problems, did_you_mean
from .yamlfile import compose, construct, decode_source, yaml_error

CONFIG_NAME = "config.yaml"

FRENCH_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)


@dataclass(frozen=True)
class Config:
    """Site settings. Every option is one typed field; free-form template data lives in ``extra``."""

    root: Path
    title: str
    author: str
    chapters: tuple[str, ...] = ()
    subtitle: str = ""
    description: str = ""
    date: dt.date | None = None
    language: str = "fr"
    site_url: str = ""
    cname: str = ""
    quarto_path: str = ""        # the quarto executable for ``pdf`` (default: found on the PATH)
    quarto_project: str = ""     # a _quarto.yml whose ``book: chapters:`` gives the chapter list
    content_dir: str = "content"
    templates_dir: str = "templates"
    output_dir: str = "site"
    extra: dict[str, Any] = field(default_factory=dict)
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


# name -> (accepted Python types, French type name, required)
_SCHEMA: dict[str, tuple[tuple[type, ...], str, bool]] = {
    "title": ((str,), "un texte", True),
    "subtitle": ((str,), "un texte", False),
    "author": ((str,), "un texte", True),
    "description": ((str,), "un texte", False),
    "date": ((dt.date, str), "une date AAAA-MM-JJ", False),
    "language": ((str,), "un texte", False),
    "site_url": ((str,), "une adresse http(s)://…", False),
    "cname": ((str,), "un nom de domaine", False),
    "quarto_path": ((str,), "un chemin vers l'exécutable quarto", False),
    "quarto_project": ((str,), "un chemin vers un fichier _quarto.yml", False),
    "chapters": ((list,), "une liste de fichiers", True),
    "content_dir": ((str,), "un chemin", False),
    "templates_dir": ((str,), "un chemin", False),
    "output_dir": ((str,), "un chemin", False),
    "extra": ((dict,), "un dictionnaire", False),
}


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

    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = key_node.value
        line = key_node.start_mark.line + 1
        if key not in _SCHEMA:
            problems.error(name, line, f"clé inconnue « {key} »",
                           did_you_mean(key, _SCHEMA) or "les clés libres vont sous « extra: »")
            continue
        try:
            value = construct(value_node)
        except yaml.YAMLError as exc:
            problems.add(yaml_error(exc, name, 0))
            continue
        types, type_name, _ = _SCHEMA[key]
        if value is None or isinstance(value, bool) or not isinstance(value, types):
            problems.error(name, value_node.start_mark.line + 1,
                           f"« {key} » doit être {type_name} (reçu {_show(value)})")
            continue
        values[key] = value
        lines[key] = value_node.start_mark.line + 1
    for key, (_, type_name, required) in _SCHEMA.items():
        if key == "chapters" and "quarto_project" in values:
            continue  # the chapters are those of the Quarto project (``source.quarto``)
        if required and key not in values and not any(
                p.message.startswith(f"« {key} »") for p in problems.items):
            problems.error(name, 1, f"clé obligatoire « {key} » absente", f"ajoutez « {key}: … »")

    _check_values(values, lines, name, problems)
    if len(problems.errors) > before:
        return None
    return Config(root=root, key_lines=lines, **{k: (tuple(v) if k == "chapters" else v) for k, v in values.items()})


def _show(value: Any) -> str:
    if value is None:
        return "une valeur vide"
    text = repr(value) if not isinstance(value, str) else f"\"{value}\""
    return text if len(text) <= 40 else text[:37] + "…"


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
    chapters = values.get("chapters")
    if chapters is not None:
        if not chapters:
            problems.error(name, lines["chapters"], "la liste « chapters » est vide",
                           "indiquez au moins un fichier de content/")
        seen: set[str] = set()
        for item in chapters:
            if not isinstance(item, str) or not item.endswith((".md", ".qmd")):
                problems.error(name, lines["chapters"],
                               f"« chapters » : chaque entrée doit être un fichier .md (reçu {_show(item)})")
            elif item in seen:
                problems.error(name, lines["chapters"], f"« chapters » : « {item} » figure deux fois")
            seen.add(str(item))
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
