"""Self-check quizzes: ``::: {.quiz}`` blocks read at parse time, rendered as real form controls.

A quiz is a fenced div holding, in this order: the question (one or more blocks), a bullet list of
choices, then an optional explanation (the blocks after the list, or a nested ``::: {.explication}``)::

    ::: {.quiz}
    Pourquoi divise-t-on les scores par $\\sqrt{d_k}$ ?

    - [ ] Pour accélérer le calcul
    - [x] Pour éviter que la softmax ne sature

    Quand $d_k$ grandit, …
    :::

``- [x]`` marks a right choice (several right choices give checkboxes, one gives radio buttons);
``- [=] 16`` items instead make a short-answer question, each item one accepted answer.

:func:`check` validates the block at parse time (errors at ``file:line``) and marks each choice's inline
token (``meta["quiz_choice"]``: ``"right"``, ``"wrong"`` or ``"answer"``), with its box removed from the
text. :func:`replace_quizzes` swaps each quiz for its HTML at render time: a ``<fieldset>``, a
« Vérifier » button that ``site.js`` reveals and wires (the check runs in the page, nothing is sent),
a live region for the feedback, and a ``<details>`` « Voir la réponse » that shows the answer and the
explanation without JavaScript. The same answers are gathered at the end of the page in an answer key
that only print shows (site.css), so that a printed chapter does not give each answer under its question.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from markdown_it.token import Token

from ..errors import Problems
from .attrs import div_attrs

QUIZ_CLASS = "quiz"
EXPLANATION_CLASS = "explication"
_ANSWER = re.compile(r"^\[=\][ \t\u00a0\u202f]*")
_CHECKBOX = '<input class="task-list-item-checkbox"'


@dataclass
class Parts:
    """Token index ranges of one quiz: question blocks, the list's items, explanation blocks."""

    end: int                                                      # index of the quiz's closing token
    question: list[tuple[int, int]] = field(default_factory=list)  # [start, stop) of each block
    choices: tuple[int, int] | None = None                         # the list's open/close indices
    items: list[tuple[int, int]] = field(default_factory=list)     # [start, stop) of each list item
    explanation: list[tuple[int, int]] = field(default_factory=list)
    nested: list[int] = field(default_factory=list)               # ``.explication`` open tokens


def is_quiz(tok: Token) -> bool:
    return tok.type == "container_div_open" and QUIZ_CLASS in _classes(tok)


def _classes(tok: Token) -> list[str]:
    attrs = tok.meta.get("attrs") or div_attrs(tok.info) or {}
    return attrs.get("class", "").split()


def block_end(tokens: list[Token], i: int) -> int:
    """Index after the block that starts at ``i`` (an open token and its matching close, or one token)."""
    if tokens[i].nesting != 1:
        return i + 1
    depth, j = 0, i
    while True:
        depth += tokens[j].nesting
        j += 1
        if depth == 0:
            return j


def split(tokens: list[Token], i: int) -> Parts:
    """The parts of the quiz whose opening token is ``tokens[i]``."""
    parts = Parts(block_end(tokens, i) - 1)
    j = i + 1
    while j < parts.end:
        stop = block_end(tokens, j)
        tok = tokens[j]
        if parts.choices is None and tok.type in ("bullet_list_open", "ordered_list_open"):
            parts.choices = (j, stop - 1)
            k = j + 1
            while k < stop - 1:
                item_stop = block_end(tokens, k)
                parts.items.append((k, item_stop))
                k = item_stop
        elif parts.choices is None:
            parts.question.append((j, stop))
        elif tok.type == "container_div_open" and EXPLANATION_CLASS in _classes(tok):
            parts.nested.append(j)
            k = j + 1
            while k < stop - 1:
                inner = block_end(tokens, k)
                parts.explanation.append((k, inner))
                k = inner
        else:
            parts.explanation.append((j, stop))
        j = stop
    return parts


