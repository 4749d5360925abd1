"""Quarto constructs of a real project, read by this tool and by Pandoc (Quarto's own parser).

    .venv/bin/python benchmarks/quarto_constructs.py DOSSIER [DOSSIER…]

For every ``.qmd`` page of each folder (a Quarto project copied into a git-ignored folder, never committed):
the divs by class, callouts titled by their first heading, tabsets, raw blocks, the warnings this tool gives
by kind, and the agreement with ``pandoc -f markdown -t json`` on the nesting of divs and the number of code
blocks (Quarto's ```` ```{r} ```` cells are read as ```` ```r ```` by both, since Pandoc alone does not know them).
"""

from __future__ import annotations

import collections
import json
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pypandoc  # noqa: E402

from coursegen.markdown.parse import new_engine  # noqa: E402

_FRONT = re.compile(r"\A---\n.*?\n---\n", re.S)
_CELL = re.compile(r"^(\s*`{3,})\{([A-Za-z]+)[^}]*\}", re.M)


def body_of(path: Path) -> str:
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    match = _FRONT.match(text)
    body = text[match.end():] if match else text
    return _CELL.sub(r"\1\2", body)


def ours(md, body: str) -> tuple[list[tuple[int, str]], int, list[str], int]:
    env: dict = {}
    tokens = md.parse(body, env)
    divs, depth, code, titled = [], 0, 0, 0
    for tok in tokens:
        if tok.type == "container_div_open":
            titled += "title_inline" in tok.meta
            info = tok.info.strip()
            name = re.findall(r"\.([\w-]+)", info)[:1] if info.startswith("{") else [info.split()[0]]
            divs.append((depth, name[0] if name else ""))
            depth += 1
        elif tok.type == "container_div_close":
            depth -= 1
        elif tok.type in ("fence", "code_block"):
            code += 1
    return divs, code, [message for _, message, _ in env.get("qmd_warnings", [])], titled


def pandocs(body: str) -> tuple[list[tuple[int, str]], int]:
    out = subprocess.run([pypandoc.get_pandoc_path(), "-f", "markdown", "-t", "json"], input=body,
                         capture_output=True, text=True, check=True).stdout
    divs: list[tuple[int, str]] = []
    code = 0

    def walk(node, depth: int) -> None:
        nonlocal code
        if isinstance(node, dict):
            if node.get("t") == "Div":
                classes = node["c"][0][1]
                divs.append((depth, classes[0] if classes else ""))
                for block in node["c"][1]:
                    walk(block, depth + 1)
                return
            if node.get("t") == "CodeBlock":
                code += 1
            walk(node.get("c"), depth)
        elif isinstance(node, list):
            for item in node:
                walk(item, depth)
    walk(json.loads(out)["blocks"], 0)
    return divs, code


def main(folders: list[str]) -> None:
    md = new_engine()
    for folder in map(Path, folders):
        pages = sorted(p for p in folder.rglob("*.qmd") if "_freeze" not in p.parts and "site_libs" not in p.parts)
        classes: collections.Counter = collections.Counter()
        kinds: collections.Counter = collections.Counter()
        titled = same_divs = same_code = 0
        seconds = 0.0
        for page in pages:
            body = body_of(page)
            start = time.perf_counter()
            divs, code, warned, heading_titles = ours(md, body)
            seconds += time.perf_counter() - start
            classes.update(name for _, name in divs)
            kinds.update(re.sub(r"« [^»]*»", "«…»", w) for w in warned)
            titled += heading_titles
            p_divs, p_code = pandocs(body)
            same_divs += divs == p_divs
            same_code += code == p_code
            if divs != p_divs or code != p_code:
                print(f"  différence : {page.relative_to(folder)} (divs {len(divs)}/{len(p_divs)}, "
                      f"code {code}/{p_code})")
        print(f"{folder.name} : {len(pages)} pages, analyse {seconds:.2f} s")
        print(f"  même imbrication de divs que Pandoc : {same_divs}/{len(pages)} ; "
              f"même nombre de blocs de code : {same_code}/{len(pages)}")
        print(f"  encadrés titrés par leur premier titre : {titled}")
        print("  divs par classe : " + ", ".join(f"{k or '(sans classe)'} {v}" for k, v in classes.most_common()))
        print("  avertissements : " + (", ".join(f"{v} × {k}" for k, v in kinds.most_common()) or "aucun"))


if __name__ == "__main__":
    main(sys.argv[1:])
