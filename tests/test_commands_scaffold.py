"""``new``: the next chapter file with its front matter, listed in config.yaml with comments kept."""

from conftest import run_build


def test_new_chapter_is_created_listed_and_builds(project):
    config = project / "config.yaml"
    before = config.read_text(encoding="utf-8")
    result = run_build(project, "new", "Les plongements : « embeddings » et au-delà")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("Chapitre créé : content/03-les-plongements-embeddings-et-au-dela.md "
                             "(ajouté à « chapters » de config.yaml).\n")
    after = config.read_text(encoding="utf-8")
    assert after == before.replace("  - 02-suite.md\n", "  - 02-suite.md\n  - 03-les-plongements-embeddings-et-au-dela.md\n")
    text = (project / "content" / "03-les-plongements-embeddings-et-au-dela.md").read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "Les plongements : « embeddings » et au-delà"\ndescription: ""\n---\n')
    built = run_build(project, "--strict")
    assert built.returncode == 0, built.stderr
    assert (project / "site" / "les-plongements-embeddings-et-au-dela.html").is_file()


def test_new_refuses_an_existing_file_and_an_empty_title(project):
    (project / "content" / "03-la-suite.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    result = run_build(project, "new", "La suite")
    assert result.returncode == 1
    assert result.stderr == "content/03-la-suite.md: ce fichier existe déjà (choisissez un autre titre)\n"
    assert run_build(project, "new", "  ").stderr.startswith("new: titre vide")
    assert run_build(project, "new").returncode == 2
