"""What the build derives for publication: sitemap, robots.txt, CNAME, social image, Open Graph tags,
llms.txt and the Markdown copies; the build-time site_url (--site-url, ATELIER_SITE_URL)."""

from __future__ import annotations

import re
import struct
from pathlib import Path

from conftest import make_project, run_build


def set_key(root: Path, key: str, value: str | None) -> None:
    """Replace (or remove, with None, or append) one top-level key of the project's config.yaml."""
    config = root / "config.yaml"
    text = config.read_text(encoding="utf-8")
    line = f"{key}: {value}\n" if value is not None else ""
    if re.search(rf"(?m)^{key}:", text):
        text = re.sub(rf"(?m)^{key}:.*\n", line, text)
    else:
        text += line
    config.write_text(text, encoding="utf-8")


def meta(html: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', html)}


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_publication_files_with_a_site_url(project):
    result = run_build(project, "--strict")
    assert result.returncode == 0, result.stderr
    site = project / "site"
    assert (site / ".nojekyll").read_bytes() == b""
    assert (site / "robots.txt").read_text() == (
        "User-agent: *\nAllow: /\nSitemap: https://exemple.github.io/cours-essai/sitemap.xml\n")
    locs = re.findall(r"<loc>([^<]+)</loc>", (site / "sitemap.xml").read_text())
    assert locs == ["https://exemple.github.io/cours-essai/"] + [
        f"https://exemple.github.io/cours-essai/{p}.html" for p in ("avant-propos", "bases", "suite", "glossaire")]
    assert not (site / "CNAME").exists()


def test_open_graph_and_twitter_card(project):
    assert run_build(project).returncode == 0
    site = project / "site"
    chapter = (site / "bases.html").read_text(encoding="utf-8")
    tags = meta(chapter)
    assert '<link rel="canonical" href="https://exemple.github.io/cours-essai/bases.html">' in chapter
    assert tags["og:title"] == tags["twitter:title"] == "Les bases – Cours d’essai"
    assert tags["og:description"] == tags["twitter:description"] == "Titres, listes, tableaux, code et formules."
    assert tags["og:url"] == "https://exemple.github.io/cours-essai/bases.html"
    assert tags["og:image"] == tags["twitter:image"] == "https://exemple.github.io/cours-essai/static/social.png"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["og:locale"] == "fr_FR" and tags["og:type"] == "article"
    assert tags["twitter:card"] == "summary_large_image"
    home = meta((site / "index.html").read_text(encoding="utf-8"))
    assert home["og:title"] == "Cours d’essai" and home["og:type"] == "website"
    assert home["og:url"] == "https://exemple.github.io/cours-essai/"
    assert home["og:description"] == "Un cours minuscule qui exerce toutes les constructions du générateur."
    not_found = meta((site / "404.html").read_text(encoding="utf-8"))
    assert "og:url" not in not_found and not_found["og:image"].endswith("/static/social.png")
    assert '<link rel="icon" href="static/favicon.svg" type="image/svg+xml">' in chapter


def test_social_image_is_a_deterministic_1200x630_png(project, tmp_path):
    from coursegen.output.social import social_png

    assert run_build(project).returncode == 0
    data = (project / "site" / "static" / "social.png").read_bytes()
    assert png_size(data) == (1200, 630)
    assert b"tIME" not in data and b"tEXt" not in data
    first = social_png("Cours d’essai", "Sous-titre")
    social_png.cache_clear()
    assert social_png("Cours d’essai", "Sous-titre") == first       # drawn again, same bytes
    assert social_png("Cours d’essai") != social_png("Cours d’été")
    other = make_project(tmp_path / "autre")
    assert run_build(other).returncode == 0
    assert (other / "site" / "static" / "social.png").read_bytes() == data


def test_social_image_draws_french_accents_not_missing_glyph_boxes():
    from coursegen.output.social import BOLD, REGULAR, drawable

    french = "Révolution à l’été : « œuvre » ÉÀÇÈÊÎÔÛ éèêëàâîïôùûüçœæ…–—\u202f\u00a0€"
    for font in (BOLD, REGULAR):
        assert drawable(french, font) == (french, [])
    assert drawable("Σ-ő", BOLD) == ("-o", ["Σ", "ő"])


def test_a_title_the_image_font_cannot_draw_is_a_warning(project):
    set_key(project, "title", '"Cours Σ"')
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    assert "config.yaml: avertissement : « title » : caractère(s) absent(s) de la police de l'image sociale : Σ" \
        in result.stderr
    again = run_build(project, "--strict")  # the glyph lookup now comes from the cache: same warning
    assert again.returncode == 1
    assert "« title » : caractère(s) absent(s) de la police de l'image sociale : Σ" in again.stderr


def test_cname_file_for_a_custom_domain(project):
    set_key(project, "site_url", '"https://cours.exemple.fr/"')
    set_key(project, "cname", "Cours.Exemple.fr")
    result = run_build(project, "--strict")
    assert result.returncode == 0, result.stderr
    site = project / "site"
    assert (site / "CNAME").read_text() == "cours.exemple.fr\n"
    assert 'href="/static/site.css"' in (site / "404.html").read_text(encoding="utf-8")


def test_invalid_cname_is_an_error_at_its_line(project):
    set_key(project, "cname", "https://cours.exemple.fr/")
    result = run_build(project)
    assert result.returncode == 1
    line = next(i for i, text in enumerate((project / "config.yaml").read_text().splitlines(), 1)
                if text.startswith("cname:"))
    assert (f"config.yaml:{line}: « cname » : nom de domaine invalide « https://cours.exemple.fr/ » "
            "(indiquez le domaine seul, sans https:// ni chemin, par exemple cours.exemple.fr)") in result.stderr
    assert "Traceback" not in result.stderr


def test_cname_and_site_url_on_different_domains_is_a_warning(project):
    set_key(project, "cname", "cours.exemple.fr")
    result = run_build(project)
    assert result.returncode == 0
    assert "config.yaml: avertissement : « cname » (cours.exemple.fr) ne correspond pas" in result.stderr
    assert run_build(project, "--strict").returncode == 1


def test_without_site_url_no_sitemap_no_absolute_image(project):
    set_key(project, "site_url", None)
    result = run_build(project, "--strict")
    assert result.returncode == 0, result.stderr
    site = project / "site"
    assert not (site / "sitemap.xml").exists() and not (site / "robots.txt").exists()
    tags = meta((site / "bases.html").read_text(encoding="utf-8"))
    assert "og:image" not in tags and "og:url" not in tags and tags["twitter:card"] == "summary"
    assert tags["og:title"] == "Les bases – Cours d’essai"
    assert "- [1 Les bases](bases.md): Titres, listes, tableaux, code et formules." in \
        (site / "llms.txt").read_text(encoding="utf-8")


def test_llms_txt_and_markdown_copies(project):
    assert run_build(project).returncode == 0
    site = project / "site"
    assert (site / "llms.txt").read_text(encoding="utf-8") == (
        "# Cours d’essai\n\n"
        "> Un cours minuscule qui exerce toutes les constructions du générateur.\n\n"
        "Un cours minuscule pour les tests. Auteur\u00a0: Équipe Atelier. Édition du 1er novembre 2026.\n\n"
        "Chaque chapitre est publié en page web et en Markdown brut ; les liens ci-dessous mènent au Markdown.\n\n"
        "## Chapitres\n\n"
        "- [Avant-propos](https://exemple.github.io/cours-essai/avant-propos.md): Pourquoi ce cours d’essai existe.\n"
        "- [1 Les bases](https://exemple.github.io/cours-essai/bases.md): Titres, listes, tableaux, code et formules.\n"
        "- [2 La suite](https://exemple.github.io/cours-essai/suite.md)\n\n"
        "## Glossaire\n\n"
        "- [Glossaire](https://exemple.github.io/cours-essai/glossaire.md): les termes du cours et leur définition\n")
    assert (site / "glossaire.md").read_text(encoding="utf-8").startswith(
        "# Glossaire\n\n**attention** (*attention*)\n: Mécanisme qui pondère les autres mots d’une séquence.\n")
    source = (project / "content" / "01-bases.md").read_text(encoding="utf-8")
    copy = (site / "bases.md").read_text(encoding="utf-8")
    assert copy.startswith("# 1 Les bases\n\nUn paragraphe avec du `code en ligne ; intact ?`")
    assert "title:" not in copy and "\n---\n" not in copy[:200]
    assert copy.endswith("\n") and not copy.endswith("\n\n")
    assert "[chapitre suivant](02-suite.md)" in source and "[chapitre suivant](suite.md)" in copy
    assert "](avant-propos.md#sec-conventions)" in (site / "suite.md").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="text/markdown" href="bases.md">' in \
        (site / "bases.html").read_text(encoding="utf-8")


def test_site_url_option_replaces_the_config_key(project):
    result = run_build(project, "--strict", "--site-url", "https://cours.exemple.fr")
    assert result.returncode == 0, result.stderr
    site = project / "site"
    assert '<link rel="canonical" href="https://cours.exemple.fr/bases.html">' in \
        (site / "bases.html").read_text(encoding="utf-8")
    assert "<loc>https://cours.exemple.fr/suite.html</loc>" in (site / "sitemap.xml").read_text()
    assert 'href="/static/site.css"' in (site / "404.html").read_text(encoding="utf-8")


def test_site_url_from_the_environment(project, monkeypatch):
    monkeypatch.setenv("ATELIER_SITE_URL", "https://moi.github.io/depot")
    result = run_build(project, "--strict")
    assert result.returncode == 0, result.stderr
    assert 'href="/depot/static/site.css"' in (project / "site" / "404.html").read_text(encoding="utf-8")
    monkeypatch.setenv("ATELIER_SITE_URL", "")  # empty: config.yaml's value stays
    assert run_build(project, "--strict").returncode == 0
    assert 'href="/cours-essai/static/site.css"' in (project / "site" / "404.html").read_text(encoding="utf-8")


def test_invalid_site_url_override_names_its_source(project, monkeypatch):
    result = run_build(project, "--site-url", "ftp://exemple.fr/x")
    assert result.returncode == 1
    assert ("--site-url: adresse du site invalide « ftp://exemple.fr/x » "
            "(exemple : https://utilisateur.github.io/atelier-llm/)") in result.stderr
    monkeypatch.setenv("ATELIER_SITE_URL", "exemple.github.io/depot")
    result = run_build(project)
    assert result.returncode == 1
    assert "ATELIER_SITE_URL: adresse du site invalide « exemple.github.io/depot »" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "site").exists()
