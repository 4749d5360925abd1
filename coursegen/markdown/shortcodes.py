"""Quarto shortcodes the parser reads (``var``, ``meta`` and ``include`` are replaced before, in
``source``): ``{{< kbd Ctrl-C >}}`` (keys), ``{{< video URL >}}`` (a link: the site's CSP forbids frames, and
an embed would call a third party), ``{{< pagebreak >}}`` (a page break when printed, nothing on screen).
``{{{< name >}}}`` is shown as ``{{< name >}}``, as Quarto shows it. Any other shortcode is removed with a
warning at its line that names it; none is ever left as text.
"""

from __future__ import annotations

import bisect
import html
import shlex
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

KNOWN = ("include", "var", "meta", "pagebreak", "kbd", "video")
KBD_SYSTEMS = {"win": "Windows", "mac": "macOS", "linux": "Linux"}  # Quarto's names, in the order shown
WARNINGS = "shortcode_warnings"  # env key: (0-based line in the text parsed, message, hint)
_CLOSERS = "shortcode_closers"   # env key, while parsing: closer and newline offsets of each inline text


def install(md: MarkdownIt) -> None:
    md.inline.ruler.before("backticks", "qmd_shortcode", _shortcode_rule)
    md.core.ruler.after("inline", "qmd_shortcode_blocks", _blocks_rule)


def _closer(state: StateInline, start: int) -> int:
    """Offset of the first ``>}}`` after ``start`` on the same line, or -1. The offsets of every ``>}}`` and
    line end of the text are found once per text: searching the rest of the line from each opener would be
    quadratic on a line of openers without closers."""
    src = state.src
    memo = state.env.setdefault(_CLOSERS, {})
    if src not in memo:
        closers, ends, pos = [], [], src.find(">}}")
        while pos >= 0:
            closers.append(pos)
            pos = src.find(">}}", pos + 1)
        pos = src.find("\n")
        while pos >= 0:
            ends.append(pos)
            pos = src.find("\n", pos + 1)
        memo[src] = (closers, ends)
    closers, ends = memo[src]
    k = bisect.bisect_left(closers, start)
    if k == len(closers):
        return -1
    n = bisect.bisect_left(ends, start)
    return closers[k] if n == len(ends) or closers[k] < ends[n] else -1


def _shortcode_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if not src.startswith("{{", pos):
        return False
    escaped = src.startswith("{{{<", pos)
    if not escaped and not src.startswith("{{<", pos):
        return False
    start = pos + (4 if escaped else 3)
    close = _closer(state, start)
    if close < 0 or (escaped and not src.startswith(">}}}", close)):
        return False
    end = close + (4 if escaped else 3)
    if not silent:
        if escaped:
            token = state.push("shortcode_escaped", "", 0)
            token.content = src[pos + 1:end - 1]
        else:
            _push(state, src[start:close], src[pos:end])
    state.pos = end
    return True


def parse_arguments(text: str) -> tuple[str, list[str], dict[str, str]] | None:
    """``kbd Ctrl-C mac=Command-C`` -> ("kbd", ["Ctrl-C"], {"mac": "Command-C"}); quotes group words, as in
    Quarto; None if a quote is not closed."""
    try:
        words = shlex.split(text, posix=True)
    except ValueError:
        return None
    if not words:
        return None
    args: list[str] = []
    kwargs: dict[str, str] = {}
    for word in words[1:]:
        key, sep, value = word.partition("=")
        if sep and key.replace("-", "").replace("_", "").isalnum():
            kwargs[key] = value
        else:
            args.append(word)
    return words[0], args, kwargs


def _push(state: StateInline, inner: str, raw: str) -> None:
    parsed = parse_arguments(inner)
    if parsed is None:
        token = state.push("shortcode", "", 0)
        token.content, token.meta = raw, {"name": inner.strip().split(" ")[0], "args": [], "kwargs": {},
                                          "problem": "guillemet non fermé dans ses arguments"}
        return
    name, args, kwargs = parsed
    if name == "video" and (args or kwargs.get("src")):
        url = args[0] if args else kwargs["src"]
        link = state.push("link_open", "a", 1)
        link.attrs = {"href": url, "class": "video-link"}
        link.markup = "shortcode"
        text = state.push("text", "", 0)
        text.content = f"Vidéo : {kwargs['title']}" if kwargs.get("title") else f"Vidéo : {url}"
        state.push("link_close", "a", -1)
        return
    token = state.push("shortcode", "", 0)
    token.content, token.meta = raw, {"name": name, "args": args, "kwargs": kwargs}


