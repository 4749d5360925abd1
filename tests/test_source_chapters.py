from pathlib import Path

import pytest

from coursegen.config import Config
from coursegen.source.chapters import load_chapters, parse_chapter, slug_for
from coursegen.errors import Problems


def config_for(root: Path, *names: str) -> Config:
    return Config(root=root, title="T", author="A", chapters=tuple(names))


def parse(tmp_path: Path, raw: bytes, name: str = "01-essai.md"):
    (tmp_path / "content").mkdir(exist_ok=True)
    path = tmp_path / "content" / name
    path.write_bytes(raw)
    problems = Problems()
    return parse_chapter(path, config_for(tmp_path, name), problems), [str(p) for p in problems.items]


def test_front_matter_and_body_line(tmp_path):
    chapter, problems = parse(tmp_path, b'---\ntitle: "Essai"\ndescription: "D"\n---\nTexte\n')
    assert problems == []
    assert (chapter.title, chapter.description, chapter.slug, chapter.numbered) == ("Essai", "D", "essai", True)
    assert chapter.body == "Texte\n" and chapter.body_line == 5


def test_bom_and_crlf_work(tmp_path):
    chapter, problems = parse(tmp_path, b'\xef\xbb\xbf---\r\ntitle: "\xc3\x89t\xc3\xa9"\r\n---\r\nA\r\nB\r\n')
    assert problems == []
    assert chapter.title == "Été" and chapter.body == "A\nB\n" and chapter.body_line == 4


def test_malformed_yaml_reports_the_file_line(tmp_path):
    _, problems = parse(tmp_path, b'---\ntitle: "Essai"\ndescription: [non ferme\n---\nTexte\n')
    assert len(problems) == 1
    assert problems[0].startswith("content/01-essai.md:4: YAML invalide")


def test_tab_in_yaml_gets_a_specific_hint(tmp_path):
    _, problems = parse(tmp_path, b'---\ntitle: "Essai"\n\tdescription: x\n---\n')
    assert problems[0].startswith("content/01-essai.md:3: YAML invalide")
    assert "tabulations" in problems[0]


def test_missing_title(tmp_path):
    _, problems = parse(tmp_path, b"---\ndescription: x\n---\nTexte\n")
    assert problems == ["content/01-essai.md:2: « title » manquant dans l'en-tête "
                        "(ajoutez une ligne « title: \"Titre du chapitre\" »)"]


def test_unterminated_front_matter(tmp_path):
    _, problems = parse(tmp_path, b'---\ntitle: "Essai"\nTexte\n')
    assert problems[0].startswith("content/01-essai.md:1: en-tête YAML non terminé")


def test_unknown_key_is_a_warning_with_hint(tmp_path):
    chapter, problems = parse(tmp_path, b'---\ntitle: "Essai"\ndescripton: x\n---\n')
    assert chapter is not None
    assert problems == ["content/01-essai.md:3: avertissement : clé d'en-tête inconnue « descripton » (ignorée) "
                        "(vouliez-vous dire « description » ?)"]


def test_wrong_type(tmp_path):
    _, problems = parse(tmp_path, b'---\ntitle: "Essai"\nnumbered: "non"\n---\n')
    assert problems == ['content/01-essai.md:3: « numbered » doit être true ou false (reçu "non")']


def test_latin1_file_names_the_line(tmp_path):
    _, problems = parse(tmp_path, '---\ntitle: "Essai"\n---\nÉté\n'.encode("latin-1"))
    assert problems[0].startswith("content/01-essai.md:4: le fichier n'est pas encodé en UTF-8")


def test_empty_file(tmp_path):
    _, problems = parse(tmp_path, b"")
    assert problems[0].startswith("content/01-essai.md:1: le fichier est vide")


@pytest.mark.parametrize("name,slug", [("01-les-transformers.md", "les-transformers"), ("preface.md", "preface")])
def test_slug(name, slug):
    assert slug_for(name) == slug


