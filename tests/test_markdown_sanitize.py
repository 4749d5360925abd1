"""The sanitiser of coursegen/markdown/sanitize.py: raw HTML read as a browser reads it, an allow-list of
elements and attributes, every removal reported at its line; SVG files published without script.

What Chromium makes of the output is checked in tests/test_browser.py; here, what the author gets back.
"""

from __future__ import annotations

import html5lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coursegen.markdown.sanitize import ELEMENTS, clean_html, clean_svg

SCRIPT = "la politique de sécurité du site n'exécute que le JavaScript des fichiers de templates/static/"


def messages(fragment: str) -> list[tuple[int, str]]:
    return [(r.line, r.message) for r in clean_html(fragment)[1]]


def test_handlers_scripts_styles_and_unsafe_urls_go_each_with_its_line():
    fragment = ('<div class="note" onmouseover="voler()">\n<img src="assets/schema.svg" alt="Schéma" onerror="voler()">\n'
                '<script>voler();</script>\n<p style="color: red">Rouge</p><a href=" JaVa\tScRiPt:x()">x</a>\n</div>\n')
    cleaned, removed = clean_html(fragment)
    assert cleaned == ('<div class="note">\n<img src="assets/schema.svg" alt="Schéma">\n\n<p>Rouge</p><a>x</a>\n'
                       '</div>\n')
    assert [(r.line, r.message) for r in removed] == [
        (0, "attribut « onmouseover » retiré de <div>"),
        (1, "attribut « onerror » retiré de <img>"),
        (2, "élément HTML <script> retiré de la page"),
        (3, "attribut « style » retiré de <p>"),
        (3, "adresse « javascript: » retirée de l'attribut « href » de <a>"),
    ]
    assert removed[0].hint == SCRIPT


@pytest.mark.parametrize("payload", [
    "<!--><img src=x onerror=alert(1)>-->",               # <!--> closes at once in a browser
    "<!---><img src=x onerror=alert(1)>-->",
    "<!-- a --!><img src=x onerror=alert(1)>-->",         # --!> closes a comment too
    "<!-- a --!><img src=x onerror=alert(1)>",
])
def test_comment_tricks_do_not_hide_an_element_from_the_check(payload):
    cleaned, removed = clean_html(payload)
    assert cleaned.startswith('<img src="x">')
    assert [r.message for r in removed] == ["commentaire HTML mal formé retiré", "attribut « onerror » retiré de <img>"]


@pytest.mark.parametrize("tag", ["noscript", "xmp", "textarea", "title", "iframe", "noembed", "noframes", "style"])
def test_an_end_tag_inside_an_attribute_closes_a_raw_text_element_as_in_a_browser(tag):
    cleaned, removed = clean_html(f'<{tag}><p title="</{tag}><img src=x onerror=alert(1)>">')
    assert cleaned == '<img src="x">">'
    assert removed[0].message.startswith(f"élément HTML <{tag}> retiré de la page")
    assert removed[1].message == "attribut « onerror » retiré de <img>"


def test_raw_text_is_removed_with_its_element_and_plaintext_takes_the_rest():
    assert clean_html("<xmp><b>gras</b></xmp>après")[0] == "après"
    assert clean_html("avant<plaintext><b>tout</b>")[0] == "avant"
    assert clean_html("<script/>alert(1)</script>après")[0] == "après"  # <script/> still opens a script


@pytest.mark.parametrize(("fragment", "message"), [
    ('<iframe src="assets/x.html"></iframe>', "élément HTML <iframe> retiré de la page avec son contenu"),
    ('<frame src="x.html">', "élément HTML <frame> retiré de la page"),
    ('<object data="x.swf">texte</object>', "élément HTML <object> retiré de la page (son contenu est gardé)"),
    ('<embed src="x.swf">', "élément HTML <embed> retiré de la page"),
    ('<base href="https://ailleurs.example/">', "élément HTML <base> retiré de la page"),
    ('<meta http-equiv="refresh" content="0;url=https://ailleurs.example/">', "élément HTML <meta> retiré de la page"),
    ('<form action="https://ailleurs.example/"><input name="q"></form>',
     "élément HTML <form> retiré de la page (son contenu est gardé)"),
    ("<svg><circle r='3'/><script>alert(1)</script></svg>", "élément HTML <svg> retiré de la page avec son contenu"),
    ('<font color="red">rouge</font>', "élément HTML <font> retiré de la page (son contenu est gardé)"),
])
def test_elements_off_the_allow_list_are_removed_with_a_warning(fragment, message):
    cleaned, removed = clean_html(fragment)
    assert [r.message for r in removed] == [message]
    assert "<iframe" not in cleaned and "<object" not in cleaned and "<svg" not in cleaned and "<form" not in cleaned


