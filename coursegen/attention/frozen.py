"""Frozen attention data: deterministic JSON bytes, and their validation at build time (stdlib only).

Layout of one file (schema 1), keys sorted, every number a JSON integer:

- common: ``schema``, ``kind`` ("numpy" | "model"), ``input_hash``, ``sentence``, ``lang``,
  ``scale`` (1000: numbers are thousandths), ``tokens`` (list of ``{text, label, start, end, word}``:
  the token as the model sees it, the label shown to learners — taken from the sentence, so
  « fatigué » and not the uncased WordPiece ``fatigue`` —, its character offsets in the sentence and
  its word index, ``null`` for special tokens);
- ``kind: model``: ``model`` (provenance: id, package, version, weights_sha256, transformers, torch,
  layers, heads), ``shape`` [layers, heads, n, n], ``attention[layer][head][i][j]`` = weight of token
  j in the attention of token i (each row sums to exactly 1000), optional ``focus`` and ``contrast``;
- ``kind: numpy``: ``seed``, ``d_model``, ``d_k`` and ``steps`` (X, W_q, W_k, W_v, Q, K, V, scores,
  scaled, weights, output), with ``weights`` rows summing to exactly 1000.

The same bytes are published beside the pages, where ``attention.js`` reads this schema.

Two computations of one figure may differ by a thousandth here and there (float results of torch
depend on the processor): ``first_difference`` tells such noise, within ``TOLERANCE``, from a real
change, so that ``freeze`` keeps the committed file for the former and rewrites it for the latter.
"""

from __future__ import annotations

import json
import re

from ..errors import SiteError, UserError
from .specs import SCHEMA_VERSION, Spec, input_hash

__all__ = ["SCHEMA_VERSION", "TOLERANCE", "check_fresh", "dumps", "first_difference", "load"]

SCALE = 1000
# Largest difference, in thousandths, between two computations of one stored number. Each number is
# rounded from a float; a float that differs in its last bits on another processor (other vector
# instructions, another summation order in MKL or in torch's kernels) can land on the other side of a
# rounding boundary, which moves the stored number by one. A difference of two or more is a real change.
TOLERANCE = 1
FREEZE_COMMAND = "python build.py freeze"


# --- writing -----------------------------------------------------------------------------------------

def dumps(data: dict) -> bytes:
    """Deterministic UTF-8 JSON: sorted keys, one matrix row or one token per line, final newline."""
    return (_dump(data, 0) + "\n").encode("utf-8")


def _flat(value) -> bool:
    if isinstance(value, list):
        return all(not isinstance(v, (list, dict)) for v in value)
    if isinstance(value, dict):
        return all(not isinstance(v, (list, dict)) for v in value.values())
    return True


