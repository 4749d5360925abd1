
import pytest

from coursegen.errors import UserError
from coursegen.output.staging import OLD_PREFIX, Staging, build_lock, clean_leftovers


def test_write_refuses_duplicates_and_escapes(tmp_path):
    with Staging(tmp_path / "site") as staging:
        staging.write("a.html", "un", "content/a.md")
        with pytest.raises(UserError, match="écrit deux fois : par content/a.md et par content/b.md"):
            staging.write("a.html", "deux", "content/b.md")
        for bad in ("../dehors.html", "/etc/x", ""):
            with pytest.raises(UserError, match="refusé"):
                staging.write(bad, "x")


def test_commit_replaces_the_site_as_a_whole(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "ancien.html").write_text("ancien")
    with Staging(site) as staging:
        staging.write("nouveau.html", "nouveau")
        staging.commit()
    assert sorted(p.name for p in site.iterdir()) == ["nouveau.html"]
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_failed_build_leaves_the_site_and_no_staging(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "ancien.html").write_text("ancien")
    with pytest.raises(RuntimeError):
        with Staging(site) as staging:
            staging.write("nouveau.html", "nouveau")
            raise RuntimeError("échec au milieu")
    assert [p.name for p in site.iterdir()] == ["ancien.html"]
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_a_swap_cut_in_the_middle_is_repaired(tmp_path):
    site = tmp_path / "site"
    old = tmp_path / f"{OLD_PREFIX}site-999999"
    old.mkdir()
    (old / "index.html").write_text("ancien")
    stale = tmp_path / ".site-staging-site-999998"
    stale.mkdir()
    clean_leftovers(site)
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
    from coursegen.output import staging as output

    monkeypatch.setattr(output, "_exchange", lambda a, b: False)  # e.g. a network file system
    site = tmp_path / "site"
    site.mkdir()
    (site / "ancien.html").write_text("ancien")
    with Staging(site) as staging:
        staging.write("nouveau.html", "nouveau")
        staging.commit()
    assert sorted(p.name for p in site.iterdir()) == ["nouveau.html"]
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_a_seeded_staging_never_writes_through_to_the_live_site(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "garde.html").write_text("même contenu")
    (site / "change.html").write_text("avant")
    (site / "disparu.html").write_text("plus produit")
    with Staging(site, seed=True) as staging:
        staging.write("garde.html", "même contenu")
        staging.write("change.html", "après")
        assert (site / "change.html").read_text() == "avant"   # the live file is untouched until the swap
        kept = (staging.path / "garde.html").stat().st_ino
        assert kept == (site / "garde.html").stat().st_ino      # unchanged bytes: the same file, not rewritten
        staging.commit()
    assert {p.name: p.read_text() for p in site.iterdir()} == {"garde.html": "même contenu", "change.html": "après"}