def test_object_and_form_keep_their_text_and_allowed_children():
    assert clean_html('<object data="x.swf">texte</object>')[0] == "texte"
    assert clean_html('<form action="/"><input name="q"></form>')[0] == '<input name="q">'


def test_rel_opener_goes_and_the_other_link_types_stay():
    """rel="opener" would give the page opened in a new tab a handle on this one (window.opener)."""
    cleaned, removed = clean_html('<a href="https://example.org/" target="_blank" rel="Opener noreferrer">x</a>'
                                  '<a href="https://example.org/" rel="opener">y</a>')
    assert cleaned == ('<a href="https://example.org/" target="_blank" rel="noreferrer">x</a>'
                       '<a href="https://example.org/">y</a>')
    assert [(r.line, r.message) for r in removed] == [
        (0, "valeur « opener » retirée de l'attribut « rel » de <a>"),
        (0, "valeur « opener » retirée de l'attribut « rel » de <a>"),
    ]
    assert clean_html('<a href="x.html" rel="noopener nofollow">z</a>') == (
        '<a href="x.html" rel="noopener nofollow">z</a>', ())


def test_attributes_off_the_allow_list_are_removed_with_a_warning():
    cleaned, removed = clean_html('<button formaction="https://ailleurs.example/" type="button" data-x="1" '
                                  'aria-label="Ouvrir">Ok</button>')
    assert cleaned == '<button type="button" data-x="1" aria-label="Ouvrir">Ok</button>'
    assert [r.message for r in removed] == ["attribut « formaction » retiré de <button>"]


def test_markup_on_the_allow_list_is_kept_as_written():
    fragment = ('<details open><summary>Voir</summary>\n<p>Appuyez sur <kbd>Ctrl</kbd>+<kbd>C</kbd> &amp; '
                'voilà.</p>\n<img src="a.png" alt="A" width="300"><a href="https://example.org/?a=1&amp;b=2" '
                'title="Lien">x</a><br/>\n<!-- note de l’auteur -->\n</details>\n')
    assert clean_html(fragment) == (fragment.replace("<br/>", "<br />"), ())


def test_a_fragment_cut_by_markdown_stays_open():
    """Markdown hands ``<span class="x">`` and ``</span>`` over separately: neither is closed nor dropped."""
    assert clean_html('<span class="x">') == ('<span class="x">', ())
    assert clean_html("</span>") == ("</span>", ())


def test_an_unfinished_tag_is_shown_as_text():
    cleaned, removed = clean_html('<p>ok</p>\n<a href="x"')
    assert cleaned == '<p>ok</p>\n&lt;a href="x"'
    assert [(r.line, r.message) for r in removed] == [(1, "balise HTML non terminée : affichée comme du texte")]


def test_declarations_and_unclosed_comments_are_removed():
    assert messages("<!DOCTYPE html>") == [(0, "déclaration <!DOCTYPE> retirée")]
    assert messages("<?php echo 1; ?>") == [(0, "déclaration HTML « <?php echo 1; ?> » retirée")]
    assert messages("<![CDATA[<img src=x onerror=alert(1)>]]>") == [
        (0, "déclaration HTML « <![CDATA[<img src=x onerror=alert(1)> » retirée")]
    assert messages("texte\n<!-- jamais fermé\n") == [(1, "commentaire HTML non fermé retiré")]


def test_mathml_goes_through_the_same_allow_list():
    cleaned, removed = clean_html('<math display="inline"><mrow href="javascript:alert(1)" style="color:red">'
                                  '<mspace width="1em" /><mi>x</mi></mrow></math>')
    assert cleaned == '<math display="inline"><mrow><mspace width="1em" /><mi>x</mi></mrow></math>'
    assert [r.message for r in removed] == ["attribut « href » retiré de <mrow>", "attribut « style » retiré de <mrow>"]
    assert removed[0].hint.startswith("une formule ne peut pas contenir de lien")


