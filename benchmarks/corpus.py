"""A deterministic synthetic French course, laid out for our tool, for MkDocs Material and for Hugo.

Every page is generated from ``random.Random(page_number)``: the same N gives the same bytes on every
machine and every run. The three layouts share the very same Markdown files; only the project around
them differs (``config.yaml`` + ``templates/``, ``mkdocs.yml`` with the full ``nav``, or ``hugo.toml``
with two minimal themes: ``nav`` lists every page and its sections in the navigation of every page, as
our sidebar does; ``nonav`` has no navigation at all).
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

WORDS = (
    "attention modèle langage jeton couche tête vecteur requête clé valeur poids apprentissage réseau "
    "neurone entraînement corpus phrase contexte séquence position encodeur décodeur probabilité "
    "gradient perte optimisation paramètre dimension matrice produit score normalisation résiduel "
    "prédiction génération traduction résumé question réponse exemple donnée évaluation mesure biais "
    "calcul mémoire inférence échelle version architecture mécanisme représentation espace distance "
    "similarité fenêtre lecture mot sens texte français anglais chercheur laboratoire article"
).split()
LINKERS = "et ou mais donc car puis ainsi alors enfin aussi avec sans pour dans sur entre sous vers chez".split()
TOPICS = (
    "l'attention multi-têtes", "les plongements lexicaux", "l'encodage positionnel", "la normalisation",
    "le mécanisme de requête et de clé", "l'entraînement à grande échelle", "la génération de texte",
    "l'évaluation des modèles", "les biais des données", "le réglage fin", "l'inférence efficace",
    "la tokenisation en sous-mots", "les lois d'échelle", "l'alignement des modèles",
)
INLINE_MATH = (r"d_k = 64", r"\sqrt{d_k}", r"Q K^\top", r"\alpha_{ij}", r"x \in \mathbb{R}^{d}",
               r"p(w_t \mid w_{<t})")
DISPLAY_MATH = (
    r"\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\left(\frac{Q K^\top}{\sqrt{d_k}}\right) V",
    r"\mathrm{softmax}(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}}",
    r"\mathcal{L} = -\sum_{t=1}^{T} \log p(w_t \mid w_{<t})",
    r"\mathrm{PE}_{(pos, 2i)} = \sin\left(\frac{pos}{10000^{2i/d}}\right)",
)
CODE = '''def attention(q, k, v, masque=None):
    """Attention par produit scalaire, mise à l'échelle."""
    scores = q @ k.T / math.sqrt(k.shape[-1])
    if masque is not None:
        scores = scores.masked_fill(masque == 0, float("-inf"))
    poids = scores.softmax(dim=-1)  # chaque ligne somme à 1
    return poids @ v, poids
