"""``_variables.yml`` and the ``var`` / ``meta`` shortcodes, replaced in the source before parsing; includes
relative to the including file's folder, as Quarto reads them."""

from pathlib import Path

from coursegen.config import Config
from coursegen.errors import Problems
from coursegen.source.chapters import parse_chapter
from coursegen.source.includes import expand_includes
from coursegen.source.values import ProjectValues, load_values, replace_values

PROJECT = ProjectValues({"version": 1.2, "ok": True, "email": {"info": "info@exemple.fr"}, "liste": [1, 2],
                         "lien": "[Quarto](https://quarto.org)"}, {"book": {"title": "Le livre"}, "lang": "fr"},
                        "content/_variables.yml", True)


def replaced(text: str, page: dict | None = None, project: ProjectValues = PROJECT) -> tuple[str, list[str]]:
    problems = Problems()
    return replace_values(text, page or {}, project, "content/01-a.md", 7, problems), [str(p) for p in problems.items]


def test_variables_with_dotted_names():
    assert replaced("v{{< var version >}}, {{< var email.info >}}, {{<var ok>}}") == \
        ("v1.2, info@exemple.fr, true", [])
    assert replaced("Voir {{< var lien >}}.") == ("Voir [Quarto](https://quarto.org).", [])  # Markdown, as in Quarto


def test_meta_reads_the_page_then_the_project():
    page = {"title": "Titre de page", "lang": "en", "params": {"n": 3}}
    assert replaced("{{< meta title >}} / {{< meta lang >}} / {{< meta params.n >}} / {{< meta book.title >}}",
                    page) == ("Titre de page / en / 3 / Le livre", [])


def test_escaped_shortcodes_are_left_for_the_parser():
    assert replaced("{{{< var version >}}} et {{< var version >}}") == ("{{{< var version >}}} et 1.2", [])


def test_a_missing_variable_is_a_warning_at_its_line_and_shows_its_name():
    assert replaced("v{{< var versoin >}}.") == (
        "v?var:versoin.", ["content/01-a.md:7: avertissement : « {{< var versoin >}} » : « versoin » introuvable dans "
                           "content/_variables.yml (ajoutez « versoin: … » à content/_variables.yml)"])
    text, problems = replaced("{{< var x >}}", project=ProjectValues())
    assert text == "?var:x" and problems[0].endswith("(créez _variables.yml avec une ligne « x: … »)")
    assert replaced("{{< meta auteur >}}", {"title": "T"})[1] == [
        "content/01-a.md:7: avertissement : « {{< meta auteur >}} » : « auteur » introuvable dans l'en-tête de la "
        "page ni dans _quarto.yml (ajoutez « auteur: … » à l'en-tête de la page)"]


def test_a_list_or_a_mapping_is_no_text():
    text, problems = replaced("{{< var email >}} {{< var liste >}}")
    assert text == "?var:email ?var:liste" and len(problems) == 2
    assert "la valeur de « email » n'est pas un texte (liste ou dictionnaire)" in problems[0]


def project(tmp_path: Path, variables: str | None, chapter: str = "---\ntitle: T\n---\nTexte.\n") -> Config:
    content = tmp_path / "content"
    content.mkdir(parents=True, exist_ok=True)
    if variables is not None:
        (content / "_variables.yml").write_text(variables, encoding="utf-8")
    (content / "01-a.md").write_text(chapter, encoding="utf-8")
    return Config(root=tmp_path, title="T", author="A", chapters=("01-a.md",))


def test_variables_file_in_the_content_folder(tmp_path):
    problems = Problems()
    values = load_values(project(tmp_path, "version: 1.2\nlogiciel:\n  nom: Quarto\n"), problems)
    assert (values.variables, values.variables_file, values.has_variables) == \
        ({"version": 1.2, "logiciel": {"nom": "Quarto"}}, "content/_variables.yml", True)
    assert problems.items == []
    assert load_values(project(tmp_path / "vide", None), problems).has_variables is False


