import datetime as dt
from pathlib import Path

import pytest

from coursegen.config import load_config
from coursegen.errors import Problems

VALID = """title: "Cours"
author: "A. Autrice"
date: 2026-11-26
site_url: "https://user.github.io/atelier-llm"
chapters:
  - 01-a.md
"""


def load(tmp_path: Path, text: str):
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    problems = Problems()
    return load_config(tmp_path, problems), [str(p) for p in problems.items]


def test_valid_config_is_typed_and_normalised(tmp_path):
    config, problems = load(tmp_path, VALID)
    assert problems == []
    assert config.date == dt.date(2026, 11, 26)
    assert config.date_fr == "26 novembre 2026"
    assert config.site_url == "https://user.github.io/atelier-llm/"
    assert config.base_path == "/atelier-llm/"
    assert config.chapters == ("01-a.md",)


def test_first_of_month_is_written_1er(tmp_path):
    config, _ = load(tmp_path, VALID.replace("2026-11-26", "2026-08-01"))
    assert config.date_fr == "1er août 2026"


def test_unknown_key_names_line_and_suggests(tmp_path):
    config, problems = load(tmp_path, VALID + "langage: fr\n")
    assert config is None
    assert problems == ["config.yaml:7: clé inconnue « langage » (vouliez-vous dire « language » ?)"]


def test_wrong_type_names_line(tmp_path):
    config, problems = load(tmp_path, VALID.replace('title: "Cours"', "title: [1, 2]"))
    assert config is None
    assert problems == ["config.yaml:1: « title » doit être un texte (reçu [1, 2])"]


@pytest.mark.parametrize("date", ['"Invalid Date"', '"26/11/2026"', '"2026-13-01"'])
def test_unparsable_date_is_an_error(tmp_path, date):
    config, problems = load(tmp_path, VALID.replace("2026-11-26", date))
    assert config is None
    assert len(problems) == 1 and problems[0].startswith("config.yaml:3: date illisible")
    assert "AAAA-MM-JJ" in problems[0]


def test_missing_required_key(tmp_path):
    config, problems = load(tmp_path, VALID.replace('author: "A. Autrice"\n', ""))
    assert config is None
    assert problems == ["config.yaml:1: clé obligatoire « author » absente (ajoutez « author: … »)"]


def test_output_dir_may_not_contain_content(tmp_path):
    config, problems = load(tmp_path, VALID + 'output_dir: "."\n')
    assert config is None
    assert any("dossier de sortie" in p for p in problems)


def test_yaml_syntax_error_is_located(tmp_path):
    config, problems = load(tmp_path, 'title: "Cours\nauthor: x\n')
    assert config is None
    assert problems[0].startswith("config.yaml:")
    assert "YAML invalide" in problems[0]


def test_only_french_is_supported(tmp_path):
    config, problems = load(tmp_path, VALID + "language: en\n")
    assert config is None
    assert problems == ["config.yaml:7: langue « en » non prise en charge (seul « fr » est disponible pour l'instant)"]
