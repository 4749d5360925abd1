"""The output folder: staging, swap and lock; replaced only when it is the build's (absent, empty, marked, or a
site of the previous version); an OS error while writing leaves the previous site and never blocks the next build."""

import errno
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from conftest import tree_digest
from coursegen.config import SITE_MARKER, load_for_build
from coursegen.errors import Problems, UserError, format_problem
from coursegen.output import staging as output
from coursegen.output.staging import MARKER_TEXT, OLD_PREFIX, Staging, build_lock, clean_leftovers

OCCUPIED_HINT = ("choisissez un dossier vide ou absent, par exemple « site », ou déplacez ces fichiers ailleurs puis "
                 "relancez")


def marked_site(folder: Path, files: dict[str, str]) -> Path:
    """A site a build made: the marker and ``files``."""
    folder.mkdir(parents=True)
    (folder / SITE_MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_write_refuses_duplicates_and_escapes(tmp_path):
    with Staging(tmp_path / "site") as staging:
        staging.write("a.html", "un", "content/a.md")
        with pytest.raises(UserError, match="écrit deux fois : par content/a.md et par content/b.md"):
            staging.write("a.html", "deux", "content/b.md")
        for bad in ("../dehors.html", "/etc/x", ""):
            with pytest.raises(UserError, match="refusé"):
                staging.write(bad, "x")


def test_commit_replaces_the_site_as_a_whole_and_marks_it(tmp_path):
    site = marked_site(tmp_path / "site", {"ancien.html": "ancien"})
    with Staging(site) as staging:
        assert (staging.path / SITE_MARKER).read_text(encoding="utf-8") == MARKER_TEXT  # in staging before the swap
        staging.write("nouveau.html", "nouveau")
        staging.commit()
    assert files(site) == {SITE_MARKER: MARKER_TEXT, "nouveau.html": "nouveau"}
    assert [p.name for p in tmp_path.iterdir()] == ["site"]
    assert MARKER_TEXT.startswith("Ce dossier est un site construit par « python build.py »")


def test_failed_build_leaves_the_site_and_no_staging(tmp_path):
    site = marked_site(tmp_path / "site", {"ancien.html": "ancien"})
    with pytest.raises(RuntimeError):
        with Staging(site) as staging:
            staging.write("nouveau.html", "nouveau")
            raise RuntimeError("échec au milieu")
    assert files(site) == {SITE_MARKER: MARKER_TEXT, "ancien.html": "ancien"}
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_a_swap_cut_in_the_middle_is_repaired(tmp_path):
    site = tmp_path / "site"
    old = tmp_path / f"{OLD_PREFIX}site-999999"
    old.mkdir()
    (old / "index.html").write_text("ancien")
    stale = tmp_path / ".site-staging-site-999998"
    stale.mkdir()
    assert clean_leftovers(site) == []
    assert (site / "index.html").read_text() == "ancien"
    assert not stale.exists() and not old.exists()


def test_lock_makes_a_second_build_wait(tmp_path):
    import threading
    import time

    order = []
    with build_lock(tmp_path):
        def second():
            with build_lock(tmp_path, on_wait=lambda: order.append("attente")):
                order.append("second")
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
        order.append("premier fini")
    thread.join(5)
    assert order == ["attente", "premier fini", "second"]


def test_swap_without_renameat2_leaves_the_new_site_and_nothing_else(tmp_path, monkeypatch):
    monkeypatch.setattr(output, "_exchange", lambda a, b: False)  # e.g. a network file system
    site = marked_site(tmp_path / "site", {"ancien.html": "ancien"})
    with Staging(site) as staging:
        staging.write("nouveau.html", "nouveau")
        staging.commit()
    assert files(site) == {SITE_MARKER: MARKER_TEXT, "nouveau.html": "nouveau"}
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_a_seeded_staging_never_writes_through_to_the_live_site(tmp_path):
    site = marked_site(tmp_path / "site", {"garde.html": "même contenu", "change.html": "avant",
                                           "disparu.html": "plus produit"})
    with Staging(site, seed=True) as staging:
        staging.write("garde.html", "même contenu")
        staging.write("change.html", "après")
        assert (site / "change.html").read_text() == "avant"   # the live file is untouched until the swap
        kept = (staging.path / "garde.html").stat().st_ino
        assert kept == (site / "garde.html").stat().st_ino      # unchanged bytes: the same file, not rewritten
        staging.commit()
    assert files(site) == {SITE_MARKER: MARKER_TEXT, "garde.html": "même contenu", "change.html": "après"}


# --- Whose folder it is -------------------------------------------------------------------------------------

def test_a_folder_with_an_authors_file_is_refused_before_anything_is_written(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notes.md").write_text("mes notes", encoding="utf-8")
    with pytest.raises(UserError) as refused:
        with Staging(docs):
            pytest.fail("the build may not start")
    assert str(refused.value) == ("« docs » contient des fichiers qui ne viennent pas de la construction (« notes.md ») "
                                  f": il ne sera pas remplacé ({OCCUPIED_HINT})")
    assert [p.name for p in tmp_path.iterdir()] == ["docs"]          # no staging folder, nothing else
    assert files(docs) == {"notes.md": "mes notes"}


@pytest.mark.parametrize("make", ["absent", "vide"])
def test_an_absent_or_empty_folder_becomes_the_site(tmp_path, make):
    site = tmp_path / "sortie"
    if make == "vide":
        site.mkdir()
    with Staging(site) as staging:
        staging.write("index.html", "accueil")
        staging.commit()
    assert files(site) == {SITE_MARKER: MARKER_TEXT, "index.html": "accueil"}


# What the previous version left in site/ for a course with a linked image, a figure and a search index.
PREVIOUS_SITE = {".nojekyll": "", "index.html": "<p>accueil", "404.html": "<p>introuvable", "llms.txt": "# Cours",
                 "bases.html": "<p>bases", "bases.md": "# Bases", "sitemap.xml": "<urlset/>", "robots.txt": "Allow: /",
                 "static/site.css": "body {}", "static/social.png": "png", "pagefind/pagefind.js": "//",
                 "pagefind/fragment/fr_1.pf_fragment": "f", "donnees/attention/chat.json": "{}",
                 "assets/schema.svg": "<svg/>"}


def previous_site(tmp_path: Path, extra: dict[str, str] | None = None, drop: str = "") -> tuple[Path, Path]:
    content = tmp_path / "content"
    (content / "assets").mkdir(parents=True)
    (content / "assets" / "schema.svg").write_text("<svg/>", encoding="utf-8")
    site = tmp_path / "site"
    for name, text in {**PREVIOUS_SITE, **(extra or {})}.items():
        if name != drop:
            (site / name).parent.mkdir(parents=True, exist_ok=True)
            (site / name).write_text(text, encoding="utf-8")
    return site, content


def test_a_site_of_the_previous_version_without_marker_is_replaced(tmp_path):
    site, content = previous_site(tmp_path)
    with Staging(site, content=content) as staging:
        staging.write("index.html", "nouvel accueil")
        staging.commit()
    assert files(site) == {SITE_MARKER: MARKER_TEXT, "index.html": "nouvel accueil"}


@pytest.mark.parametrize("extra, drop, occupant", [
    ({"notes.md": "à moi"}, "", "notes.md"),                      # Markdown without its page: not a copy
    ({"assets/photo.jpg": "à moi"}, "", "assets/photo.jpg"),      # not a copy of a file of content/
    ({"brouillons/idee.txt": "à moi"}, "", "brouillons/idee.txt"),
    ({}, "llms.txt", "assets"),                                   # lacks what every build wrote: not a site
])
def test_a_previous_site_with_anything_else_is_refused(tmp_path, extra, drop, occupant):
    site, content = previous_site(tmp_path, extra, drop)
    before = tree_digest(site)
    with pytest.raises(UserError, match=re.escape(f"(« {occupant} ») : il ne sera pas remplacé")):
        with Staging(site, content=content):
            pytest.fail("the build may not start")
    assert tree_digest(site) == before


def test_a_symbolic_link_in_an_unmarked_folder_is_never_taken_for_a_build_file(tmp_path):
    site, content = previous_site(tmp_path)
    (site / "lien.html").symlink_to(content / "assets" / "schema.svg")
    with pytest.raises(UserError, match="« lien.html »"):
        with Staging(site, content=content):
            pytest.fail("the build may not start")
    assert (content / "assets" / "schema.svg").read_text(encoding="utf-8") == "<svg/>"


def project(tmp_path: Path) -> Path:
    root = tmp_path / "projet"
    (root / "content").mkdir(parents=True)
    (root / "config.yaml").write_text('title: "T"\nauthor: "A"\nchapters: [01-a.md]\n', encoding="utf-8")
    return root


def refusal(root: Path, output: Path | None) -> list[str]:
    problems = Problems()
    assert load_for_build(root, problems, output) is None
    return [format_problem(p) for p in problems.items]


HINT = "choisissez un dossier dédié, vide ou absent, par exemple « site »"


def test_output_option_refuses_the_places_of_the_project_and_of_the_user(tmp_path, monkeypatch):
    root = project(tmp_path)
    home = tmp_path / "maison"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    code = Path(output.__file__).resolve().parent.parent
    for given, reason in [(Path("/"), "contient le dossier du projet"),
                          (tmp_path, "contient le dossier du projet"),
                          (home, "est votre dossier personnel"),
                          (root / "scripts", "est le dossier des scripts du projet"),
                          (root / "content" / "assets", "est dans le dossier de contenu"),
                          (root / ".cache" / "site", "est un dossier caché du projet (.git, .cache…)"),
                          (code, "est le dossier du code de l'outil")]:
        assert refusal(root, given) == [f"--output: le dossier de sortie « {given} » {reason} : la construction le "
                                        f"remplacerait en entier ({HINT})"], given


def test_output_option_refuses_a_folder_of_foreign_files_by_absolute_path(tmp_path):
    root = project(tmp_path)
    outside = tmp_path / "ailleurs"
    (outside / "photos").mkdir(parents=True)
    (outside / "photos" / "chat.jpg").write_bytes(b"jpg")
    assert refusal(root, outside) == [f"--output: le dossier de sortie « {outside} » contient des fichiers qui ne "
                                      "viennent pas de la construction (« photos ») : elle le remplacerait en entier "
                                      f"({OCCUPIED_HINT})"]
    assert (outside / "photos" / "chat.jpg").read_bytes() == b"jpg"


def test_output_dir_of_config_yaml_follows_the_same_rule(tmp_path):
    root = project(tmp_path)
    (root / "docs").mkdir()
    (root / "docs" / "guide.html").write_text("<p>mon guide</p>", encoding="utf-8")
    (root / "config.yaml").write_text('title: "T"\nauthor: "A"\noutput_dir: docs\nchapters: [01-a.md]\n',
                                      encoding="utf-8")
    assert refusal(root, None) == ["config.yaml:3: le dossier de sortie « docs » contient des fichiers qui ne viennent "
                                   "pas de la construction (« guide.html ») : elle le remplacerait en entier "
                                   f"({OCCUPIED_HINT})"]


# --- OS errors while writing --------------------------------------------------------------------------------

def build(root: Path, **options):
    from coursegen.pipeline import Options, build_project

    return build_project(root, Options(**{"jobs": 1, **options}))


def errors(report) -> list[str]:
    return [format_problem(p) for p in report.problems.errors]


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".site-"))