def test_a_bad_variables_file_is_an_error_at_its_line(tmp_path):
    problems = Problems()
    load_values(project(tmp_path, "version: 1.2\nnom: [Quarto\n"), problems)
    assert [str(p) for p in problems.items][0].startswith("content/_variables.yml:3: YAML invalide")
    problems = Problems()
    load_values(project(tmp_path, "- un\n- deux\n"), problems)
    assert [str(p) for p in problems.items] == [
        "content/_variables.yml:1: le fichier doit contenir des paires « nom: valeur » "
        "(écrivez par exemple « version: 1.2 », une variable par ligne)"]


def test_values_in_title_body_and_code_and_includes_from_the_including_folder(tmp_path):
    config = project(tmp_path, "v: 2\n", '---\ntitle: "Guide {{< var v >}}"\nclef: K\n---\n'
                     "Texte {{< meta clef >}}.\n\n```\nv{{< var v >}}\n```\n\n{{< include parties/_a.md >}}\n")
    (tmp_path / "content" / "parties").mkdir()
    (tmp_path / "content" / "parties" / "_a.md").write_text("A {{< var v >}}\n\n{{< include _b.md >}}\n",
                                                           encoding="utf-8")
    (tmp_path / "content" / "parties" / "_b.md").write_text("B {{< var absente >}}\n", encoding="utf-8")
    problems = Problems()
    chapter = parse_chapter(tmp_path / "content" / "01-a.md", config, problems)
    chapter, source_map = expand_includes(chapter, tmp_path, problems, load_values(config, problems))
    assert chapter.title == "Guide 2"
    assert chapter.body == "Texte K.\n\n```\nv2\n```\n\nA 2\n\nB ?var:absente\n"
    # the key read by {{< meta clef >}} is not reported unknown; the missing variable is, in the included file
    assert [str(p) for p in problems.items] == [
        "content/parties/_b.md:1: avertissement : « {{< var absente >}} » : « absente » introuvable dans "
        "content/_variables.yml (ajoutez « absente: … » à content/_variables.yml)"]
    assert source_map.locate(5 + 8) == ("content/parties/_b.md", 1)


def test_an_include_starting_with_a_slash_starts_at_the_project_folder(tmp_path):
    config = project(tmp_path, None, "---\ntitle: T\n---\n{{< include /parties/_a.md >}}\n")
    (tmp_path / "content" / "parties").mkdir()
    (tmp_path / "content" / "parties" / "_a.md").write_text("A\n", encoding="utf-8")
    problems = Problems()
    chapter = parse_chapter(tmp_path / "content" / "01-a.md", config, problems)
    chapter, _ = expand_includes(chapter, tmp_path, problems, load_values(config, problems))
    assert chapter.body == "A\n" and problems.items == []


def test_values_inside_values_a_few_levels_deep():
    page = {"title": "Guide {{< var version >}}", "boucle": "{{< meta boucle >}}"}
    assert replaced("{{< meta title >}}", page) == ("Guide 1.2", [])
    text, problems = replaced("{{< meta boucle >}}", page)
    assert text == "{{< meta boucle >}}" and problems == []


def test_an_included_pages_front_matter_is_left_out(tmp_path):
    config = project(tmp_path, None, "---\ntitle: T\n---\nAvant.\n\n{{< include _a.qmd >}}\n")
    (tmp_path / "content" / "_a.qmd").write_text("---\ntitle: Partie\n---\nTexte de {{< meta title >}}.\n",
                                                encoding="utf-8")
    problems = Problems()
    chapter = parse_chapter(tmp_path / "content" / "01-a.md", config, problems)
    chapter, source_map = expand_includes(chapter, tmp_path, problems, load_values(config, problems))
    assert chapter.body == "Avant.\n\nTexte de T.\n" and problems.items == []
    assert source_map.locate(4 + 2) == ("content/_a.qmd", 4)


def test_a_variables_file_linked_from_elsewhere_is_refused(tmp_path):
    secret = tmp_path / "ailleurs.yml"
    secret.write_text("x: SECRET\n", encoding="utf-8")
    root = tmp_path / "projet"
    (root / "content").mkdir(parents=True)
    (root / "content" / "_variables.yml").symlink_to(secret)
    problems = Problems()
    values = load_values(Config(root=root, title="T", author=""), problems)
    assert values.variables == {}
    assert [(p.path, p.message) for p in problems.items] == [
        ("content/_variables.yml", "« _variables.yml » mène hors du projet (ignoré)")]