PIECES = ["<", ">", "/", "!", "-", "--", "=", '"', "'", " ", "\n", "&", "&amp;", "a", "img", "script", "noscript",
          "xmp", "textarea", "title", "iframe", "svg", "math", "style", "src=x", "onerror=1", "href=javascript:x",
          "<!--", "-->", "--!>", "<!-->", "</", "<![CDATA[", "]]>", "<?", "p", "span", "é"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_the_output_reads_back_as_itself(fragment):
    """Whatever goes in, what comes out holds nothing the sanitiser would change: a browser, which reads it with
    the same tokenizer, sees exactly the markup that was checked."""
    cleaned, _ = clean_html(fragment)
    assert clean_html(cleaned) == (cleaned, ())
    # And html5lib's whole parser (tree builder included) finds only allowed elements, no handler.
    for element in html5lib.parseFragment(cleaned, namespaceHTMLElements=False).iter():
        name = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else "#comment"
        assert name in ELEMENTS or name in ("DOCUMENT_FRAGMENT", "#comment"), (fragment, cleaned)
        assert not [a for a in element.attrib if a.rsplit("}", 1)[-1].startswith("on")], (fragment, cleaned)


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="3"/></svg>'
SCRIPTED = b"""<?xml version="1.0"?>
<?xml-stylesheet type="text/xsl" href="x.xsl"?>
<!DOCTYPE svg [<!ENTITY s "<script>window.__pwned = 1</script>">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="window.__pwned = 1">
&s;<a xlink:href="javascript:alert(1)"><text>lien</text></a><circle r="3"/>
<foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><iframe src="x.html"/></body></foreignObject>
<a href="https://example.org/"><set attributeName="href" to="javascript:alert(1)"/></a>
</svg>"""


def test_a_clean_svg_is_published_byte_for_byte():
    assert clean_svg(SVG) == (SVG, ())


def test_scripts_handlers_urls_and_foreign_objects_leave_an_svg():
    cleaned, removed = clean_svg(SCRIPTED)
    assert removed == ("<?xml-stylesheet?>", "déclarations internes du <!DOCTYPE>", "attribut « onload »", "<script>",
                       "adresse « javascript: »", "<foreignObject>", "<set>")
    text = cleaned.decode("utf-8")
    for gone in ("script", "onload", "javascript:", "foreignObject", "iframe", "xml-stylesheet", "ENTITY", "<set"):
        assert gone not in text
    assert '<circle r="3"/>' in text and '<a href="https://example.org/"/>' in text and "<text>lien</text>" in text
    assert clean_svg(cleaned) == (cleaned, ())


def test_an_internal_doctype_whose_default_attributes_would_run_script_leaves_an_svg():
    """expat does not report the attributes an <!ATTLIST> adds by default, which a browser does (onload)."""
    attlist = (b'<?xml version="1.0"?><!DOCTYPE svg [<!ATTLIST svg onload CDATA "fetch(&#34;/PWNED&#34;)">]>'
               b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>')
    cleaned, removed = clean_svg(attlist)
    assert removed == ("déclarations internes du <!DOCTYPE>",)
    assert cleaned == (b'<?xml version="1.0" encoding="utf-8"?><svg xmlns="http://www.w3.org/2000/svg" width="10" '
                       b'height="10"><rect width="10" height="10"/></svg>')
    assert clean_svg(cleaned) == (cleaned, ())


def test_a_doctype_without_internal_declarations_keeps_an_svg_byte_for_byte():
    svg11 = (b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
             + SVG)
    assert clean_svg(svg11) == (svg11, ())


def test_an_svg_that_is_not_xml_or_expands_without_end_is_refused():
    assert clean_svg(b"<svg><g></svg>") == (None, ())
    entities = "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi"))
    bomb = f'<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">{entities}]><svg>&i;</svg>'.encode()
    assert clean_svg(bomb) == (None, ())


def test_in_mathml_only_the_mathml_part_of_the_list_is_allowed():
    """latex2mathml copies ``\\text{<img …>}`` unescaped: in a formula an HTML element is removed, not shown."""
    cleaned, removed = clean_html('<math><mtext><img src="x"><b>gras</b></mtext></math>', math=True)
    assert cleaned == "<math><mtext>gras</mtext></math>"
    assert [r.message for r in removed] == ["élément HTML <img> retiré de la formule",
                                            "élément HTML <b> retiré de la formule"]
