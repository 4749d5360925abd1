"""Frozen attention data: stable bytes, strict validation in French, stale and missing data at build time."""

import copy
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import FIXTURES, REPO, make_project, run_build
from coursegen.errors import UserError
from coursegen.attention.frozen import (SCHEMA_VERSION, TOLERANCE, check_fresh, dumps,
                                       first_difference, load)
from coursegen.attention.specs import input_hash, load_specs
from coursegen.errors import SiteError

FIX = FIXTURES / "attention"
PATH = "content/_freeze/attention/petit-modele.json"


def fixture(name: str) -> dict:
    return json.loads((FIX / "_freeze" / "attention" / f"{name}.json").read_bytes())


def fixture_specs():
    return load_specs((FIX / "attention.yaml").read_text(encoding="utf-8"), "content/attention.yaml")


def test_dumps_is_deterministic_sorted_and_one_row_per_line():
    data = fixture("petit-modele")
    shuffled = dict(reversed(list(data.items())))
    assert dumps(data) == dumps(shuffled) == dumps(copy.deepcopy(data))
    text = dumps(data).decode("utf-8")
    assert text.endswith("}\n") and "fatigué" in text  # UTF-8, not \u escapes
    keys = [line.split('"')[1] for line in text.splitlines() if line.startswith(' "')]
    assert keys == sorted(keys)
    row = data["attention"][1][0][2]
    assert json.dumps(row, separators=(",", ":")) in [line.strip().rstrip(",") for line in text.splitlines()]
    assert len(text.splitlines()) > len(data["tokens"]) * 4  # rows on their own lines, not one huge line


def test_round_trip_through_load():
    for name in ("petit-modele", "petit-calcul"):
        raw = (FIX / "_freeze" / "attention" / f"{name}.json").read_bytes()
        data = load(raw, PATH)
        assert dumps(data) == raw


def broken(mutate) -> bytes:
    data = fixture("petit-modele")
    mutate(data)
    return json.dumps(data).encode("utf-8")


def _drop_column(d):
    d["attention"][0][1][3].pop()


def _unbalance_row(d):
    row = d["attention"][1][1][2]
    row[0] += 1


def _drop_token(d):
    d["tokens"].pop()


def _schema(d):
    d["schema"] = SCHEMA_VERSION + 1


def _label(d):
    d["tokens"][4]["label"] = "fatigue"


def _negative(d):
    row = d["attention"][0][0][0]
    row[0], row[1] = row[0] + row[1] + 5, -5


@pytest.mark.parametrize("mutate, expected", [
    (_drop_column, "« attention », couche 1, tête 2, ligne 4 : 6 colonnes attendues (la matrice doit être 6 × 6)"),
    (_unbalance_row, "« attention », couche 2, tête 2, ligne 3 (jeton « éta ») : les poids somment à 1001 "
                     "millièmes au lieu de 1000"),
    (_drop_token, "« shape » vaut [2, 2, 6, 6] au lieu de [2, 2, 5, 5]"),
    (_schema, f"version de schéma inconnue {SCHEMA_VERSION + 1} (version attendue : {SCHEMA_VERSION})"),
    (_label, "tokens[4] : l'étiquette « fatigue » ne correspond pas à la phrase (« fatigué »)"),
    (_negative, "valeur -5 hors de [0, 1000]"),
    (lambda d: d.pop("attention"), "clé « attention » absente"),
    (lambda d: d.__setitem__("scale", 100), "« scale » doit valoir 1000"),
    (lambda d: d["focus"]["best"].__setitem__("layer", 3), "« focus.best » désigne une tête qui n'existe pas"),
])
def test_invalid_data_is_a_french_error_naming_the_file(mutate, expected):
    with pytest.raises(SiteError) as info:
        load(broken(mutate), PATH)
    err = info.value
    assert err.path == PATH
    assert expected in err.message, err.message
    assert "python build.py freeze" in err.hint
    assert str(err).startswith(f"{PATH}: données d'attention invalides : ")


def test_token_count_mismatch_with_matrix_rows():
    def mutate(d):
        d["tokens"].pop()
        d["shape"] = [2, 2, 5, 5]
    with pytest.raises(SiteError, match="5 lignes attendues .*le nombre de jetons ne correspond pas"):
        load(broken(mutate), PATH)


