"""Frozen attention data: stable bytes, strict validation in French, stale and missing data at build time."""

import copy
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import FIXTURES, REPO, make_project, run_build
from coursegen.attention.frozen import SCHEMA_VERSION, AttentionError, check_fresh, dumps, load
from coursegen.attention.specs import load_specs
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
    with pytest.raises(AttentionError) as info:
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