'''
SECTIONS = 4
FIGURE_EVERY = 50
FIGURE_DATA = "animal-fatigue"


def file_name(i: int) -> str:
    return f"{i:04d}-lecon-{i:04d}.md"


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS if k % 3 else WORDS + LINKERS) for k in range(rng.randint(8, 16))]
    decor = rng.random()
    if decor < 0.15:
        words[2] = f"**{words[2]}**"
    elif decor < 0.3:
        words[3] = f"*{words[3]}*"
    elif decor < 0.4:
        words[1] = f"`{words[1]}_{rng.randint(1, 9)}`"
    elif decor < 0.5:
        words[4] = f"« {words[4]} »"
    text = " ".join(words)
    end = rng.choice([".", ".", ".", " ?", " !", " : c'est l'essentiel."])
    return text[0].upper() + text[1:] + end


def _paragraph(rng: random.Random, n: int | None = None) -> str:
    return " ".join(_sentence(rng) for _ in range(n or rng.randint(2, 4)))


def _nested_list(rng: random.Random) -> str:
    lines = []
    for _ in range(3):
        lines.append(f"- {_sentence(rng)}")
        for _ in range(rng.randint(1, 2)):
            lines.append(f"  - {_sentence(rng)}")
            if rng.random() < 0.5:
                lines.append(f"    - {_sentence(rng)}")
    return "\n".join(lines)


def _table(rng: random.Random) -> str:
    rows = ["| Modèle | Paramètres | Couches | Remarque |", "|:-------|-----------:|-------:|:---------|"]
    for _ in range(4):
        rows.append(f"| {rng.choice(WORDS).capitalize()}-{rng.randint(1, 9)} | {rng.randint(10, 900)} M "
                    f"| {rng.randint(2, 96)} | {rng.choice(WORDS)} {rng.choice(WORDS)} |")
    return "\n".join(rows)


def chapter(i: int, n: int, with_figure: bool) -> tuple[str, str]:
    """(title, full Markdown with front matter) of page ``i`` (1-based) of an ``n``-page course."""
    rng = random.Random(i)
    topic = TOPICS[i % len(TOPICS)]
    title = f"Leçon {i:04d} : {topic}"
    description = _sentence(rng)
    out = ["---", f"title: {json.dumps(title, ensure_ascii=False)}",
           f"description: {json.dumps(description, ensure_ascii=False)}", "---",
           f"{_paragraph(rng)} On note ${rng.choice(INLINE_MATH)}$ la grandeur étudiée[^n{i}a].", ""]
    if with_figure:
        out += [f'::: {{.attention #fig-attention-{i:04d} data="{FIGURE_DATA}"}}',
                "Les poids d'attention de la phrase d'exemple : « it » regarde « animal ».", ":::", ""]
    for k in range(1, SECTIONS + 1):
        target = (i * 7 + k * 13) % n + 1
        out += [f"## {rng.choice(WORDS).capitalize()} et {rng.choice(WORDS)} {{#sec-{i}-{k}}}", "",
                _paragraph(rng), ""]
        block = (i + k) % 4
        if block == 0:
            out += [_nested_list(rng), ""]
        elif block == 1:
            out += [_table(rng), ""]
        elif block == 2:
            out += ["```python", CODE.rstrip("\n"), "```", ""]
        else:
            out += ["$$", rng.choice(DISPLAY_MATH), "$$", ""]
        out += [f"### Pour aller plus loin {{#sec-{i}-{k}-1}}", "",
                f"{_paragraph(rng)} Voir [la leçon {target}]({file_name(target)}#sec-{target}-{1 + (i + k) % SECTIONS})"
                f" et [plus haut](#sec-{i}-1).", "",
                _nested_list(rng) if block != 0 else _table(rng), ""]
    out += [f"Une dernière remarque sur ${rng.choice(INLINE_MATH)}$[^n{i}b].", "",
            f"[^n{i}a]: {_sentence(rng)}", f"[^n{i}b]: {_sentence(rng)}", ""]
    return title, "\n".join(out)


def generate(dest: Path, n: int, repo: Path) -> dict:
    """Write the three projects of an ``n``-page course under ``dest``; returns what was generated."""
    if dest.exists():
        shutil.rmtree(dest)
    figures = (repo / "content/attention.yaml").is_file() and \
        (repo / f"content/_freeze/attention/{FIGURE_DATA}.json").is_file()
    ours, mk, hugo = dest / "atelier", dest / "mkdocs", dest / "hugo"
    for folder in (ours / "content", mk / "docs", hugo / "content"):
        folder.mkdir(parents=True)
    names, titles, n_figures = [], [], 0
    for i in range(1, n + 1):
        with_figure = figures and (i - 1) % FIGURE_EVERY == 0
        n_figures += with_figure
        title, text = chapter(i, n, with_figure)
        names.append(file_name(i))
        titles.append(title)
        data = text.encode("utf-8")
        for folder in (ours / "content", mk / "docs", hugo / "content"):
            (folder / file_name(i)).write_bytes(data)

    # Our tool: config.yaml + content/ + a copy of the repository's templates/.
    shutil.copytree(repo / "templates", ours / "templates")
    if figures:
        shutil.copy2(repo / "content/attention.yaml", ours / "content/attention.yaml")
        (ours / "content/_freeze/attention").mkdir(parents=True)
        shutil.copy2(repo / f"content/_freeze/attention/{FIGURE_DATA}.json", ours / "content/_freeze/attention")
    config = ['title: "Cours synthétique"', 'subtitle: "Banc d\'essai"', 'author: "Atelier LLM"',
              "date: 2026-11-01", "language: fr", 'site_url: "https://exemple.org/cours/"',
              'description: "Un cours généré pour mesurer les performances."', "chapters:"]
    config += [f"  - {name}" for name in names]
    (ours / "config.yaml").write_text("\n".join(config) + "\n", encoding="utf-8")

    # MkDocs Material: the same files in docs/, the full nav, the usual extensions for this Markdown.
    (mk / "docs/index.md").write_text("# Cours synthétique\n\nUn cours généré pour mesurer les performances.\n",
                                      encoding="utf-8")
    nav = ["nav:", '  - "Accueil": index.md'] + \
          [f"  - {json.dumps(t, ensure_ascii=False)}: {name}" for t, name in zip(titles, names)]
    (mk / "mkdocs.yml").write_text("\n".join([
        'site_name: "Cours synthétique"', 'site_url: "https://exemple.org/cours/"', "use_directory_urls: false",
        "theme:", "  name: material", "  language: fr", "plugins:", "  - search", "markdown_extensions:",
        "  - toc:", "      permalink: true", "  - tables", "  - footnotes", "  - attr_list", "  - def_list",
        "  - admonition", "  - pymdownx.highlight", "  - pymdownx.superfences", "  - pymdownx.arithmatex:",
        "      generic: true", *nav]) + "\n", encoding="utf-8")

    # Hugo: same files in content/, two minimal themes (same navigation as ours, and none at all).
    (hugo / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for theme, nav_partial in (("nav", HUGO_NAV), ("nonav", "")):
        layouts = hugo / "themes" / theme / "layouts"
        (layouts / "partials").mkdir(parents=True)
        (layouts / "partials/nav.html").write_text(nav_partial, encoding="utf-8")
        for name, text in HUGO_LAYOUTS.items():
            (layouts / name).write_text(text, encoding="utf-8")
    return {"pages": n, "figures": n_figures, "figures_available": figures}


HUGO_CONFIG = """baseURL = "https://exemple.org/cours/"
locale = "fr"
defaultContentLanguage = "fr"
title = "Cours synthétique"
uglyURLs = true
disableKinds = ["taxonomy", "term", "rss"]
[markup.goldmark.extensions.passthrough]
enable = true
[markup.goldmark.extensions.passthrough.delimiters]
block = [["$$", "$$"]]
inline = [["$", "$"]]
[markup.goldmark.renderHooks.link]
useEmbedded = "fallback"
[markup.tableOfContents]
startLevel = 2
endLevel = 3
"""

# Every page, and its level-2 sections, in the navigation of every page: what our sidebar shows.
HUGO_NAV = """{{ $cur := . }}
<nav class="sidebar"><ol>
{{ range .Site.RegularPages }}{{ $p := . }}
<li><a href="{{ $p.RelPermalink }}"{{ if eq $p $cur }} aria-current="page"{{ end }}>{{ $p.Title }}</a>
<ol>{{ range $p.Fragments.HeadingsMap }}{{ if eq .Level 2 }}<li><a href="{{ $p.RelPermalink }}#{{ .ID }}">{{ .Title }}</a></li>{{ end }}{{ end }}</ol>
</li>
{{ end }}
</ol></nav>
"""

HUGO_LAYOUTS = {
    "baseof.html": """<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ .Site.Title }}</title></head>
<body>
<header><a href="{{ "" | relURL }}">{{ .Site.Title }}</a></header>
{{ partial "nav.html" . }}
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
{{ with .Description }}<p>{{ . }}</p>{{ end }}
{{ .Content }}</article>
<nav class="toc">{{ .TableOfContents }}</nav>
<nav class="pager">{{ with .Prev }}<a rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .Next }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
{{ end }}
""",
    "list.html": """{{ define "main" }}<h1>{{ .Site.Title }}</h1>
<ol>{{ range .Site.RegularPages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Description }}</li>{{ end }}</ol>
{{ end }}
""",
}