def test_order_comes_from_config_and_duplicates_are_refused(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for name in ("01-b.md", "02-a.md", "03-a.md", "99-oublie.md"):
        (content / name).write_text('---\ntitle: "X"\n---\n', encoding="utf-8")
    problems = Problems()
    chapters = load_chapters(config_for(tmp_path, "02-a.md", "01-b.md", "03-a.md"), problems)
    assert [c.name for c in chapters] == ["02-a.md", "01-b.md"]
    messages = [str(p) for p in problems.items]
    assert "content/03-a.md: l'adresse « a.html » est déjà prise par content/02-a.md (renommez l'un des fichiers)" in messages
    assert "content/99-oublie.md: avertissement : chapitre absent de la liste « chapters » de config.yaml : il " \
        "n'est pas publié (ajoutez-le à « chapters » ou renommez-le en « _99-oublie.md »)" in messages


def test_drafts_are_left_out(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "01-a.md").write_text('---\ntitle: "A"\n---\n', encoding="utf-8")
    (content / "02-b.md").write_text('---\ntitle: "B"\ndraft: true\n---\n', encoding="utf-8")
    problems = Problems()
    chapters = load_chapters(config_for(tmp_path, "01-a.md", "02-b.md"), problems)
    assert [c.slug for c in chapters] == ["a"] and not problems.items


def quarto_page(tmp_path: Path, text: str, name: str = "01_R_Insee/Fiche_api.qmd"):
    from coursegen.source.quarto import Entry

    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    config = Config(root=tmp_path, title="Site", author="", quarto_project="_quarto.yml", content_dir=".",
                    project_type="book")
    problems = Problems()
    return parse_chapter(path, config, problems, Entry(name)), [str(p) for p in problems.items]


def test_quarto_page_takes_its_title_from_the_first_heading(tmp_path):
    text = "```r\n# un commentaire R\n```\n\n# Travailler avec des API {#api .unnumbered}\n\n## Suite\n"
    chapter, problems = quarto_page(tmp_path, text)
    assert problems == []
    assert (chapter.title, chapter.anchor, chapter.numbered, chapter.slug, chapter.url) == (
        "Travailler avec des API", "api", False, "01_R_Insee/Fiche_api", "01_R_Insee/Fiche_api.html")
    assert chapter.body.split("\n")[4] == "" and chapter.body.split("\n")[6] == "## Suite"  # lines kept in place
    assert chapter.name == "01_R_Insee/Fiche_api.qmd" and chapter.quarto


def test_quarto_front_matter_title_wins(tmp_path):
    chapter, problems = quarto_page(tmp_path, '---\ntitle: "Titre"\n---\n\n# Une section\n', "a.qmd")
    assert problems == [] and chapter.title == "Titre" and chapter.body == "\n# Une section\n"


def test_quarto_page_without_title_warns_and_uses_its_name(tmp_path):
    chapter, problems = quarto_page(tmp_path, "Du texte seulement.\n", "notes_de-cours.qmd")
    assert chapter.title == "notes de cours"
    assert problems == ["notes_de-cours.qmd:1: avertissement : page sans titre (ni « title: » dans l'en-tête, "
                        "ni titre « # ») (ajoutez « # Titre » en tête de la page ; en attendant : « notes de cours »)"]
    home, problems = quarto_page(tmp_path, "Bienvenue.\n", "index.qmd")
    assert home.title == "Site" and problems == []


def test_quarto_file_name_with_a_space_is_refused(tmp_path):
    chapter, problems = quarto_page(tmp_path, "# T\n", "mon fichier.qmd")
    assert chapter is None
    assert problems == ["mon fichier.qmd: nom « mon fichier » inutilisable dans l'adresse de la page (renommez le "
                        "fichier ou le dossier avec des lettres, des chiffres, « - », « _ » ou « . », sans espace)"]


def test_quarto_page_without_level_one_heading_takes_the_first_heading(tmp_path):
    chapter, problems = quarto_page(tmp_path, "Texte.\n\n## Le vrai titre {#titre}\n\n## Ensuite\n", "b.qmd")
    assert problems == [] and (chapter.title, chapter.anchor) == ("Le vrai titre", "titre")
    assert chapter.body == "Texte.\n\n\n\n## Ensuite\n"


def test_keys_quarto_defines_are_accepted_silently(tmp_path):
    chapter, problems = parse(tmp_path, (
        '---\ntitle: "Essai"\ntoc: true\ntoc-depth: 2\nlang: fr\nexecute:\n  echo: false\nformat:\n  html:\n'
        '    code-fold: true\ncategories: [R, style]\nimage: a.png\n'
        'keywords: [a]\neditor: visual\nengine: knitr\njupyter: python3\nknitr:\n  opts_chunk:\n    echo: false\n'
        'filters: [x.lua]\nabstract: "Résumé"\neval: false\ncode-fold: show\norder: 2\n---\nTexte\n').encode())
    assert chapter is not None and problems == []


def test_a_key_quarto_does_not_define_is_still_a_warning_unless_a_meta_shortcode_reads_it(tmp_path):
    _, problems = parse(tmp_path, b'---\ntitle: "Essai"\nbrouillon: 1\nclef: 1\n---\nTexte {{< meta clef >}}\n')
    assert problems == ["content/01-essai.md:3: avertissement : clé d'en-tête inconnue « brouillon » (ignorée)"]


def test_subtitle_authors_and_date_as_quarto_writes_them(tmp_path):
    chapter, problems = parse(tmp_path, (
        '---\ntitle: "Essai"\nsubtitle: "Sous-titre"\nauthor:\n  - name: Ada Lovelace\n  - Grace Hopper\n'
        '  - name:\n      given: Alan\n      family: Turing\ndate: 2024-03-01\n---\n').encode())
    assert problems == []
    assert (chapter.subtitle, chapter.authors, chapter.date) == \
        ("Sous-titre", ("Ada Lovelace", "Grace Hopper", "Alan Turing"), "1er mars 2024")
    assert chapter.title_line == 2 and chapter.meta["subtitle"] == "Sous-titre"
    chapter, _ = parse(tmp_path, b'---\ntitle: "Essai"\nauthor: "Une autrice"\ndate: "printemps 2024"\n---\n')
    assert (chapter.authors, chapter.date) == (("Une autrice",), "printemps 2024")


def test_a_date_of_the_build_is_not_shown(tmp_path):
    chapter, problems = parse(tmp_path, b'---\ntitle: "Essai"\ndate: last-modified\n---\n')
    assert chapter.date == ""
    assert problems == ["content/01-essai.md:3: avertissement : « date: last-modified » non affichée : la page ne "
                        "dépend pas du jour de construction (écrivez la date elle-même : date: 2024-01-15)"]


def test_number_sections_false_makes_the_page_unnumbered(tmp_path):
    chapter, problems = parse(tmp_path, b'---\ntitle: "Essai"\nnumber-sections: false\n---\n')
    assert problems == [] and chapter.numbered is False
    chapter, problems = parse(tmp_path, b'---\ntitle: "Essai"\nnumber-sections: "non"\n---\n')
    assert problems == ['content/01-essai.md:3: « number-sections » doit être true ou false (reçu "non")']


def test_the_title_is_kept_as_written_for_the_parser(tmp_path):
    chapter, _ = parse(tmp_path, b'---\ntitle: "Un script `R` : vite"\ndescription: "Le `a : b`"\n---\n')
    assert (chapter.title, chapter.description) == ("Un script `R` : vite", "Le `a : b`")


def test_the_hint_for_an_unknown_key_names_a_key_authors_write(tmp_path):
    _, problems = parse(tmp_path, b'---\ntitle: "Essai"\nwebsite: /x.html\nsous-titre: "S"\n---\n')
    assert problems == ["content/01-essai.md:3: avertissement : clé d'en-tête inconnue « website » (ignorée)",
                        "content/01-essai.md:4: avertissement : clé d'en-tête inconnue « sous-titre » (ignorée) "
                        "(vouliez-vous dire « subtitle » ?)"]


def test_toc_keys_are_typed(tmp_path):
    _, problems = parse(tmp_path, b'---\ntitle: "Essai"\ntoc-depth: deux\n---\n')
    assert problems == ['content/01-essai.md:3: « toc-depth » doit être un nombre entier (reçu "deux")']


def test_a_website_page_takes_no_lower_heading_as_title(tmp_path):
    from coursegen.source.quarto import Entry

    (tmp_path / "index.qmd").write_text("::: {.hero}\nTexte\n:::\n\n## Une section\n", encoding="utf-8")
    config = Config(root=tmp_path, title="Site", author="", quarto_project="_quarto.yml", content_dir=".",
                    project_type="website")
    problems = Problems()
    home = parse_chapter(tmp_path / "index.qmd", config, problems, Entry("index.qmd"))
    assert home.title == "Site" and "## Une section" in home.body and problems.items == []