def test_bad_json_names_file_and_line():
    raw = (FIX / "_freeze" / "attention" / "petit-modele.json").read_bytes().replace(b'"lang":"fr",', b'"lang":"fr"', 1)
    line = raw.decode().splitlines().index(next(x for x in raw.decode().splitlines() if '"lang"' in x)) + 2
    with pytest.raises(SiteError) as info:
        load(raw, PATH)
    assert (info.value.path, info.value.line) == (PATH, line)
    assert info.value.message.startswith("JSON invalide")


def test_not_utf8_and_not_an_object():
    with pytest.raises(SiteError, match="UTF-8"):
        load(b"\xff\xfe{}", PATH)
    with pytest.raises(SiteError, match="un objet JSON est attendu"):
        load(b"[1, 2]", PATH)


def test_check_fresh_accepts_matching_inputs_and_names_the_command_otherwise():
    specs = fixture_specs()
    check_fresh(specs["petit-modele"], fixture("petit-modele"))
    check_fresh(specs["petit-calcul"], fixture("petit-calcul"))
    with pytest.raises(UserError) as info:
        check_fresh(specs["petit-modele"], fixture("petit-calcul"))
    assert "périmées" in info.value.message and "petit-modele" in info.value.message
    assert "python build.py freeze petit-modele" in info.value.hint


def test_committed_frozen_files_are_valid_and_fresh():
    """Every figure of the course has frozen data computed from its current description."""
    specs = load_specs((REPO / "content" / "attention.yaml").read_text(encoding="utf-8"), "content/attention.yaml")
    assert {"exemple-calcul", "animal-fatigue", "animal-large", "chat-fatigue", "chat-large"} <= set(specs)
    for name, spec in specs.items():
        rel = f"content/_freeze/attention/{name}.json"
        raw = (REPO / rel).read_bytes()
        data = load(raw, rel)
        check_fresh(spec, data)
        assert dumps(data) == raw, f"{rel} n'est pas dans la forme canonique de dumps()"


# --- the same figure within tolerance ------------------------------------------------------------

def raw(name: str) -> bytes:
    return (FIX / "_freeze" / "attention" / f"{name}.json").read_bytes()


def changed(name: str, mutate) -> bytes:
    data = fixture(name)
    mutate(data)
    return dumps(data)


def shift(row: list, amount: int) -> None:
    """Move ``amount`` thousandths from the second value of a row to the first: the sum stays 1000."""
    row[0] += amount
    row[1] -= amount


def test_tolerance_is_one_thousandth():
    assert TOLERANCE == 1


@pytest.mark.parametrize("mutate", [
    lambda d: shift(d["attention"][1][0][2], 1),
    lambda d: shift(d["attention"][0][1][5], -1),
    lambda d: d["contrast"]["weights"][1].__setitem__(0, 115),
    lambda d: d["focus"]["weights"][0].__setitem__(1, 103),
    lambda d: d["model"].update(torch="2.99.1+cpu", transformers="9.0.0"),  # runtime versions alone
], ids=["poids+1", "poids-1", "contraste+1", "focus-1", "versions"])
def test_same_figure_within_tolerance(mutate):
    assert first_difference(raw("petit-modele"), raw("petit-modele")) is None
    assert first_difference(raw("petit-modele"), changed("petit-modele", mutate)) is None


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: shift(d["attention"][1][0][2], 2),
     "« attention[1][0][2][0] » : 17 au lieu de 15 (écart de 2 millièmes, tolérance ±1)"),
    (lambda d: d["focus"]["weights"][0].__setitem__(0, 13), "« focus.weights[0][0] » : 13 au lieu de 15"),
    (lambda d: d["attention"][0][0][0].__setitem__(0, 11), "les poids somment à 1001 millièmes"),
    (lambda d: d["tokens"][1].__setitem__("text", "ii"), '« tokens[1].text » : "ii" au lieu de "il"'),
    (lambda d: d["tokens"][3].__setitem__("word", 2), "« tokens[3].word » : 2 au lieu de 1"),
    (lambda d: d["model"].__setitem__("weights_sha256", "1" * 64), "« model.weights_sha256 » : "),
    (lambda d: d["model"].__setitem__("id", "tests/autre-modele"), "« model.id » : "),
    (lambda d: d["model"].__setitem__("version", "0.2.0"), "« model.version » : "),
    (lambda d: d.__setitem__("input_hash", "f" * 64), "« input_hash » : "),
    (lambda d: (d.__setitem__("input_hash", "f" * 64), shift(d["attention"][0][0][0], 5)), "« input_hash » : "),
    (lambda d: d["focus"].__setitem__("target_tokens", [3]), "« focus.target_tokens[0] » : 3 au lieu de 4"),
    (lambda d: d["contrast"].__setitem__("source_tokens", [1, 2]),
     "« contrast.source_tokens » : 2 éléments au lieu de 1"),
    (lambda d: d.pop("contrast"), "« contrast » : absent du nouveau calcul"),
    (lambda d: d.__setitem__("lang", "en"), '« lang » : "en" au lieu de "fr"'),
], ids=["poids+2", "focus-2", "somme", "jeton", "mot", "empreinte", "modele", "version", "entrees",
        "entrees-avant-poids", "indices", "nb-indices", "contraste", "langue"])
