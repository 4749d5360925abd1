"""Stage 4, the render rules of divs: callouts (title, appearance, icon, collapse), tabsets (panels that
``static/tabs.js`` turns into ARIA tabs; without JavaScript they read in order under their headings),
columns and ``layout`` grids (widths as ``col-N`` classes: the site's CSP forbids inline styles), margin
notes, the course's own solution blocks and any other div (its classes kept, other attributes as ``data-``).
The structure comes from ``markdown.divs``; the warnings about what cannot be rendered are given there.
"""

from __future__ import annotations

import html
from typing import Sequence

from markdown_it.token import Token

from ..text import french
from .html import block_line, caption_label, nothing

CALLOUT_LABELS = {
    "note": "Note",
    "tip": "Astuce",
    "important": "Important",
    "warning": "Avertissement",
    "caution": "Attention",
}
# Icons drawn for this site on a 16×16 grid, stroked with the text colour of the callout's title (site.css).
_ICON_PATHS = {
    "note": '<circle cx="8" cy="8" r="6.5"/><path d="M8 7.2v4M8 4.8v.01"/>',
    "important": '<circle cx="8" cy="8" r="6.5"/><path d="M8 4.5v4.2M8 11.2v.01"/>',
    "warning": '<path d="M8 1.8 14.8 14H1.2z"/><path d="M8 6.2v3.6M8 11.8v.01"/>',
    "caution": '<path d="M5.3 1.5h5.4l3.8 3.8v5.4l-3.8 3.8H5.3l-3.8-3.8V5.3z"/><path d="M8 4.6v4.2M8 11.2v.01"/>',
    "tip": '<path d="M6 12.2h4M6.6 14.5h2.8M8 1.5a4.3 4.3 0 0 0-2.5 7.8c.4.3.6.8.6 1.3v.2h3.8v-.2c0-.5.2-1 '
           '.6-1.3A4.3 4.3 0 0 0 8 1.5z"/>',
}
_CALLOUT_KEYS = ("title", "collapse", "appearance", "icon")
_LAYOUT_KEYS = ("layout", "layout-ncol", "layout-nrow", "layout-align", "layout-valign")


def icon(kind: str) -> str:
    """The inline SVG icon of a callout kind (no ``style``: presentation attributes only)."""
    return ('<svg class="callout-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" '
            'focusable="false" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" '
            f'stroke-linejoin="round">{_ICON_PATHS[kind]}</svg>')


def _div_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    tok = tokens[idx]
    attrs: dict[str, str] = dict(tok.meta.get("attrs", {}))
    classes = attrs.pop("class", "").split()
    ident = attrs.pop("id", "")
    id_attr = f' id="{html.escape(ident)}"' if ident else ""
    callout = next((c for c in classes if c.startswith("callout-") and c[8:] in CALLOUT_LABELS), "")
    closing: list[str] = env["page"].div_stack
    if callout:
        return _callout_open(self, tok, callout[8:], classes, attrs, id_attr, closing, options, env)
    if "solution" in classes:
        title = html.escape(french(attrs.pop("title", "")) or "Voir la réponse")
        closing.append("</div></details>\n")
        return f'<details class="solution"{id_attr}><summary>{title}</summary><div class="solution-body">\n'
    if tok.meta.get("figure"):
        return _figure_open(self, tok, classes, id_attr, closing, options, env)
    if "column" in classes and tok.meta.get("width_class"):
        classes.append(tok.meta["width_class"])
    if tok.meta.get("layout"):
        classes.insert(0, "quarto-layout-panel")
    for key in ("width", *_LAYOUT_KEYS) if "column" in classes else _LAYOUT_KEYS:
        attrs.pop(key, None)  # read by markdown.divs, which warned about any it could not use
    data = "".join(f' data-{html.escape(k.removeprefix("data-"))}="{html.escape(v)}"'
                   for k, v in sorted(attrs.items()) if k.replace("-", "").isalnum())
    cls = f' class="{html.escape(" ".join(classes))}"' if classes else ""
    closing.append("</div>\n")
    return f"<div{id_attr}{cls}{data}>\n"


def _callout_open(self, tok: Token, kind: str, classes: list[str], attrs: dict[str, str], id_attr: str,
                  closing: list[str], options, env) -> str:
    label = CALLOUT_LABELS[kind]
    given = attrs.get("title", "")
    if given:
        title = html.escape(french(given))
    elif "title_inline" in tok.meta:
        title = self.renderInline(tok.meta["title_inline"].children or [], options, env)
    else:
        title = ""
    appearance = attrs.get("appearance", "default")
    extra = [f"callout-{appearance}"] if appearance in ("simple", "minimal") else []
    cls = html.escape(" ".join(["callout"] + classes + extra))
    # Quarto's minimal appearance has no icon; icon=false removes it from the others.
    shown_icon = icon(kind) if attrs.get("icon", "true").lower() != "false" and appearance != "minimal" else ""
    # A custom title hides the callout's kind from the eye without the icon and from screen readers always:
    # say it to them before the title.
    heading = (f'{shown_icon}<span class="visually-hidden">{label}\u00a0: </span>{title}' if title
               else f"{shown_icon}{label}")
    collapse = attrs.get("collapse", "").lower()
    if collapse in ("true", "false"):
        closing.append("</div></details>\n")
        opened = " open" if collapse == "false" else ""
        return (f'<details class="{cls}"{id_attr}{opened}><summary class="callout-title">{heading}</summary>'
                f'<div class="callout-body">\n')
    closing.append("</div></div>\n")
    return (f'<div class="{cls}"{id_attr} role="note"><p class="callout-title">{heading}</p>'
            f'<div class="callout-body">\n')


def _figure_open(self, tok: Token, classes: list[str], id_attr: str, closing: list[str], options, env) -> str:
    number = env["page"].nav.figure_numbers.get(block_line(env, tok), "")
    label = caption_label("Figure", number)
    caption = self.renderInline(tok.meta["caption_inline"].children or [], options, env) \
        if "caption_inline" in tok.meta else ""
    closing.append(f"<figcaption>{label}{caption}</figcaption></figure>\n" if label or caption else "</figure>\n")
    if tok.meta.get("layout"):
        classes.insert(0, "quarto-layout-panel")
    return f'<figure class="{html.escape(" ".join(["figure"] + classes))}"{id_attr}>\n'


def _div_close(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    return env["page"].div_stack.pop()


def _tab_panel_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    return '<section class="tab-panel">\n'


def _tab_panel_close(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    return "</section>\n"


def _layout_row_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    return '<div class="quarto-layout-row">\n'


def _layout_cell_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    width = tokens[idx].meta.get("width", "")
    spacer = ' aria-hidden="true"' if "spacer" in width else ""
    return f'<div class="quarto-layout-cell {html.escape(width)}"{spacer}>\n'


def _close_div(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    return "</div>\n"


RULES = {
    "raw_dropped": nothing,  # another output format's raw block
    "container_div_open": _div_open, "container_div_close": _div_close,
    "tab_panel_open": _tab_panel_open, "tab_panel_close": _tab_panel_close,
    "layout_row_open": _layout_row_open, "layout_row_close": _close_div,
    "layout_cell_open": _layout_cell_open, "layout_cell_close": _close_div,
}
