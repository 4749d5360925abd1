"""Speed never changes the site: serial, parallel and cached builds give the same bytes and the same problems.

The cache (``.cache/build/``) must be used when it is valid (else these tests could not fail), never when a
template, the config or the code changed, and a corrupted entry is rebuilt, never trusted nor fatal. What the
build keeps from the previous site (pages, search documents, the Pagefind index) is kept only when intact.
The corruptions of ``.cache/build/`` entries themselves are in ``test_cache.py``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import make_project
from coursegen import cache as cache_module
from coursegen.speed import batch as chapters
from coursegen.cache import CACHE_DIR
from coursegen.output.staging import file_stamp
from coursegen.output.search import IndexTiming
from coursegen.pipeline import Options, build_project

TIMINGS = {"before": IndexTiming.BEFORE_SWAP, "after": IndexTiming.AFTER_SWAP, "background": IndexTiming.BACKGROUND}


def build(root: Path, output: Path | None = None, search: str = "before", **options):
    return build_project(root, Options(index=TIMINGS[search], **options), output)

CHAPTER_PAGES = ("avant-propos.html", "bases.html", "suite.html")
MARK = b"</MAIN>"  # as long as "</main>": a page altered with it keeps its size


def read_tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def built(root: Path, out: Path, **options) -> tuple[dict[str, bytes], list[str]]:
    report = build(root, output=out, **options)
    assert report.written, [str(p) for p in report.problems.items]
    return read_tree(out), [f"{p.severity} {p}" for p in report.problems.items]


def falsify_site_pages(out: Path) -> int:
    """Alter the chapter pages of a built site in place, keeping inode, size and modification time.

    Those three are what identifies a page cheaply (``output.file_stamp``): only its bytes tell the change.
    """
    for name in CHAPTER_PAGES:
        page = out / name
        info = page.stat()
        data = page.read_bytes()
        assert b"</main>" in data
        with open(page, "r+b") as handle:  # same inode
            handle.write(data.replace(b"</main>", MARK))
        os.utime(page, ns=(info.st_atime_ns, info.st_mtime_ns))
    return len(CHAPTER_PAGES)


def marked(tree: dict[str, bytes]) -> list[str]:
    return [name for name, data in tree.items() if MARK in data]


def stamps(out: Path) -> dict[str, list | None]:
    return {name: file_stamp(out / name) for name in CHAPTER_PAGES}


@pytest.fixture
def course(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "projet")
    shutil.rmtree(project / ".cache", ignore_errors=True)  # a build run by hand in tests/fixtures/ leaves one
    return project


@pytest.fixture
def reference(course: Path, tmp_path: Path) -> tuple[dict[str, bytes], list[str]]:
    """The site built the plain way: one process, no cache."""
    return built(course, tmp_path / "reference", jobs=1, cache=False)


@pytest.fixture
def pool_always(monkeypatch):
    """Fork workers even for the few chapters of the fixture course."""
    monkeypatch.setattr(chapters, "MIN_PARALLEL", 1)


def test_parallel_build_is_byte_identical(course, tmp_path, reference, pool_always):
    tree, problems = built(course, tmp_path / "parallele", jobs=2, cache=False)
    assert tree == reference[0]
    assert problems == reference[1]
    assert not (course / ".cache").exists()


def test_cached_builds_are_byte_identical_in_every_mode(course, tmp_path, reference, pool_always):
    out = tmp_path / "site"
    cold = built(course, out, jobs=1)                                # fills the cache
    assert any((course / CACHE_DIR / "pages").iterdir())
    written = stamps(out)
    warm = built(course, out, jobs=2)                                # every chapter page kept as it is
    assert stamps(out) == written
    shutil.rmtree(course / CACHE_DIR / "pages")
    forked_late = built(course, out, jobs=2)                         # facts cached: workers forked after nav
    shutil.rmtree(course / CACHE_DIR)
    forked_early = built(course, out, jobs=2)                        # nothing cached: workers parse and render
    elsewhere = built(course, tmp_path / "ailleurs", jobs=2)         # cache valid, but no previous site there
    for result in (cold, warm, forked_late, forked_early, elsewhere):
        assert result[0] == reference[0]
        assert result[1] == reference[1]


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """The chapters rendered in this process (builds with ``jobs=1``), by title."""
    done: list[str] = []
    render = chapters.render_page

    def counted(page, nav, *args, **kwargs):
        done.append(nav.title)
        return render(page, nav, *args, **kwargs)

    monkeypatch.setattr(chapters, "render_page", counted)
    return done


def test_valid_cache_entries_are_used(course, tmp_path, renders):
    """The control for the tests below: a page the cache vouches for is kept as it is when nothing changed."""
    out = tmp_path / "site"
    built(course, out, jobs=1)
    assert len(renders) == 3
    written = stamps(out)
    renders.clear()
    built(course, out, jobs=1)
    assert renders == []
    assert stamps(out) == written


def test_a_page_edited_in_place_with_its_size_and_time_kept_is_written_again(course, tmp_path, reference, renders):
    out = tmp_path / "site"
    built(course, out, jobs=1)
    assert falsify_site_pages(out) == 3
    renders.clear()
    tree, _ = built(course, out, jobs=1)
    assert not marked(tree)
    assert tree == reference[0]
    assert len(renders) == 3


@pytest.mark.parametrize("change", ["template", "config", "code"])
def test_stale_cache_is_never_used(course, tmp_path, monkeypatch, renders, change):
    out = tmp_path / "site"
    built(course, out, jobs=1)
    renders.clear()
    if change == "template":
        base = course / "templates" / "base.html"
        base.write_text(base.read_text(encoding="utf-8").replace("</footer>", "<!-- pied modifié -->\n</footer>"),
                        encoding="utf-8")
    elif change == "config":
        config = course / "config.yaml"
        config.write_text(_retitled(config.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        monkeypatch.setattr(cache_module, "code_version", lambda: "une autre version du code")
    tree, _ = built(course, out, jobs=1)
    assert len(renders) == 3  # not one page taken from the cache
    reference, _ = built(course, tmp_path / "sans-cache", cache=False)
    assert tree == reference
    if change == "template":
        assert b"pied modifi" in tree["index.html"] and b"pied modifi" in tree["bases.html"]


def test_a_page_edited_in_the_site_is_written_again(course, tmp_path, reference):
    out = tmp_path / "site"
    built(course, out)
    (out / "bases.html").write_bytes((out / "bases.html").read_bytes().replace(b"</main>", MARK))  # new mtime
    (out / "suite.html").unlink()
    (out / "en-trop.html").write_text("laissé par un autre outil", encoding="utf-8")
    tree, _ = built(course, out)
    assert tree == reference[0]


def test_incremental_build_writes_only_what_changed(course, tmp_path):
    out = tmp_path / "site"
    built(course, out)
    before = {p.relative_to(out).as_posix(): file_stamp(p) for p in out.rglob("*") if p.is_file()}
    chapter = course / "content" / "02-suite.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nUn paragraphe sur les hippocampes.\n",
                       encoding="utf-8")
    built(course, out)
    after = {p.relative_to(out).as_posix(): file_stamp(p) for p in out.rglob("*") if p.is_file()}
    changed = sorted(name for name in after if after[name] != before.get(name))
    # the page, its Markdown copy and the search index (Pagefind's own files)
    assert [n for n in changed if not n.startswith("pagefind/")] == ["suite.html", "suite.md"]
    assert any(n.startswith("pagefind/") for n in changed)
    reference, _ = built(course, tmp_path / "reference", cache=False)
    assert read_tree(out) == reference


def test_a_removed_chapter_leaves_no_page_behind(course, tmp_path):
    out = tmp_path / "site"
    config = course / "config.yaml"
    original = config.read_text(encoding="utf-8")
    config.write_text(original.replace("  - 02-suite.md\n", "  - 02-suite.md\n  - 03-annexe.md\n"), encoding="utf-8")
    annex = course / "content" / "03-annexe.md"
    annex.write_text("---\ntitle: Annexe\n---\n\nUne annexe de passage.\n", encoding="utf-8")
    tree, _ = built(course, out)
    assert "annexe.html" in tree and "annexe.md" in tree
    config.write_text(original, encoding="utf-8")
    annex.unlink()
    tree, _ = built(course, out)
    assert not [name for name in tree if "annexe" in name]
    reference, _ = built(course, tmp_path / "reference", cache=False)
    assert tree == reference


def _retitled(config_text: str) -> str:
    lines = config_text.splitlines(keepends=True)
    for k, line in enumerate(lines):
        if line.startswith("title:"):
            lines[k] = 'title: "Un tout autre titre"\n'
            return "".join(lines)
    raise AssertionError("config.yaml sans title:")


def test_corrupted_cache_entries_are_rebuilt_not_fatal(course, tmp_path, reference):
    built(course, tmp_path / "premier")
    damaged = 0
    for entry in sorted((course / CACHE_DIR).rglob("*")):
        if entry.is_file() and entry.stat().st_size > 2:
            data = entry.read_bytes()
            # one flipped byte in the middle, or the file cut in half
            entry.write_bytes(data[: len(data) // 2] if damaged % 2 else
                              data[: len(data) // 2] + bytes([data[len(data) // 2] ^ 0x20]) + data[len(data) // 2 + 1:])
            damaged += 1
    assert damaged >= 4  # facts, pages, files and the saved search index were all hit
    tree, problems = built(course, tmp_path / "apres")
    assert tree == reference[0]
    assert problems == reference[1]
    tree, _ = built(course, tmp_path / "encore")  # the rewritten entries are good again
    assert tree == reference[0]


def test_cache_stays_out_of_check_and_of_the_site(course, tmp_path):
    report = build(course, write=False, lint=True)
    assert not report.problems.errors
    assert not (course / ".cache").exists()
    tree, _ = built(course, tmp_path / "site")
    assert not [name for name in tree if name.startswith(".cache")]


def test_serve_indexes_in_the_background_and_build_never_ships_a_stale_index(course, tmp_path):
    out = tmp_path / "site"
    built(course, out)
    old_index = read_tree(out / "pagefind")
    chapter = course / "content" / "01-bases.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nUn paragraphe sur les hippocampes.\n",
                       encoding="utf-8")

    report = build(course, output=out, search="background")  # what ``serve`` does
    assert report.written and report.pending_index is not None
    assert read_tree(out / "pagefind") == old_index              # served at once, with the previous index
    report.pending_index.build()                                 # then the fresh one, from the background
    report.pending_index.install(out)
    report.pending_index.discard()
    reference, _ = built(course, tmp_path / "reference", cache=False)
    assert read_tree(out) == reference

    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nEt sur les calmars.\n", encoding="utf-8")
    report = build(course, output=out)                           # ``build``: the index is always current
    assert report.pending_index is None
    reference, _ = built(course, tmp_path / "reference-2", cache=False)
    assert read_tree(out) == reference
    assert read_tree(out / "pagefind") != old_index


def test_a_cached_page_whose_image_is_gone_is_rendered_again(course, tmp_path):
    built(course, tmp_path / "premier")
    (course / "content" / "assets" / "schema.svg").unlink()
    report = build(course, output=tmp_path / "second")
    assert not report.written
    assert [str(p) for p in report.problems.errors] == [
        str(p) for p in build(course, output=tmp_path / "sans-cache", cache=False).problems.errors]
    assert any("schema.svg" in p.message for p in report.problems.errors)


def test_build_swaps_the_pages_first_then_their_index(course, tmp_path, monkeypatch):
    """``python build.py`` on an existing site: pages swapped in, then the fresh index; nothing left in /tmp."""
    import tempfile

    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    out = tmp_path / "site"
    built(course, out)
    old_index = read_tree(out / "pagefind")
    chapter = course / "content" / "01-bases.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nUn paragraphe sur les calmars.\n", encoding="utf-8")
    from coursegen.output import search

    cleaned = []
    drop = search._drop_unreferenced
    monkeypatch.setattr(search, "_drop_unreferenced", lambda index: cleaned.append(drop(index)) or cleaned[-1])
    report = build(course, output=out, search="after")
    assert report.written and report.pending_index is None
    assert cleaned == [True]  # the previous index's unchanged files were reused, the stale ones removed
    assert [stage for stage, _ in report.timings][-2:] == ["remplacement de site/", "index de recherche (après les pages)"]
    assert read_tree(out / "pagefind") != old_index
    reference, _ = built(course, tmp_path / "reference", cache=False)
    assert read_tree(out) == reference
    assert list(temp.iterdir()) == []
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".")) == []


def test_an_unreadable_index_metadata_means_a_clean_index(tmp_path):
    from coursegen.output.search import _drop_unreferenced

    index = tmp_path / "pagefind"
    (index / "fragment").mkdir(parents=True)
    (index / "fragment" / "fr_0123456.pf_fragment").write_bytes(b"x")
    (index / "pagefind.fr_0123456789.pf_meta").write_bytes(b"pas du gzip")
    assert _drop_unreferenced(index) is False
    assert (index / "fragment" / "fr_0123456.pf_fragment").exists()  # nothing removed on a guess


def test_index_metadata_naming_none_of_a_folder_removes_nothing(tmp_path):
    """A partly changed metadata format: fragments named, index chunks not; guessing would break search."""
    import gzip

    from coursegen.output.search import _drop_unreferenced

    index = tmp_path / "pagefind"
    for folder, name in (("fragment", "fr_0123456.pf_fragment"), ("index", "fr_abcdef0.pf_index")):
        (index / folder).mkdir(parents=True)
        (index / folder / name).write_bytes(b"x")
    (index / "pagefind.fr_0123456789.pf_meta").write_bytes(gzip.compress(b"pagefind_dcd\x6afr_0123456"))
    assert _drop_unreferenced(index) is False
    assert (index / "index" / "fr_abcdef0.pf_index").exists()


def test_temporary_folders_stay_in_the_project_and_leftovers_are_removed(course, tmp_path):
    from coursegen.output.search import SCRATCH_DIR

    out = tmp_path / "site"
    built(course, out)
    scratch = course / SCRATCH_DIR
    dead = scratch / "atelier-index-999999999-abc"   # left by a process that is gone
    dead.mkdir(parents=True)
    chapter = course / "content" / "01-bases.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nEncore une ligne.\n", encoding="utf-8")
    report = build(course, output=out, search="after")
    assert report.written
    assert list(scratch.iterdir()) == []


def _rotate(files: list[Path]) -> None:
    """Give each file the bytes of the next one (valid contents, each under another file's name)."""
    contents = [f.read_bytes() for f in files]
    for file, data in zip(files, contents[1:] + contents[:1]):
        file.write_bytes(data)


@pytest.mark.parametrize("damage", ["another page's document", "garbage", "truncated"])
@pytest.mark.parametrize("search", ["before", "after"])
def test_damaged_search_documents_are_written_again(course, tmp_path, damage, search):
    """The documents Pagefind reads are named by the hash of their bytes: one that no longer hashes to its name
    is never indexed (the page would be missing from the search, or found under another's address)."""
    from coursegen.output.search import DOCS_DIR

    out = tmp_path / "site"
    built(course, out)
    documents = sorted(p for p in (course / DOCS_DIR).iterdir() if p.is_file())
    assert len(documents) == 3
    if damage == "another page's document":
        _rotate(documents)
    for document in documents if damage != "another page's document" else []:
        data = document.read_bytes()
        document.write_bytes(bytes((i * 131 + 7) % 256 for i in range(len(data))) if damage == "garbage"
                             else data[: len(data) // 2])
    chapter = course / "content" / "02-suite.md"  # one page changes: Pagefind reads every document again
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nUn mot sur les seiches.\n", encoding="utf-8")
    tree, problems = built(course, out, search=search)  # one build, no error
    assert (tree, problems) == built(course, tmp_path / "reference", cache=False)
    assert len([name for name in tree if name.startswith("pagefind/fragment/")]) == 3


@pytest.mark.parametrize("search", ["before", "after"])
def test_an_index_file_altered_in_the_site_is_not_kept(course, tmp_path, reference, search):
    """A Pagefind fragment altered in place (same size, same modification time): the index is made again, and
    the altered file is not reused by Pagefind (which never rewrites a content-named file that is there)."""
    out = tmp_path / "site"
    built(course, out)
    fragments = sorted((out / "pagefind" / "fragment").iterdir())
    assert fragments
    for fragment in fragments:
        info = fragment.stat()
        data = fragment.read_bytes()
        with open(fragment, "r+b") as handle:  # same inode
            handle.write(bytes(b ^ 0x55 for b in data[:16]) + data[16:])
        os.utime(fragment, ns=(info.st_atime_ns, info.st_mtime_ns))
    tree, _ = built(course, out, search=search)
    assert tree == reference[0]
    chapter = course / "content" / "01-bases.md"  # and with a page changed: the other fragments are seeded
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nUn mot sur les poulpes.\n", encoding="utf-8")
    for fragment in sorted((out / "pagefind" / "fragment").iterdir()):
        data = fragment.read_bytes()
        fragment.write_bytes(bytes(b ^ 0x55 for b in data[:16]) + data[16:])
    tree, _ = built(course, out, search=search)
    assert tree == built(course, tmp_path / "reference-2", cache=False)[0]


def test_jobs_are_capped_to_the_cores_and_the_chapters(course, tmp_path, reference, pool_always, monkeypatch):
    """``--jobs 400`` for 3 chapters: no more processes than chapters, nor than cores."""
    from coursegen.speed.pool import default_jobs

    started: list[int] = []
    pool = chapters.Pool

    def recorded(jobs, worker):
        started.append(jobs)
        return pool(jobs, worker)

    monkeypatch.setattr(chapters, "Pool", recorded)
    tree, problems = built(course, tmp_path / "site", jobs=400, cache=False)
    assert (tree, problems) == reference
    assert started == ([min(3, default_jobs())] if min(3, default_jobs()) > 1 else [])