@pytest.fixture
def project_with_site(tmp_path):
    from conftest import make_project

    root = make_project(tmp_path / "projet")
    report = build(root)
    assert errors(report) == [] and report.written
    return root


def test_the_marker_is_in_every_site_but_listed_nowhere(project_with_site):
    """Served as a plain text file (GitHub Pages serves dotfiles with .nojekyll), but no page, sitemap, llms.txt
    or search index entry points to it."""
    site = project_with_site / "site"
    assert (site / SITE_MARKER).read_text(encoding="utf-8") == MARKER_TEXT
    for path in site.rglob("*"):
        if path.is_file() and path.name != SITE_MARKER:
            assert SITE_MARKER.encode() not in path.read_bytes(), path.relative_to(site)


def test_a_full_disk_leaves_the_previous_site_and_the_next_build_works(project_with_site, monkeypatch):
    root = project_with_site
    before = tree_digest(root / "site")
    real_open = open

    class FullDisk:
        """A file on a full disk: opened, then every write fails (the error names no file, as write(2)'s)."""

        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def open_on_a_full_disk(path, mode="r", *args, **kwargs):
        handle = real_open(path, mode, *args, **kwargs)
        return FullDisk(handle) if mode == "xb" and "static" in Path(path).parts else handle

    monkeypatch.setattr(output, "open", open_on_a_full_disk, raising=False)
    report = build(root, cache=False)  # every file written afresh: the disk fills up in static/
    assert not report.written
    [message] = errors(report)
    assert re.fullmatch(r"site/static/[\w.-]+: écriture impossible : plus de place sur le disque \(libérez de la place "
                        r"\(df -h montre l'espace libre\), puis relancez\)", message), message
    assert tree_digest(root / "site") == before
    assert leftovers(root) == []

    monkeypatch.undo()
    report = build(root)
    assert errors(report) == [] and report.written
    assert (root / "site" / SITE_MARKER).read_text(encoding="utf-8") == MARKER_TEXT


