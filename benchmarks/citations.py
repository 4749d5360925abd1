"""Compare the two CSL processors considered for citations: pandoc's citeproc (the pinned ``pypandoc-binary``
wheel, already a dependency of ``build.py pdf``) and ``citeproc-py`` (pure Python, needs lxml).

    .venv/bin/python benchmarks/citations.py [PYTHON_WITH_CITEPROC_PY]

Prints, for one page citing four French entries in author-date style: each processor's in-text citations
and reference list, its time per page and its installed size. The second processor runs in the interpreter
given (a venv where ``pip install citeproc-py==0.11.1`` was run); without it, only pandoc is measured.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coursegen.pandoc import pandoc_binary

BIB = r"""
@book{lecun2019,
  author = {Le Cun, Yann},
  title = {Quand la machine apprend : la révolution des neurones artificiels et de l'apprentissage profond},
  publisher = {Odile Jacob}, address = {Paris}, year = {2019}}
@article{vaswani2017,
  author = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki and Uszkoreit, Jakob and Jones, Llion},
  title = {Attention Is All You Need}, journal = {Advances in Neural Information Processing Systems},
  volume = {30}, pages = {5998--6008}, year = {2017}}
@incollection{devillers2020,
  author = {Devillers, Laurence}, title = {Les robots émotionnels},
  booktitle = {Santé et intelligence artificielle}, editor = {Nordlinger, Bernard and Villani, Cédric},
  publisher = {CNRS Éditions}, year = {2020}, pages = {12--30}}
@misc{cnil2023,
  author = {{Commission nationale de l'informatique et des libertés}},
  title = {Intelligence artificielle : le plan d'action de la CNIL}, year = {2023},
  url = {https://www.cnil.fr/}}
"""
CITES = ["lecun2019", "vaswani2017", "devillers2020", "cnil2023"]
RUNS = 10


def pandoc_run(csl: Path | None) -> tuple[str, float]:
    binary = pandoc_binary()
    with tempfile.TemporaryDirectory() as tmp:
        bib = Path(tmp) / "refs.bib"
        bib.write_text(BIB, encoding="utf-8")
        text = "\n\n".join(["[@lecun2019, p. 33]", "[voir @vaswani2017; @devillers2020]", "@cnil2023 dit",
                            "[-@lecun2019]"])
        args = [str(binary), "--sandbox", "-f", "markdown", "-t", "html", "--citeproc", f"--bibliography={bib}",
                "-M", "lang=fr-FR", "--wrap=none"] + ([f"--csl={csl}"] if csl else [])
        start = time.perf_counter()
        for _ in range(RUNS):
            out = subprocess.run(args, input=text.encode(), capture_output=True, check=True).stdout.decode()
        return out, (time.perf_counter() - start) / RUNS


CITEPROC_PY = r"""
import json, sys, time, io
from citeproc import CitationStylesStyle, CitationStylesBibliography, Citation, CitationItem, formatter
from citeproc.source.bibtex import BibTeX
bib_text, csl, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
start = time.perf_counter()
for _ in range(runs):
    source = BibTeX(io.StringIO(bib_text))
    style = CitationStylesStyle(csl, locale="fr-FR", validate=False)
    bib = CitationStylesBibliography(style, source, formatter.html)
    cites = [Citation([CitationItem(k)]) for k in json.loads(sys.argv[4])]
    for c in cites:
        bib.register(c)
    texts = [str(bib.cite(c, lambda item: None)) for c in cites]
    refs = [str(r) for r in bib.bibliography()]
print(json.dumps({"cites": texts, "refs": refs, "seconds": (time.perf_counter() - start) / runs}))
"""


def main() -> None:
    out, seconds = pandoc_run(None)
    print(f"pandoc citeproc (style par défaut, Chicago auteur-date) : {seconds * 1000:.0f} ms par page")
    print(out)
    print(f"taille installée : pypandoc-binary {_size(Path(pandoc_binary()).parent.parent)} (déjà requis par « pdf »)")
    if len(sys.argv) > 1:
        python = sys.argv[1]
        where = subprocess.run([python, "-c", "import citeproc, os; print(os.path.dirname(citeproc.__file__))"],
                               capture_output=True, text=True, check=True).stdout.strip()
        csl = Path(where) / "data" / "styles" / "harvard-cite-them-right.csl"
        done = subprocess.run([python, "-c", CITEPROC_PY, BIB, str(csl), str(RUNS), json.dumps(CITES)],
                              capture_output=True, text=True)
        if done.returncode:
            print("citeproc-py a échoué :", done.stderr.strip().splitlines()[-1])
        else:
            result = json.loads(done.stdout)
            print(f"citeproc-py (harvard, fr-FR) : {result['seconds'] * 1000:.0f} ms par page")
            print("\n".join(result["cites"]), "\n", "\n".join(result["refs"]))
        out, seconds = pandoc_run(csl)
        print(f"pandoc citeproc, même style harvard : {seconds * 1000:.0f} ms par page")
        print(out)
        lxml = Path(where).parent / "lxml"
        print(f"taille installée : citeproc-py {_size(Path(where))} + lxml {_size(lxml)}")


def _size(folder: Path) -> str:
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return f"{total / 1e6:.1f} Mo"


if __name__ == "__main__":
    main()