def test_real_changes_are_named(mutate, expected):
    difference = first_difference(raw("petit-modele"), changed("petit-modele", mutate))
    assert difference is not None and expected in difference, difference


def test_numpy_figure_within_tolerance_and_beyond():
    assert first_difference(raw("petit-calcul"),
                            changed("petit-calcul", lambda d: shift(d["steps"]["weights"][0], 1))) is None
    assert first_difference(raw("petit-calcul"), changed(
        "petit-calcul", lambda d: d["steps"]["output"][1].__setitem__(0, d["steps"]["output"][1][0] - 1))) is None
    assert "« steps.scores[0][1] » : " in first_difference(raw("petit-calcul"), changed(
        "petit-calcul", lambda d: d["steps"]["scores"][0].__setitem__(1, d["steps"]["scores"][0][1] + 2)))
    assert first_difference(raw("petit-calcul"), changed("petit-calcul", lambda d: d.__setitem__("seed", 4))) == \
        "« seed » : 4 au lieu de 3"


def with_focus(weights: list[list[int]], best: tuple[int, int]) -> bytes:
    def mutate(d):
        d["focus"]["weights"] = weights
        d["focus"]["best"] = {"layer": best[0], "head": best[1], "weight": weights[best[0] - 1][best[1] - 1]}
    return changed("petit-modele", mutate)


def test_focus_best_may_change_only_between_heads_that_tie_within_tolerance():
    near_tie = with_focus([[15, 104], [386, 385]], (2, 1))
    assert first_difference(near_tie, with_focus([[15, 104], [385, 386]], (2, 2))) is None
    clear_lead = with_focus([[15, 104], [386, 384]], (2, 1))
    assert first_difference(clear_lead, with_focus([[15, 104], [385, 385]], (2, 2))) == (
        "« focus.best » : couche 2, tête 2 au lieu de couche 2, tête 1 "
        "(écart entre ces deux têtes au-delà de la tolérance ±1)")


def test_a_frozen_file_not_in_canonical_form_is_a_difference():
    assert "forme canonique" in first_difference(json.dumps(fixture("petit-modele")).encode(), raw("petit-modele"))


# --- in a real build ---------------------------------------------------------------------------------

def attention_project(tmp_path, chapter_tail: str):
    root = make_project(tmp_path / "projet")
    shutil.copy(FIX / "attention.yaml", root / "content" / "attention.yaml")
    shutil.copytree(FIX / "_freeze", root / "content" / "_freeze")
    chapter = root / "content" / "02-suite.md"
    text = chapter.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + chapter_tail
    chapter.write_text(text, encoding="utf-8")
    line = text.splitlines().index(next(x for x in chapter_tail.splitlines() if x.startswith(":::"))) + 1
    return root, line


FIGURE = '::: {.attention #fig-petit data="petit-modele"}\nUne petite figure.\n:::\n'


def test_build_rejects_stale_data_at_the_figure_line(tmp_path):
    root, line = attention_project(tmp_path, FIGURE)
    specs = root / "content" / "attention.yaml"
    specs.write_text(specs.read_text(encoding="utf-8").replace("Il était fatigué", "Il était très fatigué"),
                     encoding="utf-8")
    result = run_build(root)
    assert result.returncode == 1
    assert f"content/02-suite.md:{line}: données figées périmées pour la figure « petit-modele »" in result.stdout + result.stderr
    assert "python build.py freeze petit-modele" in result.stdout + result.stderr
    assert not (root / "site").exists()


def test_build_rejects_missing_data_with_the_freeze_command(tmp_path):
    root, line = attention_project(tmp_path, FIGURE)
    (root / "content" / "_freeze" / "attention" / "petit-modele.json").unlink()
    result = run_build(root)
    out = result.stdout + result.stderr
    assert result.returncode == 1
    assert f"content/02-suite.md:{line}: données figées de la figure « petit-modele » absentes" in out
    assert "python build.py freeze" in out