def _dump(value, depth: int) -> str:
    if _flat(value):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False)
    pad = " " * (depth + 1)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}:{_dump(value[k], depth + 1)}" for k in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}"
    items = [pad + _dump(v, depth + 1) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * depth + "]"


# --- reading -----------------------------------------------------------------------------------------

class _Invalid(Exception):
    pass


def load(data: bytes, path: str) -> dict:
    """Parse and validate a frozen file; raises ``SiteError(path, line, message)`` in French."""
    hint = f"relancez « {FREEZE_COMMAND} » pour régénérer ce fichier"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SiteError(path, 0, "données d'attention illisibles : le fichier n'est pas en UTF-8", hint) from None
    try:
        figure = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SiteError(path, exc.lineno, f"JSON invalide : {exc.msg} (colonne {exc.colno})", hint) from None
    except (RecursionError, ValueError):  # nested past Python's stack, or an integer of thousands of digits
        raise SiteError(path, 0, "JSON illisible : imbrication trop profonde ou nombre démesuré", hint) from None
    try:
        _validate(figure)
    except _Invalid as exc:
        raise SiteError(path, 0, f"données d'attention invalides : {exc}", hint) from None
    return figure


def _need(cond: bool, message: str) -> None:
    if not cond:
        raise _Invalid(message)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _get(obj: dict, key: str, kind, where: str = ""):
    _need(key in obj, f"clé « {where}{key} » absente")
    value = obj[key]
    ok = _is_int(value) if kind is int else isinstance(value, kind)
    names = {int: "un entier", str: "un texte", list: "une liste", dict: "un objet"}
    _need(ok, f"« {where}{key} » doit être {names[kind]}")
    return value


def _matrix(value, rows: int, cols: int, what: str, lo: int | None = None, hi: int | None = None) -> None:
    _need(isinstance(value, list) and len(value) == rows,
          f"{what} : {rows} lignes attendues, {len(value) if isinstance(value, list) else 0} trouvées")
    # Fast path, the same checks done by C loops: every row a list of ``cols`` plain ints (``type(True)`` is
    # bool, so booleans fail it) within [lo, hi]. Only a matrix that fails it is walked value by value below,
    # to name the first faulty row and value.
    if all(type(row) is list and len(row) == cols for row in value):
        kinds = set()
        for row in value:
            kinds.update(map(type, row))
        if kinds <= {int} and (not cols or not value or (
                (lo is None or min(map(min, value)) >= lo) and (hi is None or max(map(max, value)) <= hi))):
            return
    for i, row in enumerate(value):
        _need(isinstance(row, list) and len(row) == cols,
              f"{what}, ligne {i + 1} : {cols} colonnes attendues "
              f"(la matrice doit être {rows} × {cols}), {len(row) if isinstance(row, list) else 0} trouvées")
        for v in row:
            _need(_is_int(v), f"{what}, ligne {i + 1} : des entiers (millièmes) sont attendus, pas « {v} »")
            _need((lo is None or v >= lo) and (hi is None or v <= hi),
                  f"{what}, ligne {i + 1} : valeur {v} hors de [{lo}, {hi}]")


def _stochastic(value, n: int, what: str, tokens: list[dict]) -> None:
    """A square n × n matrix of thousandths whose rows each sum to exactly 1000 (weights sum to 1)."""
    _matrix(value, n, n, what, 0, SCALE)
    for i, row in enumerate(value):
        total = sum(row)
        _need(total == SCALE, f"{what}, ligne {i + 1} (jeton « {tokens[i]['label']} ») : les poids somment à "
                              f"{total} millièmes au lieu de {SCALE} (une ligne de poids doit sommer à 1)")


def _validate(fig) -> None:
    _need(isinstance(fig, dict), "un objet JSON est attendu au premier niveau")
    schema = _get(fig, "schema", int)
    _need(schema == SCHEMA_VERSION, f"version de schéma inconnue {schema} (version attendue : {SCHEMA_VERSION})")
    kind = _get(fig, "kind", str)
    _need(kind in ("numpy", "model"), f"kind « {kind} » inconnu (numpy ou model)")
    _need(re.fullmatch(r"[0-9a-f]{64}", str(fig.get("input_hash", ""))) is not None,
          "« input_hash » doit être une empreinte sha256 (64 chiffres hexadécimaux)")
    sentence = _get(fig, "sentence", str)
    _get(fig, "lang", str)
    _need(_get(fig, "scale", int) == SCALE, f"« scale » doit valoir {SCALE} (millièmes)")
    tokens = _get(fig, "tokens", list)
    _need(len(tokens) >= 2, "il faut au moins deux jetons")
    for k, tok in enumerate(tokens):
        where = f"tokens[{k}]."
        _need(isinstance(tok, dict), f"tokens[{k}] doit être un objet")
        _get(tok, "text", str, where)
        label = _get(tok, "label", str, where)
        start, end = _get(tok, "start", int, where), _get(tok, "end", int, where)
        _need(0 <= start <= end <= len(sentence), f"{where}start/end hors de la phrase")
        word = tok.get("word")
        _need(word is None or _is_int(word), f"« {where}word » doit être un entier ou null")
        if word is not None:
            piece = sentence[start:end]
            _need(label in (piece, "##" + piece),
                  f"tokens[{k}] : l'étiquette « {label} » ne correspond pas à la phrase (« {piece} »)")
    n = len(tokens)
    if kind == "model":
        _validate_model(fig, tokens)
    else:
        _validate_numpy(fig, n, tokens)


def _validate_model(fig: dict, tokens: list[dict]) -> None:
    n = len(tokens)
    model = _get(fig, "model", dict)
    for key in ("id", "package", "version", "weights_sha256", "transformers", "torch"):
        _get(model, key, str, "model.")
    layers, heads = _get(model, "layers", int, "model."), _get(model, "heads", int, "model.")
    _need(layers >= 1 and heads >= 1, "« model.layers » et « model.heads » doivent être positifs")
    shape = _get(fig, "shape", list)
    _need(shape == [layers, heads, n, n],
          f"« shape » vaut {shape} au lieu de {[layers, heads, n, n]} (couches, têtes, jetons, jetons)")
    attention = _get(fig, "attention", list)
    _need(len(attention) == layers, f"« attention » : {layers} couches attendues, {len(attention)} trouvées")
    for li, layer in enumerate(attention):
        _need(isinstance(layer, list) and len(layer) == heads,
              f"« attention », couche {li + 1} : {heads} têtes attendues")
        for hi, matrix in enumerate(layer):
            what = f"« attention », couche {li + 1}, tête {hi + 1}"
            _need(isinstance(matrix, list) and len(matrix) == n,
                  f"{what} : {n} lignes attendues (une par jeton), "
                  f"{len(matrix) if isinstance(matrix, list) else 0} trouvées — "
                  "le nombre de jetons ne correspond pas")
            _stochastic(matrix, n, what, tokens)
    for key in ("focus", "contrast"):
        if key not in fig:
            continue
        link = _get(fig, key, dict)
        _get(link, "source", str, f"{key}.")
        _get(link, "target", str, f"{key}.")
        for part in ("source_tokens", "target_tokens"):
            idx = _get(link, part, list, f"{key}.")
            _need(idx and all(_is_int(i) and 0 <= i < n for i in idx),
                  f"« {key}.{part} » doit lister des indices de jetons entre 0 et {n - 1}")
        _matrix(link.get("weights"), layers, heads, f"« {key}.weights »", 0, SCALE)
        if key == "focus":
            best = _get(link, "best", dict, "focus.")
            bl, bh = _get(best, "layer", int, "focus.best."), _get(best, "head", int, "focus.best.")
            _need(1 <= bl <= layers and 1 <= bh <= heads, "« focus.best » désigne une tête qui n'existe pas")
            _need(_get(best, "weight", int, "focus.best.") == link["weights"][bl - 1][bh - 1],
                  "« focus.best.weight » ne correspond pas à « focus.weights »")


def _validate_numpy(fig: dict, n: int, tokens: list[dict]) -> None:
    _get(fig, "seed", int)
    d_model, d_k = _get(fig, "d_model", int), _get(fig, "d_k", int)
    _need(d_model >= 1 and d_k >= 1, "« d_model » et « d_k » doivent être positifs")
    steps = _get(fig, "steps", dict)
    shapes = {"X": (n, d_model), "W_q": (d_model, d_k), "W_k": (d_model, d_k), "W_v": (d_model, d_k),
              "Q": (n, d_k), "K": (n, d_k), "V": (n, d_k), "scores": (n, n), "scaled": (n, n),
              "output": (n, d_k)}
    for key, (rows, cols) in shapes.items():
        _need(key in steps, f"étape « steps.{key} » absente")
        _matrix(steps[key], rows, cols, f"« steps.{key} »")
    _need("weights" in steps, "étape « steps.weights » absente")
    _stochastic(steps["weights"], n, "« steps.weights »", tokens)


def check_fresh(spec: Spec, figure: dict) -> None:
    """Raise ``UserError`` if ``figure`` was frozen from other inputs than ``spec``'s."""
    expected = input_hash(spec)
    if figure.get("input_hash") != expected:
        raise UserError(
            f"données figées périmées pour la figure « {spec.name} » : sa description dans "
            f"{spec.path or 'attention.yaml'} a changé depuis le dernier calcul",
            f"lancez « {FREEZE_COMMAND} {spec.name} » puis validez content/_freeze/attention/{spec.name}.json")


# --- comparing two computations of one figure -------------------------------------------------------

# Compared within TOLERANCE: the numbers rounded from floats (every other value must be equal). For a
# ``numpy`` figure that is all of ``steps``: float64 NumPy is deterministic, but the same rule costs nothing.
_TOLERANT = {("attention",), ("steps",), ("focus", "weights"), ("contrast", "weights"), ("focus", "best", "weight")}
# Not compared: the torch and transformers versions describe the software that did the arithmetic, not
# what was computed. A patch release alone must not force a rewrite: if it changes the numbers beyond
# TOLERANCE, the weights say so; if not, the kept file keeps the versions that really produced its numbers.
# A different model (id, package, version, weights_sha256, layers, heads) is a real change: compared exactly.
# focus.best's layer and head are compared by ``_best_difference``.
_SKIPPED = {("model", "torch"), ("model", "transformers"), ("focus", "best", "layer"), ("focus", "best", "head")}


def first_difference(old: bytes, new: bytes) -> str | None:
    """None when ``new`` is the same figure as the frozen file ``old`` to within ``TOLERANCE``, else the
    first difference found (inputs, model and tokens before numbers), in French.

    The same figure: both files valid for ``load`` (every row of weights sums to exactly 1000), ``old``
    in the canonical form of ``dumps``, the same schema, kind, input_hash (same inputs), sentence, lang,
    scale, tokens, shape, model (torch and transformers versions aside), focus and contrast words and
    token indices, and every stored number within ``TOLERANCE`` thousandths. ``focus.best`` may name
    another head only when both heads tie to within ``TOLERANCE`` in each file: noise then picks either.
    """
    if old == new:
        return None
    try:
        before, after = load(old, "fichier figé"), load(new, "nouveau calcul")
    except SiteError as exc:
        return f"{exc.path} : {exc.message}"
    if dumps(before) != old:
        return "le fichier figé n'est pas dans la forme canonique de dumps()"
    return _difference(before, after, ())


def _where(path: tuple) -> str:
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    return f"« {text} »" if text else "la figure"


def _leads_to_numbers(path: tuple) -> bool:
    return any(t[:len(path)] == path for t in _TOLERANT)


def _difference(old, new, path: tuple) -> str | None:
    if path in _SKIPPED:
        return None
    if isinstance(old, dict) and isinstance(new, dict):
        if old.keys() != new.keys():
            key = sorted(old.keys() ^ new.keys())[0]
            return f"{_where(path + (key,))} : {'absent du nouveau calcul' if key in old else 'nouveau'}"
        # What was computed (inputs, model, tokens) before the numbers: the first difference says why.
        for key in sorted(old, key=lambda k: (_leads_to_numbers(path + (k,)), k)):
            found = _difference(old[key], new[key], path + (key,))
            if found:
                return found
        return _best_difference(old, new) if path == ("focus",) else None
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return f"{_where(path)} : {len(new)} éléments au lieu de {len(old)}"
        for i, (a, b) in enumerate(zip(old, new)):
            found = _difference(a, b, path + (i,))
            if found:
                return found
        return None
    if _is_int(old) and _is_int(new) and any(path[:len(t)] == t for t in _TOLERANT):
        if abs(new - old) <= TOLERANCE:
            return None
        return (f"{_where(path)} : {new} au lieu de {old} "
                f"(écart de {abs(new - old)} millièmes, tolérance ±{TOLERANCE})")
    if type(old) is type(new) and old == new:
        return None
    return f"{_where(path)} : {json.dumps(new, ensure_ascii=False)} au lieu de {json.dumps(old, ensure_ascii=False)}"


def _best_difference(old: dict, new: dict) -> str | None:
    """focus.best is the head where the focus link is strongest (the first one in (layer, head) order on a
    tie). Another head is accepted when the two heads are within ``TOLERANCE`` of each other in both files,
    so that noise alone can swap them; otherwise the strongest head has really changed."""
    a, b = old["best"], new["best"]
    if (a["layer"], a["head"]) == (b["layer"], b["head"]):
        return None

    def gap(focus: dict) -> int:
        weights = focus["weights"]
        return abs(weights[a["layer"] - 1][a["head"] - 1] - weights[b["layer"] - 1][b["head"] - 1])

    if gap(old) <= TOLERANCE and gap(new) <= TOLERANCE:
        return None
    return (f"« focus.best » : couche {b['layer']}, tête {b['head']} au lieu de couche {a['layer']}, "
            f"tête {a['head']} (écart entre ces deux têtes au-delà de la tolérance ±{TOLERANCE})")
