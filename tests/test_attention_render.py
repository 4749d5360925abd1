"""Rendering frozen attention data: golden HTML, determinism, accessibility, escaping, French errors."""

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from conftest import FIXTURES, REPO
from coursegen.attention.frozen import load
from coursegen.errors import UserError
from coursegen.attention.render import fmt, render_figure
from coursegen.attention.specs import load_specs

FIX = FIXTURES / "attention"
GOLDEN = FIX / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def figure(name: str) -> dict:
    rel = f"_freeze/attention/{name}.json"
    return load((FIX / rel).read_bytes(), rel)


SPECS = load_specs((FIX / "attention.yaml").read_text(encoding="utf-8"), "content/attention.yaml")


def render(name: str, layer=None, head=None, spec=None, data=None, fig_id="fig-test") -> str:
    return render_figure(data or figure(name), spec or SPECS[name], fig_id=fig_id, label="Figure 2.3",
                         caption_html="Une <em>petite</em> figure.", layer=layer, head=head,
                         data_url=f"donnees/attention/{name}.json")


@pytest.mark.parametrize("name, layer, head, golden", [
    ("petit-modele", None, None, "petit-modele.html"),
    ("petit-modele", 1, 2, "petit-modele-c1t2.html"),
    ("petit-calcul", None, None, "petit-calcul.html"),
])
def test_golden_html(name, layer, head, golden):
    """Byte-for-byte expected output; regenerate with UPDATE_GOLDEN=1 and review the diff."""
    html = render(name, layer, head)
    path = GOLDEN / golden
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(html, encoding="utf-8", newline="\n")
    assert path.exists(), f"golden absent : relancez avec UPDATE_GOLDEN=1 ({path.name})"
    assert html == path.read_text(encoding="utf-8"), f"sortie différente de {path.name} (UPDATE_GOLDEN=1 pour régénérer)"


