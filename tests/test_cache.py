"""The build cache can only speed a build up: every entry is checked against the key it is read under and its
checksum, so a damaged, swapped or foreign entry is computed again — never trusted, never an error."""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import pytest

from conftest import make_project, run_build
from coursegen.cache import CACHE_DIR, Cache, seal, unseal
from coursegen.pages.templates import TemplateBytecode
from coursegen.output.search import DOCS_DIR, IndexTiming
from coursegen.pages.context import JINJA_CACHE
from coursegen.pipeline import Options, build_project


def read_tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def garbage(n: int) -> bytes:
    return bytes((i * 131 + 7) % 256 for i in range(n))


# Entries, one by one.

def test_an_entry_is_read_back_under_its_own_key(tmp_path):
    cache = Cache(tmp_path)
    cache.put("facts", "a" * 64, {"titre": "Les bases"})
    assert cache.get("facts", "a" * 64) == {"titre": "Les bases"}
    assert cache.get("facts", "b" * 64) is None
    assert Cache(None).get("facts", "a" * 64) is None


@pytest.mark.parametrize("damage", ["garbage", "truncated", "one byte flipped", "header only", "empty",
                                    "older format"])
def test_a_damaged_entry_is_absent_then_rewritten(tmp_path, damage):
    import hashlib

    cache = Cache(tmp_path)
    cache.put("pages", "k" * 64, {"search": "x" * 40})
    entry = tmp_path / CACHE_DIR / "pages" / ("k" * 64)
    data = entry.read_bytes()
    entry.write_bytes({"garbage": garbage(len(data)),
                       "truncated": data[: len(data) - 3],
                       "one byte flipped": data[:-2] + bytes([data[-2] ^ 0x20]) + data[-1:],
                       "header only": data.partition(b"\n")[0],
                       "empty": b"",
                       "older format": hashlib.sha256(b'{"search":1}').hexdigest().encode() + b'\n{"search":1}',
                       }[damage])
    assert cache.get("pages", "k" * 64) is None
    cache.put("pages", "k" * 64, {"search": "y" * 40})
    assert cache.get("pages", "k" * 64) == {"search": "y" * 40}


def test_an_entry_under_another_key_or_kind_is_refused(tmp_path):
    """Two valid entries swapped, or an entry of another project copied under a key of this one."""
    ours, theirs = Cache(tmp_path / "nous"), Cache(tmp_path / "autre-projet")
    ours.put("facts", "1" * 64, ["chapitre 1"])
    ours.put("facts", "2" * 64, ["chapitre 2"])
    theirs.put("facts", "3" * 64, ["chapitre d'un autre cours"])
    theirs.put("files", "1" * 64, ["un fichier d'un autre cours"])
    folder = tmp_path / "nous" / CACHE_DIR / "facts"
    one, two = (folder / ("1" * 64)).read_bytes(), (folder / ("2" * 64)).read_bytes()
    (folder / ("1" * 64)).write_bytes(two)
    (folder / ("2" * 64)).write_bytes(one)
    assert ours.get("facts", "1" * 64) is None and ours.get("facts", "2" * 64) is None
    (folder / ("1" * 64)).write_bytes((tmp_path / "autre-projet" / CACHE_DIR / "facts" / ("3" * 64)).read_bytes())
    assert ours.get("facts", "1" * 64) is None
    (folder / ("1" * 64)).write_bytes((tmp_path / "autre-projet" / CACHE_DIR / "files" / ("1" * 64)).read_bytes())
    assert ours.get("facts", "1" * 64) is None  # same key, another kind


def test_seal_names_the_key_and_covers_it():
    entry = seal("pages/abc", b"contenu")
    assert entry.startswith(b"atelier-cache/1 pages/abc ")
    assert unseal("pages/abc", entry) == b"contenu"
    assert unseal("pages/abd", entry) is None
    assert unseal("pages/abc", entry.replace(b"pages/abc", b"pages/abd", 1)) is None  # header edited to match