def check(tokens: list[Token], i: int, source: str, line_of: Callable[[Token], int],
          problems: Problems) -> None:
    """Validate the quiz at ``tokens[i]`` and mark its choices; every mistake is an error at its line."""
    opening = tokens[i]
    line = line_of(opening)
    parts = split(tokens, i)
    for j in parts.nested:
        inner = tokens[j]
        if inner.map and opening.map and inner.map[1] == opening.map[1] and len(inner.markup) >= len(opening.markup):
            problems.error(source, line_of(inner), "le « ::: » qui ferme l'explication ferme aussi le quiz",
                           "pour imbriquer « ::: {.explication} », ouvrez et fermez le quiz par « :::: » "
                           "(quatre deux-points), ou écrivez l'explication sans « ::: » après la liste")
    if not parts.question:
        problems.error(source, line, "quiz sans question", "écrivez la question avant la liste des choix")
    if parts.choices is None:
        problems.error(source, line, "quiz sans liste de choix",
                       "ajoutez « - [ ] choix » et « - [x] bonne réponse », ou « - [=] réponse » pour une "
                       "question à réponse courte")
        return
    if tokens[parts.choices[0]].type == "ordered_list_open":
        problems.error(source, line_of(tokens[parts.choices[0]]), "les choix d'un quiz forment une liste numérotée",
                       "écrivez-les en liste à puces : « - [ ] … », « - [x] … »")
        return
    kinds: list[str] = []
    for start, stop in parts.items:
        kind = _mark_choice(tokens, start, stop)
        item_line = line_of(tokens[start])
        if kind is None:
            problems.error(source, item_line, "choix de quiz sans case « [ ] », « [x] » ou « [=] »",
                           "commencez chaque choix par « [ ] » (faux), « [x] » (juste) ou « [=] » (réponse courte)")
        elif kind == "multi-block":
            problems.error(source, item_line, "un choix de quiz tient en un seul paragraphe",
                           "placez les détails dans l'explication, après la liste")
        elif kind == "empty":
            problems.error(source, item_line, "choix de quiz vide", "écrivez le texte du choix après la case")
        else:
            kinds.append(kind)
    if len(kinds) != len(parts.items):
        return
    if "answer" in kinds and len(set(kinds)) > 1:
        problems.error(source, line, "quiz qui mélange réponse courte « [=] » et cases « [ ] »/« [x] »",
                       "un quiz est soit à choix (« [ ] », « [x] »), soit à réponse courte (« [=] »)")
    elif "answer" not in kinds and "right" not in kinds:
        problems.error(source, line, "quiz sans bonne réponse", "cochez la ou les bonnes réponses : « - [x] … »")
    elif "answer" not in kinds and len(kinds) < 2:
        problems.error(source, line, "quiz à un seul choix", "proposez au moins deux choix")


def _mark_choice(tokens: list[Token], start: int, stop: int) -> str | None:
    """Read one list item: ``right``/``wrong``/``answer`` (box removed from its text), or a problem."""
    inner = tokens[start + 1: stop - 1]
    if not inner or inner[0].type != "paragraph_open" or len(inner) != 3:
        return "multi-block"
    inline = inner[1]
    children = inline.children or []
    if children and children[0].type == "html_inline" and children[0].content.startswith(_CHECKBOX):
        kind = "right" if 'checked="checked"' in children[0].content else "wrong"
        children = children[1:]
        if children and children[0].type == "text":
            children[0].content = children[0].content.lstrip()
    elif children and children[0].type == "text" and _ANSWER.match(children[0].content):
        kind = "answer"
        children[0].content = _ANSWER.sub("", children[0].content)
    else:
        return None
    inline.children = [c for c in children if not (c.type == "text" and not c.content)]
    if not inline.children:
        return "empty"
    inline.meta["quiz_choice"] = kind
    tokens[start].meta["quiz_choice"] = kind
    return kind


# --- render stage ------------------------------------------------------------------------------------

Render = Callable[[list[Token]], str]          # block tokens -> HTML (the site's renderer, same env)
RenderInline = Callable[[list[Token]], str]    # inline children -> HTML


def replace_quizzes(tokens: list[Token], taken: set[str], render: Render, render_inline: RenderInline,
                    plain_text: Callable[[Token], str]) -> list[Token]:
    """Swap every quiz block for an ``html_block`` token holding its HTML, and end the page with the
    print-only answer key when it has quizzes."""
    out: list[Token] = []
    used = set(taken)
    number = 0
    key: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if not is_quiz(tok):
            out.append(tok)
            i += 1
            continue
        parts = split(tokens, i)
        number += 1
        attrs = tok.meta.get("attrs", {})
        ident = attrs.get("id") or _free_id(f"quiz-{number}", used)
        used.add(ident)
        block = Token("html_block", "", 0)
        block.content, solution = _quiz_html(tokens, parts, ident, number, render, render_inline, plain_text)
        out.append(block)
        key.append(f'<div class="quiz-key-item"><p class="quiz-key-question"><a href="#{html.escape(ident)}">'
                   f"Question {number}</a></p>\n{solution}</div>\n")
        i = parts.end + 1
    if key:
        # Its title is a paragraph with the heading role: print-only, it stays out of the outline that the
        # contents and the book are built from.
        title = _free_id("reponses-questions", used)
        block = Token("html_block", "", 0)
        block.content = (f'<section class="quiz-key" aria-labelledby="{title}" data-pagefind-ignore>\n'
                         f'<p id="{title}" class="quiz-key-title" role="heading" aria-level="2">'
                         "Réponses des questions</p>\n"
                         + "".join(key) + "</section>\n")
        out.append(block)
    return out


def _free_id(ident: str, used: set[str]) -> str:
    n, candidate = 2, ident
    while candidate in used:
        candidate = f"{ident}-{n}"
        n += 1
    return candidate