def test_rendering_is_deterministic_across_processes():
    """Same frozen data, same bytes, whatever the hash seed of the process."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from test_attention_render import render;"
            "sys.stdout.write(render('petit-modele') + render('petit-calcul'))")
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", code, str(REPO)], capture_output=True, text=True, env=env,
                             cwd=REPO / "tests", check=True).stdout
        outputs.add(out)
    assert len(outputs) == 1 and outputs.pop() == render("petit-modele") + render("petit-calcul")


class Outline(HTMLParser):
    """Collects what a screen-reader user meets: elements, their attributes, and text."""

    def __init__(self):
        super().__init__()
        self.tags, self.stack, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def test_model_figure_structure_without_javascript():
    data = figure("petit-modele")
    html = render("petit-modele")
    page = outline(html)
    fig = page.tags[0]
    assert fig[0] == "figure" and fig[1]["class"] == "attention attention-model"
    assert fig[1]["id"] == "fig-test" and fig[1]["data-src"] == "donnees/attention/petit-modele.json"
    best = data["focus"]["best"]
    assert (fig[1]["data-layer"], fig[1]["data-head"]) == (str(best["layer"]), str(best["head"]))
    svg = next(a for t, a in page.tags if t == "svg")
    assert svg["role"] == "img" and set(svg["aria-labelledby"].split()) == {"fig-test-svg-titre", "fig-test-svg-desc"}
    assert re.search(r'<title id="fig-test-svg-titre">Carte d’attention, couche \d, tête \d</title>', html)
    # It opens on the focus token: only its links are drawn (every non-zero weight), in the highlight colour,
    # wider and more opaque for larger weights, and its weights are written beside the right column.
    matrix = data["attention"][best["layer"] - 1][best["head"] - 1]
    source = data["focus"]["source_tokens"][0]
    row = matrix[source]
    lines = re.findall(r'<line class="att-line-hi[^"]*" x1="\d+" y1="(\d+)"[^>]*stroke-width="([\d.]+)" opacity="([\d.]+)"',
                       html)
    assert len(lines) == sum(w > 0 for w in row) and len({y for y, _, _ in lines}) == 1
    widths = sorted(float(w) for _, w, _ in lines)
    assert widths[0] < widths[-1]
    values = re.findall(r'<text class="att-value"[^>]*>([^<]*)</text>', html)
    assert values == [fmt(w) for w in row]
    strongest = row.index(max(row))
    tokens = [t["text"] for t in data["tokens"]]
    status = re.search(r'<p class="att-status" role="status" aria-live="polite">(.*?)</p>', html).group(1)
    assert status == (f"Couche {best['layer']}, tête {best['head']}\u00a0: «\u202f<span lang=\"fr\">{tokens[source]}</span>"
                      f"\u202f» regarde surtout «\u202f<span lang=\"fr\">{tokens[strongest]}</span>\u202f» "
                      f"({fmt(row[strongest])}).")
    assert re.search(rf'<text x="\d+" y="\d+" data-i="{source}" class="att-shown">', html)
    assert re.search(rf'<text x="\d+" y="\d+" data-i="{strongest}" class="att-max">', html)
    # [CLS] and [SEP] (no word of the sentence) are marked, their links drawn in grey.
    assert html.count('class="att-special">[CLS]</text>') == 2 and html.count('class="att-special">[SEP]</text>') == 2
    assert all('stroke="#8a8f98"' in line for line in re.findall(r"<line [^>]*>", html)
               if re.search(r'y2="(46|166)"', line) and "att-line-hi" in line)
    # The legend: sample lines drawn with the same width and opacity rule as the figure, and their weights.
    legend = html[html.index('<div class="att-legend">'):html.index("</div>", html.index('<div class="att-legend">'))]
    samples = re.findall(r'stroke-width="([\d.]+)" opacity="([\d.]+)"/></svg>\u00a0([\d,]+)</span>', legend)
    assert samples == [("1", "0.28", "0,10"), ("3", "0.6", "0,50"), ("5", "0.92", "0,90")]
    assert "seuls les poids d’au moins 0,05 sont tracés" in legend
    assert "[CLS]</span> et <span class=\"att-special-name\">[SEP]</span>, en gris, sont des jetons spéciaux" in legend
    # The weights table: caption, column and row headers, every weight with a French decimal comma.
    assert "<summary>Voir les poids (tableau)</summary>" in html
    assert html.index("<details") < html.index("<table")
    n = len(data["tokens"])
    assert sum(1 for t, a in page.tags if t == "th" and a.get("scope") == "col") == n + 1
    assert sum(1 for t, a in page.tags if t == "th" and a.get("scope") == "row") == n
    cells = re.findall(r"<td>([^<]*)</td>", html)
    assert cells == [fmt(w) for row in matrix for w in row]
    assert "<caption>Poids d’attention, couche" in html
    # The tokens are the model's (lower case, accents stripped by its tokenizer), sub-words marked, in the
    # sentence's language; the sentence's own spelling appears nowhere.
    assert ">fatigue<" in html and ">##it<" in html and ">il<" in html
    assert "fatigué" not in html and ">Il<" not in html
    assert html.count('<g class="att-col att-col-from" text-anchor="end" lang="fr">') == 1
    assert html.count('<th scope="col" lang="fr">') == n and html.count('<th scope="row" lang="fr">') == n
    assert "figure-label\">Figure 2.3</span>\u00a0: Une <em>petite</em> figure." in html
    assert "style=" not in html and "<script" not in html


def test_numpy_figure_is_a_sequence_of_tables_and_a_heat_map():
    data = figure("petit-calcul")
    html = render("petit-calcul")
    assert "data-src" not in html  # no script needed
    captions = re.findall(r"<caption>(.*?)</caption>", html)
    assert [re.split("[ \u00a0]", c)[0] for c in captions] == ["X", "W<sub>q</sub>", "W<sub>k</sub>", "W<sub>v</sub>", "Q", "K",
                                                   "V", "Scores", "Scores", "Poids", "Sortie"]
    assert len(re.findall(r'<li class="att-step">', html)) == 7
    assert "√d<sub>k</sub> = √2 ≈ 1,41" in html
    weights = data["steps"]["weights"]
    heat = html[html.index('<svg class="att-svg att-heat-map"'):]
    assert re.findall(r'class="att-cell-value[^"]*"[^>]*>([^<]+)<', heat) == [fmt(w) for row in weights for w in row]
    # Word labels on both axes, and each table headed by the words.
    for word in ("Le", "chat", "dort"):
        assert f'<th scope="row">{word}</th>' in html and f">{word}</text>" in heat
    assert "\u2212" in html  # negative values use a real minus sign


def test_layer_and_head_choose_what_is_drawn():
    data = figure("petit-modele")
    html = render("petit-modele", 1, 2)
    assert 'data-layer="1" data-head="2"' in html and "Couche 1, tête 2 du modèle petit-modele-synthetique" in html
    assert re.findall(r"<td>([^<]*)</td>", html) == [fmt(w) for row in data["attention"][0][1] for w in row]
    assert html != render("petit-modele", 2, 1)


def test_featured_head_of_the_spec_wins_over_the_best_focus_head():
    assert figure("petit-modele")["focus"]["best"] == {"layer": 2, "head": 1, "weight": 386}
    assert 'data-layer="2" data-head="1"' in render("petit-modele")
    html = render("petit-modele", spec=replace(SPECS["petit-modele"], featured=(1, 2)))
    assert 'data-layer="1" data-head="2"' in html


@pytest.mark.parametrize("layer, head, message", [
    (3, 1, "couche 3 inexistante : le modèle a 2 couches (layer=1 à 2)"),
    (1, 0, "tête 0 inexistante : chaque couche a 2 têtes (head=1 à 2)"),
    (1, None, "précisez à la fois layer et head"),
])
def test_out_of_range_layer_or_head(layer, head, message):
    with pytest.raises(UserError) as info:
        render("petit-modele", layer, head)
    assert message in info.value.message


def test_layer_on_the_numpy_example_is_refused():
    with pytest.raises(UserError, match="ne s'appliquent pas"):
        render("petit-calcul", 1, 1)


def test_every_text_is_escaped():
    data = json.loads(json.dumps(figure("petit-modele")))
    data["tokens"][0]["text"] = '<b>"&'
    data["model"]["id"] = "x/<i>"
    html = render("petit-modele", data=data, fig_id='a"b')
    assert "<b>" not in html and "<i>" not in html and "&lt;b&gt;&quot;&amp;" in html
    assert 'id="a&quot;b"' in html


def test_french_number_format():
    assert [fmt(v) for v in (0, 677, 675, 674, 1000, -1500, -4, 5)] == [
        "0,00", "0,68", "0,68", "0,67", "1,00", "\u22121,50", "0,00", "0,01"]
    assert fmt(-1500, 1) == "\u22121,5" and fmt(250, 1) == "0,3"


def test_render_half_imports_nothing_heavy():
    code = ("import sys; import coursegen.attention.render, coursegen.attention.frozen, coursegen.attention.specs;"
            "heavy = [m for m in ('numpy', 'torch', 'transformers') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True).stdout
    assert out.strip() == "[]"


def test_committed_figures_render(tmp_path):
    """Each figure of the course renders with its featured head, and the result stays small."""
    specs = load_specs((REPO / "content" / "attention.yaml").read_text(encoding="utf-8"), "content/attention.yaml")
    for name, spec in specs.items():
        rel = f"content/_freeze/attention/{name}.json"
        data = load((REPO / rel).read_bytes(), rel)
        html = render_figure(data, spec, fig_id=f"fig-{name}", label="", caption_html="", layer=None, head=None,
                             data_url=f"donnees/attention/{name}.json")
        assert html.startswith('<figure class="attention') and html.endswith("</figure>\n")
        assert len(html.encode("utf-8")) < 25_000, f"{name} : figure trop lourde ({len(html)} octets)"
    # The French figure shows the tokenizer's pieces, as the chapter says: « le », « traverse », « fatigue ».
    fatigue = load((REPO / "content/_freeze/attention/chat-fatigue.json").read_bytes(), "chat-fatigue.json")
    assert "fatigué" in [t["label"] for t in fatigue["tokens"]]
    html = render_figure(fatigue, specs["chat-fatigue"], fig_id="f", label="", caption_html="", layer=None,
                         head=None, data_url="d.json")
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert ">fatigue<" in svg and ">traverse<" in svg and ">le<" in svg
    assert "fatigué" not in svg and "traversé" not in svg and ">Le<" not in svg
    english = load((REPO / "content/_freeze/attention/animal-fatigue.json").read_bytes(), "animal-fatigue.json")
    html = render_figure(english, specs["animal-fatigue"], fig_id="f", label="", caption_html="", layer=None,
                         head=None, data_url="d.json")
    assert '<g class="att-col att-col-from" text-anchor="end" lang="en">' in html
    assert "«\u202f<span lang=\"en\">it</span>\u202f» regarde surtout «\u202f<span lang=\"en\">animal</span>\u202f» (0,68)." in html
