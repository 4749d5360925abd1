"""What Pagefind indexes (``output.search.indexable``): elisions split, formulas readable or left out."""

from coursegen.output.search import HAIR_SPACE, indexable


def test_elisions_are_split_so_that_the_word_itself_is_indexed():
    assert indexable("<p>l’attention, qu’on, jusqu’ici</p>") == \
        f"<p>l’{HAIR_SPACE}attention, qu’{HAIR_SPACE}on, jusqu’{HAIR_SPACE}ici</p>"
    assert indexable("<p>décodeur, données</p>") == "<p>décodeur, données</p>"


def test_short_inline_formulas_stay_as_text_and_the_others_are_left_out():
    page = ('<p>les clés <math display="inline"><mi>K</mi></math>, soit <math><msup><mi>n</mi><mn>2</mn></msup>'
            '</math> scores ; <math><mi>softmax</mi><mo>(</mo><mi>x</mi><mo>)</mo></math> vaut</p>'
            '<math display="block"><mi>Q</mi></math>')
    assert indexable(page) == "<p>les clés K, soit n² scores ;   vaut</p> "
    assert indexable("<p><math><mi>a</mi><mo>&lt;</mo><mi>b</mi></math></p>") == "<p>a&lt;b</p>"


def test_vocabulary_lists_the_words_of_the_documents_most_frequent_first(tmp_path):
    import json

    from coursegen.output.search import vocabulary

    (tmp_path / "a.html").write_text("<main><h1>Attention</h1><p>l’\u200aattention des modèles, modèle"
                                     "<math><mi>softmax</mi></math> <script>ignore()</script></p></main>",
                                     encoding="utf-8")
    (tmp_path / "b.html").write_text("<p>Attention &amp; jetons : 42 mots</p>", encoding="utf-8")
    assert json.loads(vocabulary(tmp_path)) == ["attention", "jetons", "modèle", "modèles"]