def _quiz_html(tokens: list[Token], parts: Parts, ident: str, number: int, render: Render,
               render_inline: RenderInline, plain_text: Callable[[Token], str]) -> tuple[str, str]:
    """The quiz's HTML, and its answer with the explanation (for the answer key)."""
    choices = [(tokens[start + 2], tokens[start].meta.get("quiz_choice", "")) for start, _ in parts.items]
    kinds = {kind for _, kind in choices}
    short = kinds == {"answer"}
    several = not short and sum(kind == "right" for _, kind in choices) > 1
    esc = html.escape
    legend, rest = _legend(tokens, parts, number, render, render_inline, several)
    out = [f'<div class="quiz" id="{esc(ident)}" data-quiz="{"texte" if short else "choix"}" '
           f'data-reponse="{esc(_expected(choices, short, plain_text))}">\n<fieldset>\n<legend>{legend}</legend>\n']
    if rest:
        out.append(f'<div class="quiz-question">\n{rest}</div>\n')
    if short:
        answers = [plain_text(inline) for inline, _ in choices]
        numeric = all(re.fullmatch(r"[-+]?\d+(?:[.,]\d+)?", a.replace("\u202f", "").replace("\u00a0", ""))
                      for a in answers)
        mode = ' inputmode="decimal"' if numeric else ""
        out.append(f'<p class="quiz-field"><label for="{esc(ident)}-reponse">Votre réponse</label>\n'
                   f'<input type="text" class="quiz-text" id="{esc(ident)}-reponse" autocomplete="off" '
                   f'spellcheck="false"{mode}></p>\n')
    else:
        kind = "checkbox" if several else "radio"
        out.append('<ul class="quiz-choices">\n')
        for n, (inline, _) in enumerate(choices, 1):
            box = f"{ident}-choix-{n}"
            out.append(f'<li><input type="{kind}" id="{esc(box)}" name="{esc(ident)}" value="{n}">'
                       f' <label for="{esc(box)}">{render_inline(inline.children or [])}</label></li>\n')
        out.append("</ul>\n")
    out.append('<div class="quiz-actions"><button type="button" class="quiz-check" hidden>Vérifier</button>'
               f'<p class="quiz-feedback" id="{esc(ident)}-retour" role="status"></p></div>\n</fieldset>\n')
    right = [render_inline(inline.children or []) for inline, kind in choices if kind in ("right", "answer")]
    label = ("Réponses acceptées" if len(right) > 1 else "Réponse attendue") if short else \
        ("Bonnes réponses" if len(right) > 1 else "Bonne réponse")
    shown = " ; ".join(right) if short or len(right) == 1 else "</li><li>".join(right)
    answer = (f'<p class="quiz-answer"><strong>{label}\u00a0:</strong> {shown}</p>\n' if short or len(right) == 1
              else f'<p class="quiz-answer"><strong>{label}\u00a0:</strong></p>\n'
                   f'<ul class="quiz-answer-list"><li>{shown}</li></ul>\n')
    explanation = "".join(render(tokens[a:b]) for a, b in parts.explanation)
    out.append(f'<details class="quiz-solution"><summary>Voir la réponse</summary>'
               f'<div class="solution-body">\n{answer}{explanation}</div></details>\n</div>\n')
    return "".join(out), answer + explanation


def _legend(tokens: list[Token], parts: Parts, number: int, render: Render, render_inline: RenderInline,
            several: bool) -> tuple[str, str]:
    """The ``<legend>`` (number + first paragraph when it is phrasing content) and the other question blocks."""
    label = f'<span class="quiz-numero">Question {number}.</span>'
    hint = ' <span class="quiz-consigne">(plusieurs réponses possibles)</span>' if several else ""
    blocks = list(parts.question)
    text = ""
    if blocks:
        start, stop = blocks[0]
        inline = tokens[start + 1] if tokens[start].type == "paragraph_open" else None
        if inline is not None and not any(c.type == "math_inline_double" for c in inline.children or []):
            text = " " + render_inline(inline.children or [])
            blocks = blocks[1:]
    rest = "".join(render(tokens[a:b]) for a, b in blocks)
    return f"{label}{text}{hint}", rest


def _expected(choices: list[tuple[Token, str]], short: bool, plain_text: Callable[[Token], str]) -> str:
    """What ``site.js`` compares the learner's answer with: choice numbers, or accepted answers."""
    if short:
        return json.dumps([plain_text(inline) for inline, _ in choices], ensure_ascii=False)
    return json.dumps([n for n, (_, kind) in enumerate(choices, 1) if kind == "right"])


def env_renderers(md, env: dict[str, Any]) -> tuple[Render, RenderInline]:
    """The site's block and inline renderers bound to one page's render environment."""
    return (lambda toks: md.renderer.render(toks, md.options, env),
            lambda children: md.renderer.renderInline(children, md.options, env))