def test_build_reports_invalid_data_naming_the_json_file(tmp_path):
    root, _ = attention_project(tmp_path, FIGURE)
    frozen = root / "content" / "_freeze" / "attention" / "petit-modele.json"
    frozen.write_bytes(broken(_unbalance_row))
    result = run_build(root)
    assert result.returncode == 1
    assert "content/_freeze/attention/petit-modele.json: données d'attention invalides" in result.stdout + result.stderr


def test_build_never_imports_the_compute_stack(tmp_path):
    """A build with attention figures works where numpy, torch and transformers cannot be imported."""
    root, _ = attention_project(tmp_path, FIGURE)
    blocker = tmp_path / "bloque"
    blocker.mkdir()
    for name in ("numpy", "torch", "transformers"):
        (blocker / f"{name}.py").write_text(f"raise ImportError('{name} importé pendant la construction')\n")
    env = {**os.environ, "PYTHONPATH": f"{blocker}{os.pathsep}{REPO}"}
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root)], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'data-src="donnees/attention/petit-modele.json"' in (root / "site" / "suite.html").read_text("utf-8")
    assert (root / "site" / "donnees" / "attention" / "petit-modele.json").read_bytes() == \
        (FIX / "_freeze" / "attention" / "petit-modele.json").read_bytes()


# --- freeze keeps files within tolerance, rewrites real changes -------------------------------------

def test_freeze_leaves_files_within_tolerance_untouched_and_rewrites_real_changes(tmp_path, monkeypatch, capsys):
    """The compute step is replaced by perturbed copies of the fixture data: no torch needed."""
    import coursegen.attention.compute as compute
    from coursegen.commands.cli import run_freeze

    root = make_project(tmp_path / "projet")
    shutil.copy(FIX / "attention.yaml", root / "content" / "attention.yaml")
    shutil.copytree(FIX / "_freeze", root / "content" / "_freeze")
    frozen = root / "content" / "_freeze" / "attention"
    amount = {"petit-modele": 1}

    def fake_freeze_all(specs):
        def recomputed(name, data):  # as compute() would: from the specs' current inputs, values nudged
            data["input_hash"] = input_hash(specs[name])
            if data["kind"] == "numpy":
                data["seed"] = specs[name].seed
            return dumps(data)
        model, calcul = fixture("petit-modele"), fixture("petit-calcul")
        shift(model["attention"][0][0][3], amount["petit-modele"])
        shift(calcul["steps"]["weights"][1], 1)
        return {"petit-modele.json": recomputed("petit-modele", model),
                "petit-calcul.json": recomputed("petit-calcul", calcul)}

    monkeypatch.setattr(compute, "freeze_all", fake_freeze_all)
    specs = root / "content" / "attention.yaml"
    specs.write_text(specs.read_text(encoding="utf-8").replace("seed: 3", "seed: 4"), encoding="utf-8")

    # Weights off by one thousandth, same inputs: kept. Another seed (new input_hash): rewritten.
    assert run_freeze(root, []) == 0
    out = capsys.readouterr().out
    assert "content/_freeze/attention/petit-modele.json : inchangé\n" in out
    assert "content/_freeze/attention/petit-calcul.json : mis à jour\n" in out
    assert (frozen / "petit-modele.json").read_bytes() == raw("petit-modele")
    rewritten = load((frozen / "petit-calcul.json").read_bytes(), "petit-calcul.json")
    assert rewritten["seed"] == 4 and rewritten["input_hash"] != fixture("petit-calcul")["input_hash"]

    # Off by two thousandths: a real change, rewritten; the rewritten seed-4 file is now the one kept.
    amount["petit-modele"] = 2
    assert run_freeze(root, []) == 0
    out = capsys.readouterr().out
    assert "content/_freeze/attention/petit-modele.json : mis à jour\n" in out
    assert "content/_freeze/attention/petit-calcul.json : inchangé\n" in out
    assert load((frozen / "petit-modele.json").read_bytes(), "petit-modele.json")["attention"][0][0][3][0] == \
        fixture("petit-modele")["attention"][0][0][3][0] + 2


@pytest.mark.parametrize("data", [b"[" * 200_000, b'{"a": 1' + b"0" * 5000 + b"}"])
def test_a_frozen_file_too_deep_or_with_a_huge_number_is_a_located_error(data):
    with pytest.raises(SiteError) as caught:
        load(data, "content/_freeze/attention/x.json")
    assert str(caught.value).startswith("content/_freeze/attention/x.json: JSON illisible : imbrication trop profonde")
