"""Citations formatted by Pandoc's citeproc (coursegen/pages/cite.py), on a project of our own writing."""

import json
import re

import pytest

from conftest import make_project, run_build
from coursegen.errors import SiteError
from coursegen.pages.cite import french_html, run_citeproc
from coursegen.source.bibliography import Bibliography


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("cite") / "projet", "quarto/constructs")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    return root / "site"


def article(site, page: str) -> str:
    text = (site / page).read_text(encoding="utf-8")
    return text[text.index("<article"):text.index("</article>")]


def test_citations_are_formatted_in_french_author_date(site):
    body = article(site, "01-citations.html")
    assert '<a href="#ref-martin2021" role="doc-biblioref">Martin 2021, 33</a>' in body     # locator
    assert "(voir <a" in body and "Durand et al. 2019</a>\u202f; <a" in body                   # prefix, French ;
    assert re.search(r'data-cites="durand2019">Durand et al\. \(<a [^>]*>2019</a>\)</span> montre', body)
    assert '<span class="citation" data-cites="roux2023">(<a href="#ref-roux2023" role="doc-biblioref">2023</a>)' in body


def test_references_go_into_the_refs_div_once_sorted(site):
    body = article(site, "01-citations.html")
    assert body.count('id="refs"') == 1 and "references-titre" not in body  # the author's place, no second title
    assert re.findall(r'id="ref-([^"]+)"', body) == ["durand2019", "martin2021", "roux2023"]
    assert "édité par Hugo Blanc" in body and "«\u202fAttention et mémoire dans les réseaux de neurones\u202f»" in body
    assert body.index("Bibliographie") < body.index('id="refs"')


def test_no_citation_text_left_and_e_mail_kept(site):
    body = article(site, "01-citations.html")
    assert "[@" not in body and "@martin2021" not in body
    assert "contact@exemple.fr" in body


def write(root, rel, text):
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text, encoding="utf-8")


def test_references_section_appended_when_no_refs_div(project):
    write(project, "content/refs.json", json.dumps([{"id": "lefort", "type": "book", "title": "Un livre",
                                                     "author": [{"family": "Lefort", "given": "Anne"}],
                                                     "issued": {"date-parts": [[2018]]}}]))
    write(project, "content/02-suite.md", '---\ntitle: "La suite"\nbibliography: refs.json\n---\n'
                                          "Selon @lefort, c'est clair.\n\n## Fin\n\nTexte.\n")
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    body = article(project / "site", "suite.html")
    assert 'Lefort (<a href="#ref-lefort" role="doc-biblioref">2018</a>)' in body
    assert body.rstrip().endswith("</section>")
    assert '<h2 id="references-titre">Références</h2>' in body and body.index("Fin") < body.index("Références")


def test_unknown_key_is_a_warning_at_its_line_and_never_a_dead_link(tmp_path):
    (tmp_path / "refs.bib").write_text("@book{connu, author={A, B}, title={T}, year={2000}}\n", encoding="utf-8")
    done = run_citeproc(["[@connu]", "[@inconnu]"], Bibliography(("refs.bib",)), tmp_path)
    assert done.unknown == {"inconnu"}
    assert "#ref-connu" in done.cites[0] and "href" not in done.cites[1] and "inconnu?" in done.cites[1]


def test_malformed_bib_is_located_in_the_bib_file(tmp_path):
    (tmp_path / "refs.bib").write_text("@book{a, title={T}\n\n@book{b,\n", encoding="utf-8")
    with pytest.raises(SiteError) as caught:
        run_citeproc(["[@a]"], Bibliography(("refs.bib",)), tmp_path)
    assert (caught.value.path, caught.value.line) == ("refs.bib", 3)
    assert caught.value.message.startswith("bibliographie illisible")


def test_french_html_touches_text_only():
    assert french_html('<a href="#x;y">voir</a> A; B &amp; C') == '<a href="#x;y">voir</a> A\u202f; B &amp; C'


def test_citeproc_runs_again_only_when_citations_or_bibliography_change(tmp_path, monkeypatch):
    from coursegen.pages import cite
    from coursegen.pipeline import build_project

    root = make_project(tmp_path / "projet", "quarto/constructs")
    calls = []
    real = cite.run_citeproc
    monkeypatch.setattr(cite, "run_citeproc", lambda *args: calls.append(args[0]) or real(*args))
    assert not build_project(root).problems.errors and len(calls) == 1
    page = root / "content" / "03-structure.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Structure des pages", "Structure"), encoding="utf-8")
    build_project(root)   # every page is rendered again (the navigation changed), citeproc is not run again
    assert len(calls) == 1 and "Structure</a>" in (root / "site" / "01-citations.html").read_text(encoding="utf-8")
    bib = root / "content" / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("Claire", "Clara"), encoding="utf-8")
    build_project(root)
    assert len(calls) == 2 and "Martin, Clara. 2021." in (root / "site" / "01-citations.html").read_text(encoding="utf-8")