def _environment(folder: Path, bytecode: Path) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), bytecode_cache=TemplateBytecode(bytecode))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "swapped"])
def test_compiled_templates_are_checked_too(tmp_path, damage):
    folder, bytecode = tmp_path / "templates", tmp_path / "jinja"
    folder.mkdir()
    (folder / "a.html").write_text("A {{ x }}", encoding="utf-8")
    (folder / "b.html").write_text("B {{ x * 2 }}", encoding="utf-8")
    env = _environment(folder, bytecode)
    assert env.get_template("a.html").render(x=1) == "A 1" and env.get_template("b.html").render(x=1) == "B 2"
    files = sorted(bytecode.iterdir())
    assert len(files) == 2
    contents = [f.read_bytes() for f in files]
    for file, data, other in zip(files, contents, contents[::-1]):
        file.write_bytes({"garbage": garbage(len(data)), "truncated": data[: len(data) // 2],
                          "swapped": other}[damage])
    env = _environment(folder, bytecode)  # a new build: templates loaded from the cache
    assert env.get_template("a.html").render(x=1) == "A 1" and env.get_template("b.html").render(x=1) == "B 2"
    assert [f.read_bytes() for f in sorted(bytecode.iterdir())] == contents  # compiled and written again


# Whole builds: one build after any damage gives the very site a build without cache gives.

@pytest.fixture
def course(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "projet")
    shutil.rmtree(project / ".cache", ignore_errors=True)
    return project


def build(root: Path, out: Path, **options) -> tuple[dict[str, bytes], list[str]]:
    report = build_project(root, Options(index=IndexTiming.AFTER_SWAP, jobs=1, **options), out)
    assert report.written and not report.problems.errors, [str(p) for p in report.problems.items]
    return read_tree(out), [f"{p.severity} {p}" for p in report.problems.items]


def entries(root: Path) -> dict[str, list[Path]]:
    """The cache's entries by kind (``facts``, ``pages``, ``files``, ``search``, and the compiled templates)."""
    kinds = {f.name: sorted(f.iterdir()) for f in sorted((root / CACHE_DIR).iterdir()) if f.is_dir()}
    kinds["jinja"] = sorted((root / JINJA_CACHE).iterdir())
    return kinds


def foreign_project(tmp_path: Path) -> Path:
    """Another course, built with its own cache: other chapters, title and glossary."""
    other = make_project(tmp_path / "autre")
    shutil.rmtree(other / ".cache", ignore_errors=True)
    for chapter in sorted((other / "content").glob("*.md")):
        text = chapter.read_text(encoding="utf-8")
        chapter.write_text(text.replace("## ", "## Autre : ") + "\n## Une section en plus\n\nTexte.\n",
                           encoding="utf-8")
    config = other / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("title:", "title: Autre", 1), encoding="utf-8")
    build(other, other / "site")
    return other


def damage(kind_entries: dict[str, list[Path]], how: str, foreign: dict[str, list[Path]] | None) -> int:
    damaged = 0
    for kind, files in kind_entries.items():
        contents = [f.read_bytes() for f in files]
        if how == "swapped":  # valid entries, each under the next one's key
            replacements = contents[1:] + contents[:1] if len(files) > 1 else contents
        elif how == "foreign":  # valid entries of another project, under this project's keys
            theirs = [f.read_bytes() for f in (foreign or {}).get(kind, [])] or contents
            replacements = [theirs[i % len(theirs)] for i in range(len(files))]
        else:
            replacements = [garbage(len(d)) if how == "garbage" else d[: len(d) // 2] for d in contents]
        for file, data, new in zip(files, contents, replacements):
            damaged += data != new
            file.write_bytes(new)
    return damaged


@pytest.mark.parametrize("how", ["garbage", "truncated", "swapped", "foreign"])
def test_one_build_after_a_damaged_cache_gives_the_clean_site(course, tmp_path, how):
    reference = build(course, tmp_path / "reference", cache=False)
    out = tmp_path / "site"
    build(course, out)
    foreign = None
    if how == "foreign":
        other = foreign_project(tmp_path)
        foreign = entries(other)
        for name in ("build", "recherche", "jinja"):  # its entries under its own keys too
            shutil.copytree(other / ".cache" / name, course / ".cache" / name, dirs_exist_ok=True)
    kinds = entries(course)
    assert {"facts", "pages", "files", "search", "jinja"} <= set(kinds)
    assert damage(kinds, how, foreign) >= 8
    assert build(course, out) == reference
    assert build(course, out) == reference  # and the entries written again are good


def test_the_command_succeeds_on_a_damaged_cache(course, tmp_path):
    """``python build.py`` itself: exit status 0, the same site as without cache, after one build."""
    reference = tmp_path / "reference"
    assert run_build(course, "--output", str(reference)).returncode == 0
    shutil.rmtree(course / ".cache")
    result = run_build(course)
    assert result.returncode == 0, result.stderr
    kinds = entries(course)
    damage({k: v for k, v in kinds.items() if k in ("facts", "files")}, "swapped", None)
    damage({k: v for k, v in kinds.items() if k not in ("facts", "files")}, "garbage", None)
    for document in sorted((course / DOCS_DIR).iterdir()):
        document.write_bytes(garbage(document.stat().st_size))
    result = run_build(course)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert read_tree(course / "site") == read_tree(reference)


@pytest.mark.parametrize("linked", [CACHE_DIR, DOCS_DIR])
def test_a_cache_folder_that_is_a_link_is_never_pruned(tmp_path, linked):
    """A link at .cache/build (or the search documents' folder) would make pruning delete another folder's files:
    the build does without it, and the site is the same."""
    root = make_project(tmp_path / "projet")
    victim = tmp_path / "ailleurs"
    (victim / "photos").mkdir(parents=True)
    (victim / "photos" / "p1.jpg").write_bytes(b"photo")
    (victim / "cv.pdf").write_bytes(b"cv")
    (root / linked).parent.mkdir(parents=True, exist_ok=True)
    (root / linked).symlink_to(victim)
    for _ in range(2):
        result = run_build(root)
        assert result.returncode == 0, result.stderr
    assert read_tree(victim) == {"photos/p1.jpg": b"photo", "cv.pdf": b"cv"}
    clean = make_project(tmp_path / "propre")
    assert run_build(clean, "--output", str(tmp_path / "site-propre")).returncode == 0
    assert read_tree(root / "site") == read_tree(tmp_path / "site-propre")
