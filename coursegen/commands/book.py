"""``python build.py pdf`` without Quarto: the course as a book with Pandoc (``pypandoc-binary``) and Typst
(the ``typst`` wheel), nothing downloaded at run time.

The chapters are first exported as for Quarto (export.py: attention figures as SVG, quizzes with their
answer); Pandoc reads them once into its JSON tree, which this module rewrites for print (French
typography, quiz answers grouped at the end of each chapter, callouts, cross-references with their
number and page, URLs in footnotes, the glossary as an appendix); Pandoc then writes the Typst body
and the EPUB while Typst compiles the PDF with ``templates/book.typ``. The two files are kept in
``.cache/book/<key>/``: the key covers config.yaml, every file of the content folder (chapters, figures,
frozen data, glossary), the template and the code, so ``pdf`` renders again only when one of them changed.

Every failure is one French message: a passage Typst cannot render is reported at its Markdown file and
line (the nearest block start), never as Typst's own diagnostic alone.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from ..attention.render import fmt
from ..cache import digest, own_folder, tree_digest
from ..config import Config
from ..course.figures import AttentionFigures
from ..course.nav import SCHEME
from ..errors import Problems, UserError
from ..pandoc import INSTALL_HINT, pandoc_binary
from ..source.glossary import load_glossary
from ..markdown.parse import site_text
from ..text import french
from .export import ANSWER_TITLE, OUTPUT_FILE, export

TEMPLATE = "book.typ"
EPUB_STYLE = "book-epub.css"
CACHE_DIR = ".cache/book"
TIMEOUT = 300.0
CALLOUT_KINDS = ("note", "tip", "warning", "important", "caution")
_WORD = re.compile(r"[^\W\d_]{4,}")
_MARKER = "// source: "
_LOCATION = re.compile(r"┌─ (?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+)")
_TEXT_RUN = {"Str", "Space", "SoftBreak"}
_NO_TEXT = {"Code", "Math", "RawInline", "CodeBlock", "RawBlock"}
Node = dict[str, Any]


@dataclass(frozen=True)
class Book:
    pdf: Path
    epub: Path
    rebuilt: bool


def _edition_time(config: Config | None) -> int:
    """The edition date (config.yaml ``date``) as a Unix time: same inputs, same PDF and EPUB bytes."""
    if config is None or config.date is None:
        return 0
    return int(dt.datetime.combine(config.date, dt.time(), dt.timezone.utc).timestamp())


def _pandoc_env(config: Config | None = None) -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": str(_edition_time(config))}


def _pandoc(binary: Path, args: list[str], cwd: Path, data: bytes | None = None) -> bytes:
    """Run ``pandoc ARGS``: its output, or one UserError with the end of its log."""
    try:
        done = subprocess.run([str(binary), *args], cwd=cwd, input=data, capture_output=True, timeout=TIMEOUT,
                              env=_pandoc_env())
    except subprocess.TimeoutExpired:
        raise UserError(f"Pandoc n'a pas fini en {TIMEOUT:g} s : arrêté", "relancez la commande") from None
    except OSError as exc:
        raise UserError(f"impossible de lancer Pandoc (« {binary} » : {exc.strerror})", INSTALL_HINT) from None
    if done.returncode != 0:
        log = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UserError(f"Pandoc a échoué (code {done.returncode})",
                        "fin du journal : " + " | ".join(log[-6:]) if log else INSTALL_HINT)
    return done.stdout


# --- the cache key -------------------------------------------------------------------------------------

def cache_key(config: Config) -> str:
    """A hash of every input of the book: config.yaml, the content folder, the template, the code."""
    files = (config.root / "config.yaml", config.templates_path / TEMPLATE, config.templates_path / EPUB_STYLE)
    return digest("book", *(p.read_bytes() if p.is_file() else b"" for p in files),
                  tree_digest(config.content_path))[:32]


def build_book(config: Config, problems: Problems, on_step=None) -> Book | None:
    """The PDF and the EPUB of the course, from the cache when no input changed; None after an error."""
    cache = own_folder(config.root, CACHE_DIR) or Path(tempfile.mkdtemp(prefix="atelier-livre-"))  # never a link
    key = cache_key(config)
    entry = cache / key
    pdf, epub = entry / f"{OUTPUT_FILE}.pdf", entry / f"{OUTPUT_FILE}.epub"
    if pdf.is_file() and epub.is_file():
        return Book(pdf, epub, False)
    template = config.templates_path / TEMPLATE
    if not template.is_file():
        problems.error(f"{config.templates_dir}/{TEMPLATE}", 0, "pdf : le modèle du livre est introuvable",
                       "rétablissez ce fichier (il fait partie du thème)")
        return None
    binary = pandoc_binary()
    with tempfile.TemporaryDirectory(prefix="atelier-livre-") as tmp:
        work = Path(tmp) / "livre"
        export(config.root, work, problems)
        if problems.errors:
            return None
        chapters = yaml.safe_load((work / "_quarto.yml").read_text(encoding="utf-8"))["book"]["chapters"][1:]
        glossary = _glossary_markdown(config, problems)
        if glossary:
            (work / "_glossaire-livre.md").write_text(glossary, encoding="utf-8")
        files = [*chapters, *(["_glossaire-livre.md"] if glossary else [])]
        sources = {name: f"{config.content_dir}/{name}" for name in chapters}
        sources["_glossaire-livre.md"] = f"{config.content_dir}/glossaire.yaml"
        if on_step:
            on_step("Pandoc : lecture des chapitres")
        tree = json.loads(_pandoc(binary, ["--sandbox", "-f", "markdown", "-t", "json", *files], work))
        source_lines = {name: (config.content_path / name).read_text(encoding="utf-8").split("\n")
                        for name in chapters if (config.content_path / name).is_file()}
        _untrusted(tree, files, sources, source_lines, work, problems)
        if problems.errors:
            return None
        for_print, for_epub = prepare(tree, files, sources, source_lines)
        _fit_images(for_print["blocks"], work)
        _weights_tables(for_print["blocks"], config, problems)
        staging = Path(tmp) / "rendus"
        staging.mkdir()
        meta = _metadata(config)
        epub_args = ["-f", "json", "-t", "epub3", "--mathml", "--toc", "--toc-depth=3", "--split-level=1",
                     "--resource-path", str(work), "-o", str(staging / epub.name)]
        if (config.templates_path / EPUB_STYLE).is_file():
            epub_args += ["--css", str(config.templates_path / EPUB_STYLE)]
        identifier = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, config.site_url or config.title))
        for name, value in {**meta, "date": config.date.isoformat() if config.date else "",
                            "identifier": identifier}.items():
            if value:
                epub_args += ["--metadata", f"{name}={value}"]
        epub_job = subprocess.Popen([str(binary), *epub_args], cwd=work, stdin=subprocess.PIPE, env=_pandoc_env(config),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            assert epub_job.stdin is not None
            epub_job.stdin.write(json.dumps(for_epub).encode())
            epub_job.stdin.close()
            if on_step:
                on_step("Typst : mise en page du PDF")
            body = _pandoc(binary, ["--sandbox", "-f", "json", "-t", "typst", "--wrap=none"], work,
                           json.dumps(_decimal_commas(for_print)).encode()).decode("utf-8")
            body = _TYPST_DECIMAL.sub(r'\1","', body)
            shutil.copy(template, work / TEMPLATE)
            main = work / "main.typ"
            main.write_text(_main_typ(meta) + body, encoding="utf-8")
            if not _compile(main, staging / pdf.name, config, problems):
                return None
            log = epub_job.stderr.read() if epub_job.stderr else b""
            if epub_job.wait(timeout=TIMEOUT) != 0:
                tail = " | ".join(log.decode("utf-8", "replace").strip().splitlines()[-6:])
                raise UserError(f"Pandoc a échoué en écrivant l'EPUB (code {epub_job.returncode})",
                                f"fin du journal : {tail}" if tail else INSTALL_HINT)
        finally:
            if epub_job.poll() is None:
                epub_job.kill()
                epub_job.wait()
        if cache.is_dir():
            for old in cache.iterdir():  # one book at a time: older keys are dropped
                if re.fullmatch(r"[0-9a-f]{32}", old.name):  # only books this cache named
                    shutil.rmtree(old, ignore_errors=True)
        cache.mkdir(parents=True, exist_ok=True)
        partial = cache / f".{key}-{os.getpid()}"
        shutil.copytree(staging, partial)
        try:  # complete or absent, even with two ``pdf`` at once
            partial.rename(entry)
        except OSError:
            shutil.rmtree(partial, ignore_errors=True)
    return Book(pdf, epub, True)


def _metadata(config: Config) -> dict[str, str]:
    return {"title": site_text(config.title).text, "subtitle": site_text(config.subtitle).text, "author": config.author,
            "date": config.date_fr if config.date else "", "lang": config.language or "fr"}


def _typst_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _main_typ(meta: dict[str, str]) -> str:
    args = ", ".join(f"{k}: {_typst_string(v)}" for k, v in meta.items())
    return f'#import "{TEMPLATE}": *\n#show: book.with({args})\n\n'


def _glossary_markdown(config: Config, problems: Problems) -> str:
    entries = load_glossary(config.content_path, config.content_dir, problems)
    if not entries:
        return ""
    lines = ["# Glossaire {#glossaire-livre .unnumbered}", ""]
    for entry in entries:
        english = f" (*{entry.english}*)" if entry.english and entry.english != entry.term else ""
        lines += [f"**{entry.term}**{english}", f":   {entry.definition}", ""]
    return "\n".join(lines)


def _compile(main: Path, output: Path, config: Config, problems: Problems) -> bool:
    """Typst to PDF with its embedded fonts only; an error is placed at the Markdown line it comes from."""
    import typst  # lazy: the compiler is loaded only when a book is made

    empty = main.parent / "_aucun-paquet"
    empty.mkdir(exist_ok=True)
    try:
        _, warnings = typst.compile_with_warnings(
            str(main), output=str(output), root=str(main.parent), font_paths=[], timestamp=_edition_time(config),
            ignore_system_fonts=True, package_path=str(empty), package_cache_path=str(empty))
    except typst.TypstError as exc:
        diagnostic = exc.diagnostic or ""  # may list warnings before the error: locate the error
        path, line = _locate(diagnostic[max(diagnostic.find("error:"), 0):], main, config)
        problems.error(path, line, f"pdf : Typst ne sait pas mettre en page ce passage "
                       f"(message de Typst : « {exc.message} »)",
                       "corrigez ou simplifiez ce passage (image, formule, tableau) : le PDF n'est pas produit "
                       "et le site n'est pas touché")
        return False
    for warning in warnings:
        path, line = _locate(warning.diagnostic or "", main, config)
        problems.warn(path, line, f"pdf : avertissement de Typst (« {warning.message} »)",
                      "vérifiez ce passage dans le PDF")
    return True


def _locate(diagnostic: str, main: Path, config: Config) -> tuple[str, int]:
    """The Markdown file and line behind Typst's first diagnostic: the ``// source:`` marker above the line of
    main.typ at fault, or above the line that loads the faulty file (an image Typst cannot read)."""
    template = f"{config.templates_dir}/{TEMPLATE}"
    found = _LOCATION.search(diagnostic)
    if not found:
        return template, 0
    where = (Path.cwd() / found["file"].strip()).resolve()
    if where.name == TEMPLATE:
        return template, int(found["line"])
    lines = main.read_text(encoding="utf-8").split("\n")
    if where == main.resolve():
        line = int(found["line"])
    else:
        try:
            rel = where.relative_to(main.parent.resolve()).as_posix()
        except ValueError:
            return template, 0
        line = next((n for n, text in enumerate(lines, 1) if f'"{rel}"' in text), 0)
    for text in reversed(lines[:line]):
        if text.startswith(_MARKER):
            path, _, number = text[len(_MARKER):].rpartition(":")
            return path, int(number)
    return template, 0


# --- what the chapters may not bring into the book ----------------------------------------------------

def _untrusted(tree: Node, files: list[str], sources: dict[str, str], source_lines: dict[str, list[str]],
               work: Path, problems: Problems) -> None:
    """Nothing outside the work folder reaches the book. The EPUB is written by Pandoc without ``--sandbox``
    (the sandbox refuses the images of the work folder and the ``--css`` file), so the tree is cleaned here:
    an image whose target is not a relative path inside the work folder (``/etc/…``, ``file:``, ``http:``) is
    an error at its Markdown line; raw HTML (and any raw code but Typst) is removed with a warning, since
    Pandoc would copy it into the EPUB and fetch what its ``src`` names; chapter metadata is emptied (its
    ``cover-image`` or ``css`` would be read too: the book's metadata comes from config.yaml)."""
    tree["meta"] = {}
    root = work.resolve()
    warned: set[tuple[str, int]] = set()
    at: dict[str, Any] = {"source": "", "lines": None}

    def clean(value: Any) -> Any:
        if isinstance(value, list):
            kept = []
            for item in value:
                if isinstance(item, dict) and item.get("t") in ("RawInline", "RawBlock") \
                        and item["c"][0].lower() != "typst":
                    text = item["c"][1].strip()
                    where = (at["source"], _line_of(at["lines"], text.split("\n", 1)[0]))
                    if where not in warned:
                        warned.add(where)
                        shown = text if len(text) <= 40 else text[:39] + "…"
                        problems.warn(*where, f"pdf : code {item['c'][0]} brut retiré du livre (« {shown} »)",
                                      "le PDF et l'EPUB n'incluent pas le HTML écrit dans les chapitres : "
                                      "écrivez ce passage en Markdown (image : ![texte](assets/nom.png))")
                    continue
                kept.append(clean(item))
            return kept
        if isinstance(value, dict):
            if value.get("t") == "Image" and not _inside(value["c"][2][0], root):
                src = value["c"][2][0]
                problems.error(at["source"], _line_of(at["lines"], src),
                               f"pdf : l'image « {src} » n'est pas un fichier du dossier du cours : "
                               "elle n'est ni lue ni téléchargée",
                               "placez l'image dans le dossier du contenu (par exemple assets/) et "
                               "donnez son chemin relatif : ![texte](assets/nom.png)")
                return {"t": "Span", "c": [["", [], []], clean(value["c"][1])]}
            if "c" in value:
                value["c"] = clean(value["c"])
        return value

    blocks: list[Node] = []
    index = -1
    for block in tree["blocks"]:
        if block["t"] == "Header" and block["c"][0] == 1 or index < 0:
            index += 1
            name = files[index] if index < len(files) else ""
            at["source"], at["lines"] = sources.get(name, name), source_lines.get(name)
        blocks += clean([block])
    tree["blocks"] = blocks


def _inside(src: str, root: Path) -> bool:
    """A relative path (no scheme, no leading slash) that stays inside ``root``, as written and unescaped."""
    if not src or SCHEME.match(src) or src.startswith(("/", "\\")):
        return False
    for candidate in {src, unquote(src)}:
        try:
            (root / candidate).resolve().relative_to(root)
        except (ValueError, OSError):
            return False
    return True


def _line_of(lines: list[str] | None, needle: str) -> int:
    """The first Markdown line holding ``needle``; 0 when unknown."""
    if lines and needle:
        for number, text in enumerate(lines, 1):
            if needle in text:
                return number
    return 0


# --- the Pandoc tree, rewritten for print ------------------------------------------------------------------

def _str(text: str) -> Node:
    return {"t": "Str", "c": text}


def _para(inlines: list[Node]) -> Node:
    return {"t": "Para", "c": inlines}


def _raw(text: str, block: bool = True) -> Node:
    return {"t": "RawBlock" if block else "RawInline", "c": ["typst", text]}


def stringify(node: Any) -> str:
    if isinstance(node, list):
        return "".join(stringify(n) for n in node)
    if not isinstance(node, dict):
        return ""
    t = node.get("t")
    if t == "Str":
        return node["c"]
    if t in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if t in ("Code", "Math"):
        return node["c"][1]
    if t == "CodeBlock":
        return node["c"][1]
    return stringify(node.get("c"))


def _is_inlines(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(n, dict) and n.get("t") in _INLINE_TYPES for n in value)


_INLINE_TYPES = {"Str", "Emph", "Underline", "Strong", "Strikeout", "Superscript", "Subscript", "SmallCaps",
                 "Quoted", "Cite", "Code", "Space", "SoftBreak", "LineBreak", "Math", "RawInline", "Link", "Image",
                 "Note", "Span"}


def _french_inlines(inlines: list[Node], prev: str = "") -> tuple[list[Node], str]:
    """Merge each run of words and spaces into one text, typeset the French way (coursegen.text.french)."""
    out: list[Node] = []
    run: list[str] = []

    def flush() -> None:
        nonlocal prev
        if run:
            text = french("".join(run), prev)
            out.append(_str(text))
            prev = text[-1:] or prev
            run.clear()

    for node in inlines:
        t = node.get("t")
        if t in _TEXT_RUN:
            run.append(node["c"] if t == "Str" else " ")
            continue
        flush()
        if t in _NO_TEXT:
            prev = "x"
        elif t in ("Emph", "Strong", "Underline", "Strikeout", "SmallCaps", "Superscript", "Subscript"):
            node["c"], prev = _french_inlines(node["c"], prev)
        elif t in ("Link", "Span", "Quoted"):
            node["c"][1], prev = _french_inlines(node["c"][1], prev)
        elif t == "Image":
            node["c"][1], _ = _french_inlines(node["c"][1])
        elif t == "Note":
            _french_walk(node["c"])
        out.append(node)
    flush()
    return out, prev


def _french_walk(value: Any) -> None:
    if isinstance(value, dict):
        if value.get("t") in _NO_TEXT:
            return
        c = value.get("c")
        if _is_inlines(c):
            value["c"], _ = _french_inlines(c)
        else:
            _french_walk(c)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if _is_inlines(item):
                value[i], _ = _french_inlines(item)
            else:
                _french_walk(item)


def _classes(node: Node) -> list[str]:
    t = node.get("t")
    if t == "Header":
        return node["c"][1][1]
    if t in ("Div", "Figure", "CodeBlock"):
        return node["c"][0][1]
    return []


def _ids(value: Any, found: set[str]) -> set[str]:
    """Every id a link may point to (headings, figures, divs, spans)."""
    if isinstance(value, dict):
        t, c = value.get("t"), value.get("c")
        if t == "Header" and c[1][0]:
            found.add(c[1][0])
        elif t in ("Div", "Figure", "Table", "CodeBlock") and isinstance(c, list) and c and c[0][0]:
            found.add(c[0][0])
        elif t in ("Span", "Image", "Link") and c[0][0]:
            found.add(c[0][0])
        _ids(c, found)
    elif isinstance(value, list):
        for item in value:
            _ids(item, found)
    return found


def prepare(tree: Node, files: list[str], sources: dict[str, str],
            source_lines: dict[str, list[str]]) -> tuple[Node, Node]:
    """The tree for Typst and the tree for the EPUB, from Pandoc's reading of the exported chapters."""
    _french_walk(tree["blocks"])
    chapters: list[list[Node]] = []
    for block in tree["blocks"]:
        if block["t"] == "Header" and block["c"][0] == 1 or not chapters:
            chapters.append([])
        chapters[-1].append(block)
    chapter_ids = {name: chapter[0]["c"][1][0] for name, chapter in zip(files, chapters)
                   if chapter and chapter[0]["t"] == "Header"}
    known = _ids(tree["blocks"], set())
    labels: dict[str, str] = {}
    chapter_no = 0
    for chapter in chapters:
        if chapter and chapter[0]["t"] == "Header" and "unnumbered" not in _classes(chapter[0]):
            chapter_no += 1
            _number_chapter(chapter, chapter_no, labels)
        else:
            _number_chapter(chapter, 0, labels)
    printed: list[Node] = []
    reflowed: list[Node] = []
    for name, chapter in zip(files, chapters):
        numbered = "unnumbered" not in _classes(chapter[0])
        if not numbered:
            for block in chapter:
                if block["t"] == "Header" and "unnumbered" not in block["c"][1][1]:
                    block["c"][1][1].append("unnumbered")
        chapter = _group_answers(chapter)
        for_epub = copy.deepcopy(chapter)
        _epub_numbers(for_epub, labels)
        _links(for_epub, chapter_ids, known, typst=False, labels=labels)
        _callouts(for_epub, typst=False)
        reflowed += for_epub
        _links(chapter, chapter_ids, known, typst=True)
        _callouts(chapter, typst=True)
        _plain_figures(chapter)
        printed += _with_markers(chapter, sources.get(name, name), source_lines.get(name))
    base = {k: v for k, v in tree.items() if k != "blocks"}
    return {**base, "blocks": printed}, {**base, "blocks": reflowed}


def _is_answer(block: Node) -> bool:
    if block["t"] != "Div":
        return False
    attrs = block["c"][0]
    return "callout-tip" in attrs[1] and dict(attrs[2]).get("title") == ANSWER_TITLE


def _group_answers(chapter: list[Node]) -> list[Node]:
    """Quizzes: « Question N. » before each question, its answer moved to the end of the chapter."""
    out: list[Node] = []
    answers: list[Node] = []
    for block in chapter:
        if not _is_answer(block):
            out.append(block)
            continue
        n = len(answers) + 1
        label = [{"t": "Strong", "c": [_str(f"Question {n}.")]}, {"t": "Space"}]
        choices = len(out) - 1 if out and out[-1]["t"] in ("BulletList", "OrderedList") else len(out)
        if choices > 0 and out[choices - 1]["t"] in ("Para", "Plain"):
            out[choices - 1]["c"] = label + out[choices - 1]["c"]
        out.append(_para([{"t": "Emph", "c": [_str(f"Réponse en fin de chapitre (question {n}).")]}]))
        content = block["c"][1]
        if content and content[0]["t"] in ("Para", "Plain"):
            content = [{"t": content[0]["t"], "c": label + content[0]["c"]}, *content[1:]]
        else:
            content = [_para(label[:1]), *content]
        answers.append(content)
    if not answers:
        return out
    out.append({"t": "Header", "c": [2, ["", ["unnumbered"], []], [_str("Réponses aux questions")]]})
    for blocks in answers:
        out += blocks
    return out


def _walk_inlines(value: Any, visit) -> None:
    """Call ``visit(list)`` on every list of inlines, innermost last."""
    if isinstance(value, dict):
        if value.get("t") in _NO_TEXT:
            return
        _walk_inlines(value.get("c"), visit)
    elif isinstance(value, list):
        for item in value:
            _walk_inlines(item, visit)
        if _is_inlines(value):
            visit(value)


def _number_chapter(chapter: list[Node], number: int, labels: dict[str, str]) -> None:
    """The site's numbers (course/nav.py): chapter N, sections N.1 and N.1.1 (deeper ones unnumbered),
    figures with a ``fig-`` id N.1, N.2… (1, 2… in an unnumbered chapter); ``labels``: id -> « section 1.2 »."""
    counters = [0] * 8
    for block in chapter:
        if block["t"] != "Header":
            continue
        level, (ident, classes, _), _ = block["c"]
        if level == 1:
            if number and ident:
                labels[ident] = f"chapitre {number}"
            continue
        if not number or "unnumbered" in classes:
            continue
        counters[level] += 1
        for deeper in range(level + 1, len(counters)):
            counters[deeper] = 0
        if level <= 3 and ident:
            labels[ident] = "section " + ".".join([str(number)] + [str(counters[lv]) for lv in range(2, level + 1)])
    figures: list[Node] = []
    _collect(chapter, "Figure", figures)
    index = 0
    for figure in figures:
        ident = figure["c"][0][0]
        if ident.startswith("fig-"):
            index += 1
            labels[ident] = f"figure {number}.{index}" if number else f"figure {index}"


def _collect(value: Any, kind: str, found: list[Node]) -> None:
    if isinstance(value, dict):
        if value.get("t") == kind:
            found.append(value)
        _collect(value.get("c"), kind, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, kind, found)


def _numero(text: str) -> Node:
    return {"t": "Span", "c": [["", ["numero"], []], [_str(text)]]}


def _epub_numbers(chapter: list[Node], labels: dict[str, str]) -> None:
    """For the EPUB (Typst numbers the PDF itself): « 1.2 » before section titles, « Figure 1.2 : » before captions."""
    for block in chapter:
        if block["t"] == "Header" and block["c"][1][0] in labels:
            block["c"][2] = [_numero(labels[block["c"][1][0]].split(" ", 1)[1]), {"t": "Space"}, *block["c"][2]]
    figures: list[Node] = []
    _collect(chapter, "Figure", figures)
    for figure in figures:
        label = labels.get(figure["c"][0][0], "")
        caption = figure["c"][1][1]
        if label and caption and caption[0]["t"] in ("Para", "Plain"):
            caption[0]["c"] = [_numero("Figure " + label.split(" ", 1)[1]), _str("\u00a0: "), *caption[0]["c"]]


def _links(blocks: list[Node], chapter_ids: dict[str, str], known: set[str], typst: bool,
           labels: dict[str, str] | None = None) -> None:
    """Links between chapters point inside the book; external URLs are printed in a footnote."""
    def visit(inlines: list[Node]) -> None:
        i = 0
        while i < len(inlines):
            node = inlines[i]
            if node.get("t") != "Link":
                i += 1
                continue
            attr, text, (url, title) = node["c"]
            if SCHEME.match(url) or url.startswith("//"):
                shown = stringify(text).strip()
                if typst and shown.rstrip("/") != url.rstrip("/") and not url.startswith("mailto:"):
                    note = {"t": "Note", "c": [{"t": "Plain", "c": [
                        {"t": "Link", "c": [["", [], []], [_str(url)], [url, ""]]}]}]}
                    inlines.insert(i + 1, note)
                    i += 1
                i += 1
                continue
            path, _, anchor = url.partition("#")
            target = anchor or chapter_ids.get(path.rsplit("/", 1)[-1], "")
            if target and target in known:
                node["c"][2] = ["#" + target, title]
                if typst:
                    inlines.insert(i + 1, _raw(f"#xref(<{target}>)", block=False))
                    i += 1
                elif labels and target in labels:
                    inlines.insert(i + 1, _str(f"\u00a0({labels[target].replace(' ', chr(0xa0))})"))
                    i += 1
            else:  # a file of the site (an asset): its text stays, the link goes
                inlines[i] = {"t": "Span", "c": [attr, text]}
            i += 1

    _walk_inlines(blocks, visit)


def _callouts(blocks: list[Node], typst: bool) -> None:
    """Callout divs: a framed block with its title (Typst), a titled div (EPUB)."""
    for i in range(len(blocks) - 1, -1, -1):
        block = blocks[i]
        t, c = block.get("t"), block.get("c")
        if t == "Div":
            _callouts(c[1], typst)
            kind = next((cls.removeprefix("callout-") for cls in c[0][1] if cls.startswith("callout-")), "")
            if kind not in CALLOUT_KINDS:
                continue
            title = french(dict(c[0][2]).get("title", ""))
            if typst:
                blocks[i:i + 1] = [_raw(f"#callout({_typst_string(kind)}, {_typst_string(title)})["),
                                   *c[1], _raw("]")]
            else:
                c[0][2] = [kv for kv in c[0][2] if kv[0] not in ("collapse", "title")]
                c[0][1] = ["callout", f"callout-{kind}"]
                if title:
                    c[1].insert(0, _para([{"t": "Strong", "c": [_str(title)]}]))
        elif t in ("BulletList", "OrderedList"):
            for item in (c if t == "BulletList" else c[1]):
                _callouts(item, typst)
        elif t == "BlockQuote":
            _callouts(c, typst)


def _plain_figures(blocks: list[Node]) -> None:
    """A captioned image without ``#fig-`` id is not numbered on the site: no numbered figure in print."""
    for i, block in enumerate(blocks):
        if block["t"] == "Figure" and not block["c"][0][0].startswith(("fig-", "tbl-")):
            caption = block["c"][1][1]
            inner = block["c"][2]
            text = [b for b in caption if b["t"] in ("Para", "Plain")]
            blocks[i] = {"t": "Div", "c": [["", [], []], inner + [
                _para([{"t": "Emph", "c": b["c"]}]) for b in text]]}


_TEX_DECIMAL = re.compile(r"(\d)\{,\}(?=\d)")
_TYPST_DECIMAL = re.compile(r'(\d) upright\(","\) (?=\d)')


def _decimal_commas(value: Any) -> Any:
    """« 0{,}71 » in a formula: a decimal comma, without the space Typst puts after a comma in math."""
    if isinstance(value, dict):
        if value.get("t") == "Math":
            value["c"][1] = _TEX_DECIMAL.sub(r"\1\\text{,}", value["c"][1])
        else:
            _decimal_commas(value.get("c"))
    elif isinstance(value, list):
        for item in value:
            _decimal_commas(item)
    return value


_ATTENTION_SVG = re.compile(r"^figures/(?P<name>[\w.-]+?)(?:-c(?P<layer>\d+)t(?P<head>\d+))?\.svg$")
_SHOWN_HEAD = re.compile(r"Couche (\d+), tête (\d+)")
MAX_TABLE_TOKENS = 16  # columns of weights that still fit the text width at 6.5 pt


def _weights_tables(blocks: list[Node], config: Config, problems: Problems) -> None:
    """After each head-view attention figure, its weights as a table (as the site's « Voir les poids »),
    when the sentence is short enough for the table to fit the page width."""
    figures = AttentionFigures(config)
    for i in range(len(blocks) - 1, -1, -1):
        block = blocks[i]
        if block["t"] != "Figure":
            continue
        images: list[Node] = []
        _collect(block["c"][2], "Image", images)
        found = _ATTENTION_SVG.match(images[0]["c"][2][0]) if images else None
        shown = _SHOWN_HEAD.search(stringify(block["c"][1]))
        if not found or not shown:
            continue
        try:
            resolved = figures.resolve({"data": found["name"]}, problems)
        except UserError:
            continue  # already reported by the export
        if resolved is None or "attention" not in resolved[1]:
            continue
        data = resolved[1]
        layer, head = int(shown[1]), int(shown[2])
        tokens = [t["label"] for t in data["tokens"]]
        if len(tokens) > MAX_TABLE_TOKENS:
            continue
        matrix = data["attention"][layer - 1][head - 1]
        rows = ", ".join("(" + ", ".join(_typst_string(fmt(w)) for w in row) + ",)" for row in matrix)
        blocks.insert(i + 1, _raw(
            f"#weights-table(({', '.join(_typst_string(t) for t in tokens)},), ({rows},), "
            f"{_typst_string(f'Poids d’attention, couche {layer}, tête {head}')})"))


_SVG_SIZE = re.compile(rb'<svg\b[^>]*?\bwidth="([\d.]+)"[^>]*?\bheight="([\d.]+)"', re.S)
MAX_WIDTH_CM, MAX_HEIGHT_CM = 16.0, 10.5


def _fit_images(value: Any, work: Path) -> None:
    """A tall figure (an attention map) is narrowed so that it keeps to about half a page."""
    if isinstance(value, list):
        for item in value:
            _fit_images(item, work)
    elif isinstance(value, dict):
        if value.get("t") == "Image":
            attr, _, (src, _) = value["c"]
            path = work / src
            size = _SVG_SIZE.search(path.read_bytes()[:4096]) if src.endswith(".svg") and path.is_file() else None
            if size and not any(k == "width" for k, _ in attr[2]):
                width, height = float(size[1]), float(size[2])
                if width > 0 and height > 0:
                    attr[2].append(["width", f"{min(MAX_WIDTH_CM, MAX_HEIGHT_CM * width / height):.1f}cm"])
            return
        _fit_images(value.get("c"), work)


def _with_markers(blocks: list[Node], source: str, lines: list[str] | None) -> list[Node]:
    """Each top-level block preceded by a Typst comment naming its Markdown line (found by its first word)."""
    out: list[Node] = []
    at = 0
    for block in blocks:
        if lines is None:
            out.append(_raw(f"{_MARKER}{source}:1"))
            out.append(block)
            continue
        if block["t"] in ("CodeBlock", "RawBlock"):  # the first line of code, as written
            probe = next((line.strip() for line in block["c"][1].split("\n") if line.strip()), "")
            pattern = re.compile(re.escape(probe)) if probe else None
        else:  # the first word of the text, as a whole word (« texte » is not found in « contexte »)
            probe = next(iter(_WORD.findall(stringify(block))), "")
            if not probe and block["t"] == "Para" and block["c"] and block["c"][0].get("t") == "Math":
                probe = "$$"
            pattern = re.compile(rf"(?<!\w){re.escape(probe)}(?!\w)") if probe else None
        if pattern:
            for n in range(at, len(lines)):
                if pattern.search(lines[n]):
                    at = n
                    break
        out.append(_raw(f"{_MARKER}{source}:{at + 1}"))
        out.append(block)
    return out