def test_a_full_disk_while_a_render_worker_writes_a_page_is_reported_the_same(project_with_site, monkeypatch):
    """Pages of a large course are written by forked workers: their OS error reaches the build as it was."""
    from coursegen.speed.batch import MIN_PARALLEL

    root = project_with_site
    config = root / "config.yaml"
    extra = [f"{i:02d}-annexe-{i}.md" for i in range(3, 3 + MIN_PARALLEL)]
    for name in extra:
        (root / "content" / name).write_text(f'---\ntitle: "Annexe {name[:2]}"\n---\nTexte.\n', encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - 02-suite.md\n", "  - 02-suite.md\n" + "".join(f"  - {name}\n" for name in extra)), encoding="utf-8")
    before = tree_digest(root / "site")
    real_open = open

    def full_disk_for_one_page(path, mode="r", *args, **kwargs):
        if mode == "xb" and Path(path).name == "annexe-3.html":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(output, "open", full_disk_for_one_page, raising=False)
    report = build(root, jobs=2)  # more chapters than MIN_PARALLEL: rendered by two worker processes
    assert errors(report) == ["site/annexe-3.html: écriture impossible : plus de place sur le disque (libérez de la "
                              "place (df -h montre l'espace libre), puis relancez)"]
    assert tree_digest(root / "site") == before and leftovers(root) == []


def test_a_busy_mount_point_is_reported_and_the_site_left_as_it_was(project_with_site, monkeypatch):
    root = project_with_site
    before = tree_digest(root / "site")

    def busy(new, current):
        raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(current))  # what renameat2 says of a mount point

    monkeypatch.setattr(output, "_exchange", busy)
    (root / "content" / "01-bases.md").write_text((root / "content" / "01-bases.md").read_text(encoding="utf-8")
                                                  + "\nUn paragraphe de plus.\n", encoding="utf-8")
    report = build(root)
    assert errors(report) == ["site: dossier occupé (point de montage, ou ouvert par un autre programme) (ce dossier "
                              "est remplacé en entier : si c'est un point de montage, écrivez dans un dossier à "
                              "l'intérieur (par exemple …/site) ; sinon fermez le programme qui l'utilise, puis "
                              "relancez)"]
    assert tree_digest(root / "site") == before and leftovers(root) == []

    monkeypatch.undo()
    report = build(root)
    assert errors(report) == [] and "Un paragraphe de plus." in (root / "site" / "bases.html").read_text("utf-8")


