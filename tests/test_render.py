import pytest

from coursegen.errors import SiteError
from coursegen.render import make_environment, render_template, url_helper


def test_url_is_relative_to_the_page_or_absolute_on_404():
    assert url_helper("index.html")("static/site.css") == "static/site.css"
    assert url_helper("a/b/page.html")("static/site.css") == "../../static/site.css"
    assert url_helper("404.html", "/atelier-llm/")("static/site.css") == "/atelier-llm/static/site.css"


def test_autoescape_and_strict_undefined(tmp_path):
    (tmp_path / "t.html").write_text("<p>{{ x }}</p>\n{{ y }}\n", encoding="utf-8")
    env = make_environment(tmp_path)
    with pytest.raises(SiteError) as info:
        render_template(env, "t.html", {"x": "<b>"}, "templates")
    assert str(info.value).startswith("templates/t.html:2: variable indéfinie dans le gabarit : 'y' is undefined")
    assert render_template(env, "t.html", {"x": "<b>", "y": 1}, "templates") == "<p>&lt;b&gt;</p>\n1\n"


def test_syntax_error_names_template_and_line(tmp_path):
    (tmp_path / "t.html").write_text("a\n{% if %}\n", encoding="utf-8")
    with pytest.raises(SiteError) as info:
        render_template(make_environment(tmp_path), "t.html", {}, "templates")
    assert str(info.value).startswith("templates/t.html:2: erreur de syntaxe Jinja2")
