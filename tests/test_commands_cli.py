from conftest import run_build


def test_summary_line_in_french(project):
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Site construit dans site/ : 4 pages, 0 avertissement, ")
    assert result.stdout.rstrip().endswith(" s.")


def test_usage_error_exits_2(project):
    result = run_build(project, "publier")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr or "choix" in result.stderr


def test_output_option_refuses_the_project_itself(project):
    result = run_build(project, "--output", str(project))
    assert result.returncode == 1
    assert "--output: le dossier de sortie" in result.stderr


def test_output_option_builds_elsewhere(project, tmp_path):
    out = tmp_path / "ailleurs"
    result = run_build(project, "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / "index.html").is_file() and not (project / "site").exists()


def test_check_lists_external_links_and_writes_nothing(project):
    result = run_build(project, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "content/02-suite.md:4: lien externe (non vérifié) : https://arxiv.org/abs/1706.03762" in result.stdout
    assert not (project / "site").exists()


def test_counts_agree_in_french():
    from coursegen.commands.cli import _plural

    assert [_plural(n, "lien externe") for n in (0, 1, 44)] == ["0 lien externe", "1 lien externe",
                                                                 "44 liens externes"]