def test_no_permission_beside_the_site_is_reported(project_with_site, monkeypatch):
    root = project_with_site
    before = tree_digest(root / "site")
    real_mkdir = os.mkdir

    def read_only_parent(path, *args, **kwargs):
        if ".site-staging-" in str(path):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", read_only_parent)
    report = build(root)
    assert errors(report) == ["site: permission refusée (donnez-vous le droit d'écrire dans ce dossier (chmod u+w) ou "
                              "écrivez ailleurs, puis relancez)"]
    assert tree_digest(root / "site") == before and leftovers(root) == []


def test_a_previous_site_that_cannot_be_removed_after_the_swap_is_a_warning_not_a_block(tmp_path, monkeypatch):
    site = marked_site(tmp_path / "site", {"ancien.html": "ancien"})
    monkeypatch.setattr(output, "remove_tree", lambda folder: False)  # e.g. files of another user in it
    with Staging(site) as staging:
        staging.write("nouveau.html", "nouveau")
        staging.commit()
    assert files(site) == {SITE_MARKER: MARKER_TEXT, "nouveau.html": "nouveau"}  # the new site is in place
    [(folder, note)] = staging.notes
    assert str(note) == (f"impossible de supprimer « {folder.name} », laissé par une construction précédente "
                         "(supprimez ce dossier à la main (chmod -R u+w puis rm -r) ; il ne gêne pas les constructions)")
    assert files(folder) == {SITE_MARKER: MARKER_TEXT, "ancien.html": "ancien"}

    monkeypatch.undo()
    with Staging(site) as staging:  # the next build removes it and goes on
        staging.write("suivant.html", "suivant")
        staging.commit()
    assert staging.notes == [] and [p.name for p in tmp_path.iterdir()] == ["site"]