def _blocks_rule(state: StateCore) -> None:
    """Warn about the shortcodes that show nothing, make a lone ``pagebreak`` a block, and show escaped shortcodes
    in code as Quarto does."""
    state.env.pop(_CLOSERS, None)
    out: list[Token] = []
    tokens = state.tokens
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type in ("fence", "code_block") and "{{{<" in tok.content:
            tok.content = _unescape(tok.content)
        if tok.type == "paragraph_open" and i + 2 < len(tokens) and tokens[i + 1].type == "inline":
            kept = [c for c in tokens[i + 1].children or [] if not (c.type == "text" and not c.content.strip())]
            if len(kept) == 1 and kept[0].type == "shortcode" and kept[0].meta["name"] == "pagebreak":
                out.append(Token("pagebreak", "div", 0, map=tok.map, block=True))
                i += 3
                continue
        if tok.type == "inline" and tok.children:
            _check_inline(tok, state.env)
        out.append(tok)
        i += 1
    tokens[:] = out


def _unescape(text: str) -> str:
    return text.replace("{{{<", "{{<").replace(">}}}", ">}}")


def _check_inline(block: Token, env: dict[str, Any]) -> None:
    line0 = block.map[0] if block.map else 0
    for child in block.children or []:
        if child.type in ("softbreak", "hardbreak"):
            line0 += 1
        elif child.type == "code_inline" and "{{{<" in child.content:
            child.content = _unescape(child.content)
        elif child.type == "shortcode":
            problem = _problem(child.meta)
            if problem:
                env.setdefault(WARNINGS, []).append((line0, *problem))


def _problem(meta: dict[str, Any]) -> tuple[str, str] | None:
    """What is wrong with one shortcode, as (message, hint), or None."""
    name, args, kwargs = meta["name"], meta["args"], meta["kwargs"]
    if meta.get("problem"):
        return (f"shortcode Quarto « {name} » illisible : {meta['problem']} : retiré de la page",
                "fermez chaque guillemet : {{< kbd \"Ctrl C\" >}}")
    if name not in KNOWN:
        return (f"shortcode Quarto « {name} » non pris en charge : retiré de la page",
                f"shortcodes reconnus : {', '.join(KNOWN)} ; remplacez celui-ci par du texte ou une image")
    if name in ("include", "var", "meta"):  # replaced before parsing, unless written where that cannot be done
        return (f"shortcode Quarto « {name} » à cet endroit non pris en charge : retiré de la page",
                "placez « {{< include … >}} » seul sur sa ligne" if name == "include"
                else "une valeur de _variables.yml ou de l'en-tête ne peut pas se citer elle-même")
    if name == "pagebreak":
        return ("« {{< pagebreak >}} » au milieu d'un paragraphe : retiré de la page",
                "placez-le seul sur sa ligne, entre deux paragraphes")
    if name == "video":
        return "« {{< video >}} » sans adresse : retiré de la page", "écrivez {{< video https://… >}}"
    unknown = sorted(k for k in kwargs if k not in KBD_SYSTEMS and k != "mode")
    if unknown or not (args or any(k in KBD_SYSTEMS for k in kwargs)):
        return (f"« {{{{< kbd >}}}} » : {'argument « ' + unknown[0] + ' » inconnu' if unknown else 'aucune touche'}",
                "écrivez {{< kbd Ctrl-C >}}, ou {{< kbd mac=Command-C win=Ctrl-C >}}")
    return None


def kbd_keys(meta: dict[str, Any]) -> list[tuple[str, str]]:
    """The key combinations a ``kbd`` shortcode shows: [(combination, system or "")]. The default one alone
    when given (the site shows one text to every reader), else each system's, in Quarto's order."""
    args, kwargs = meta["args"], meta["kwargs"]
    if args:
        return [(args[0], "")]
    return [(kwargs[k], name) for k, name in KBD_SYSTEMS.items() if kwargs.get(k)]


def kbd_html(meta: dict[str, Any]) -> str:
    """``Ctrl-C`` -> ``<kbd class="touches"><kbd>Ctrl</kbd>-<kbd>C</kbd></kbd>`` (HTML's markup for a
    combination of keys); several systems are listed, each named."""
    shown = []
    for combination, system in kbd_keys(meta):
        keys = "-".join(f"<kbd>{html.escape(key)}</kbd>" for key in _split_keys(combination))
        shown.append(f'<kbd class="touches">{keys}</kbd>' + (f" ({system})" if system else ""))
    return ", ".join(shown)


def kbd_text(meta: dict[str, Any]) -> str:
    return ", ".join(c + (f" ({s})" if s else "") for c, s in kbd_keys(meta))


def _split_keys(combination: str) -> list[str]:
    """``Ctrl-C`` -> [Ctrl, C]; ``Ctrl--`` -> [Ctrl, -] (a key is at least one character, so a dash right
    after a separator is the minus key)."""
    keys: list[str] = []
    i = 0
    while i < len(combination):
        j = combination.find("-", i + 1)
        if j < 0:
            keys.append(combination[i:])
            break
        keys.append(combination[i:j])
        i = j + 1
    return keys