def unprivileged(function) -> int:
    """``function()``'s return code, run as an unprivileged user (root ignores permissions: it would prove nothing)."""
    if os.geteuid() != 0:
        return function()
    import ctypes  # noqa: F401 - loaded now: as « nobody », the child may not read the Python installation
    pid = os.fork()
    if pid == 0:  # the child: the same Python, as « nobody »
        code = 99
        try:
            os.setgid(65534)
            os.setuid(65534)
            code = function()
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def test_a_write_protected_previous_site_is_removed_after_the_swap():
    """``chmod -R a-w site`` (a read-only copy, a careful author): its owner's build still removes it."""
    with tempfile.TemporaryDirectory() as tmp:
        site = marked_site(Path(tmp) / "site", {"static/site.css": "body {}", "index.html": "ancien"})
        for path in sorted(site.rglob("*"), reverse=True) + [site]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        if os.geteuid() == 0:
            for path in [Path(tmp), *Path(tmp).rglob("*")]:
                os.chown(path, 65534, 65534)

        def plain_rmtree_fails() -> int:
            try:
                shutil.rmtree(site / "static")
            except PermissionError:
                return 0
            return 1

        def build() -> int:
            with Staging(site) as staging:
                staging.write("index.html", "nouveau")
                staging.commit()
            return len(staging.notes)

        assert unprivileged(plain_rmtree_fails) == 0  # what the build meets: the test means something
        assert unprivileged(build) == 0
        assert files(site) == {SITE_MARKER: MARKER_TEXT, "index.html": "nouveau"}
        assert sorted(p.name for p in Path(tmp).iterdir()) == ["site"]
