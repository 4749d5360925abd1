"""The preview: only files of the site are served, the tab reloads itself, errors show over the page."""

import os
import queue
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


from conftest import REPO, make_project
from coursegen.commands import serve as serve_module
from coursegen.commands.serve import _inject, _relevant, resolve_request


class Preview:
    """``python build.py serve --port 0`` in its own process; ``url`` once it listens."""

    def __init__(self, root: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        self.process = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--port", "0", "--root", str(root)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=root)
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = ""
        deadline = time.monotonic() + 60
        while not self.url:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line.startswith("Prévisualisation sur "):
                self.url = line.split()[2]

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.log.append(line)
            self.lines.put(line)

    def wait_for_line(self, start: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line.startswith(start):
                return line

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def preview(tmp_path):
    root = make_project(tmp_path / "projet")
    server = Preview(root)
    yield root, server
    server.stop()


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_only_files_of_the_site_are_served(preview, tmp_path):
    root, server = preview
    (tmp_path / "dehors.txt").write_text("secret", encoding="utf-8")
    (root / "site" / "lien.txt").symlink_to(tmp_path / "dehors.txt")
    assert status(server.url + "bases.html") == 200
    assert status(server.url) == 200
    for path in ("../config.yaml", "%2e%2e/config.yaml", "..%2fconfig.yaml", "static/..%2f..%2fconfig.yaml",
                 "%2e%2e%2f%2e%2e%2fetc/passwd", "lien.txt", "absent.html"):
        assert status(server.url + path) == 404, path


def test_resolve_request_refuses_escapes(tmp_path):
    site = tmp_path / "site"
    (site / "static").mkdir(parents=True)
    (site / "index.html").write_text("x", encoding="utf-8")
    (site / "static" / "a.css").write_text("x", encoding="utf-8")
    assert resolve_request(site, "/") == (site / "index.html").resolve()
    assert resolve_request(site, "/static/a.css?v=1") == (site / "static" / "a.css").resolve()
    for raw in ("/../site/index.html", "/static/%2e%2e/index.html", "/static/..%5cindex.html", "/%00"):
        assert resolve_request(site, raw) is None, raw


def test_reload_script_only_in_preview_responses(preview):
    root, server = preview
    with urllib.request.urlopen(server.url + "bases.html", timeout=5) as response:
        served = response.read().decode("utf-8")
    assert served.count('<script src="/__atelier/reload.js"></script></head>') == 1
    assert "__atelier" not in (root / "site" / "bases.html").read_text(encoding="utf-8")
    with urllib.request.urlopen(server.url + "__atelier/reload.js", timeout=5) as response:
        assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert b'new EventSource("/__atelier/evenements")' in response.read()
    assert _inject(b"<p>fragment</p>") == b'<p>fragment</p><script src="/__atelier/reload.js"></script>'


def test_editor_temporary_files_are_not_changes(tmp_path):
    content = tmp_path / "content"
    config = tmp_path / "config.yaml"
    assert _relevant(content / "01-a.md", [content], {config})
    assert _relevant(config, [content], {config})
    for name in ("01-a.md~", ".01-a.md.swp", ".#01-a.md", "4913"):
        assert not _relevant(content / name, [content], {config}), name
    assert not _relevant(tmp_path / "site" / "index.html", [content], {config})
    assert not _relevant(tmp_path / ".build.lock", [content], {config})


def test_page_reloads_on_save_and_shows_errors_over_the_last_good_site(browser, preview):  # noqa: F811
    root, server = preview
    chapter = root / "content" / "02-suite.md"
    original = chapter.read_text(encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server.url + "suite.html")
    page.wait_for_function("() => document.readyState === 'complete'")
    time.sleep(0.3)  # the EventSource connects
    assert "Texte modifié" not in page.locator("article").inner_text()

    chapter.write_text(original.replace("Texte « entre guillemets » et fin.", "Texte modifié en direct."),
                       encoding="utf-8")
    page.wait_for_function("() => (document.querySelector('article')?.textContent ?? '').includes('Texte modifié')",
                           timeout=20000)

    chapter.write_text(original.replace('title: "La suite"', 'title: "La suite'), encoding="utf-8")
    overlay = page.locator("#atelier-erreurs")
    overlay.wait_for(state="visible", timeout=20000)
    assert "La construction a échoué" in overlay.inner_text()
    assert "content/02-suite.md:3: YAML invalide : guillemet non fermé" in overlay.inner_text()
    assert "Texte modifié en direct." in page.locator("article").inner_text()  # the last good page

    chapter.write_text(original, encoding="utf-8")
    overlay.wait_for(state="detached", timeout=20000)
    page.wait_for_function("() => (document.querySelector('article')?.textContent ?? '').includes('entre guillemets')",
                           timeout=20000)
    context.close()


def test_a_project_that_never_built_waits_then_shows_the_site(browser, tmp_path):  # noqa: F811
    root = make_project(tmp_path / "projet")
    chapter = root / "content" / "02-suite.md"
    good = chapter.read_text(encoding="utf-8")
    chapter.write_text("pas d'en-tête\n", encoding="utf-8")
    server = Preview(root)
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(server.url)
        page.locator("#atelier-erreurs").wait_for(state="visible", timeout=20000)
        assert "content/02-suite.md:1: en-tête YAML (front matter) absent" in page.locator("#atelier-erreurs").inner_text()
        chapter.write_text(good, encoding="utf-8")
        page.wait_for_selector("h1:has-text('Cours d’essai')", timeout=20000)
        context.close()
    finally:
        server.stop()


def raw_status(url: str, raw_path: str) -> int:
    """Status of a GET whose path is sent byte for byte (no client-side normalisation of ``..``)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.putrequest("GET", raw_path, skip_accept_encoding=True)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def test_escapes_encoded_or_not_and_symlinked_folders_are_404(preview, tmp_path):
    root, server = preview
    outside = tmp_path / "dehors"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret", encoding="utf-8")
    (root / "site" / "dossier-lien").symlink_to(outside, target_is_directory=True)
    assert raw_status(server.url, "/bases.html") == 200
    for path in ("/../config.yaml", "/../../etc/passwd", "/%2e%2e/config.yaml", "/%2E%2E/config.yaml",
                 "/%252e%252e/config.yaml", "/..%252fconfig.yaml", "/static/%2e%2e/%2e%2e/config.yaml",
                 "/static/..%2F..%2Fconfig.yaml", "/.%2e/config.yaml", "//etc/passwd", "/%2fetc%2fpasswd",
                 "/dossier-lien/secret.txt", "/static/..\\..\\config.yaml", "/bases.html%00.txt",
                 "/content/01-bases.md", "/config.yaml"):
        assert raw_status(server.url, path) == 404, path


def test_listens_on_the_loopback_interface_only(preview):
    """Nothing but this machine can reach the preview: its listening socket is bound to 127.0.0.1."""
    _, server = preview
    port = int(server.url.rstrip("/").rsplit(":", 1)[1])
    bound = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, local_port = local.split(":")
            if state == "0A" and int(local_port, 16) == port:  # 0A = LISTEN
                bound.append(address)
    assert bound == ["0100007F"], bound  # 127.0.0.1, little-endian; no 0.0.0.0 nor IPv6 socket


def test_survives_200_concurrent_requests(preview):
    from concurrent.futures import ThreadPoolExecutor

    root, server = preview
    expected = {name: (root / "site" / name).read_bytes() for name in ("static/site.css", "404.html")}

    def fetch(i: int) -> tuple[int, bool]:
        name = "static/site.css" if i % 2 else "404.html"
        with urllib.request.urlopen(server.url + name, timeout=10) as response:
            body = response.read()
        return response.status, body.startswith(expected[name][:200]) and len(body) >= len(expected[name])

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=200) as pool:
        results = list(pool.map(fetch, range(200)))
    assert results == [(200, True)] * 200
    assert time.monotonic() - start < 10


def test_a_client_leaving_mid_response_does_not_hurt_the_server(preview):
    import socket
    import struct

    root, server = preview
    (root / "site" / "gros.bin").write_bytes(os.urandom(1024) * 32 * 1024)  # 32 MB: longer than any buffer
    port = int(server.url.rstrip("/").rsplit(":", 1)[1])
    for _ in range(5):
        client = socket.create_connection(("127.0.0.1", port), timeout=5)
        client.sendall(f"GET /gros.bin HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        assert client.recv(4096).startswith(b"HTTP/1.1 200")
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset, not FIN
        client.close()
    time.sleep(0.5)
    assert status(server.url + "bases.html") == 200
    assert server.process.poll() is None
    assert not any("Traceback" in line or "Error" in line for line in server.log), "".join(server.log)


@pytest.fixture
def quick_server(tmp_path, monkeypatch):
    """The preview's HTTP server in this process (no build: it shows the « not built yet » page), with short
    idle and keep-alive delays; yields its port."""
    monkeypatch.setattr(serve_module, "IDLE_SECONDS", 0.6)
    monkeypatch.setattr(serve_module, "KEEPALIVE_SECONDS", 0.2)
    preview = serve_module.Preview(tmp_path, strict=False, output=None)
    server = serve_module.PreviewServer(("127.0.0.1", 0), serve_module.make_handler(preview))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    preview.close()
    server.shutdown()
    server.server_close()


def exchange(port: int, request: bytes, wait: float = 5) -> bytes:
    """Send ``request`` as it is, then read until the server closes the connection (or ``wait`` passes)."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=wait) as client:
        client.sendall(request)
        data = b""
        while chunk := client.recv(65536):
            data += chunk
        return data


def test_only_requests_addressed_to_the_preview_are_answered(quick_server):
    """DNS rebinding: a page of « attaquant.example » resolved to 127.0.0.1 sends its own name as Host."""
    port = quick_server
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        answer = exchange(port, f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.1 200"), host
    for host in (f"attaquant.example:{port}", "attaquant.example", "127.0.0.1", f"127.0.0.1:{port + 1}",
                 f"127.0.0.1.attaquant.example:{port}", ""):
        for path in ("/", "/__atelier/evenements", "/__atelier/reload.js"):
            answer = exchange(port, f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 421"), (host, path)
            assert body.decode("utf-8") == (f"Requête refusée : cet aperçu ne répond qu'à http://127.0.0.1:{port}/ "
                                            f"et http://localhost:{port}/.\n")
    answer = exchange(port, b"GET / HTTP/1.0\r\n\r\n")  # no Host at all
    assert answer.startswith(b"HTTP/1.1 421")


def test_idle_connections_are_closed(quick_server):
    import socket

    port = quick_server
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        assert client.recv(1) == b""  # closed by the server: nothing sent for IDLE_SECONDS
    assert time.monotonic() - start < 5
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(b"GET / HTTP/1.1\r\nHo")  # a request started, never finished
        assert client.recv(1) == b""
    assert time.monotonic() - start < 5


def test_the_event_stream_outlives_the_idle_delay(quick_server):
    """The stream only writes: keep-alive comments every KEEPALIVE_SECONDS, open well past IDLE_SECONDS."""
    import socket

    port = quick_server
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(f"GET /__atelier/evenements HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        data, end = b"", time.monotonic() + 2.0  # more than three idle delays
        while time.monotonic() < end:
            chunk = client.recv(4096)
            assert chunk, "flux fermé : " + data.decode("utf-8", "replace")
            data += chunk
    assert data.startswith(b"HTTP/1.1 200")
    assert b"event: etat" in data
    assert data.count(b": ping") >= 5


def run_serve(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    return subprocess.run([sys.executable, str(REPO / "build.py"), "serve", *args, "--root", str(root)],
                          capture_output=True, text=True, timeout=60, env=env, cwd=root)


@pytest.mark.parametrize("port", ["70000", "-1", "65536"])
def test_a_port_out_of_range_is_refused_before_building(tmp_path, port):
    root = make_project(tmp_path / "projet")
    result = run_serve(root, "--port", port)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"serve : --port {port} n'est pas un port : choisissez un nombre entre 1 et 65535 (par exemple --port 8000) ; "
        "rien n'a été construit, le site précédent est inchangé"]
    assert not (root / "site").exists()


def test_a_port_in_use_is_refused_before_building(tmp_path):
    import socket

    root = make_project(tmp_path / "projet")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_serve(root, "--port", str(port))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"serve : le port {port} est déjà utilisé (par un autre aperçu ?) : arrêtez-le ou choisissez --port 8000 ; "
        "rien n'a été construit, le site précédent est inchangé"]
    assert not (root / "site").exists()


def test_the_variables_beside_the_quarto_project_are_watched(tmp_path):
    from coursegen.commands.serve import watched_paths

    (tmp_path / "content").mkdir()
    (tmp_path / "config.yaml").write_text('title: "T"\nauthor: "A"\nquarto_project: _quarto.yml\n', encoding="utf-8")
    (tmp_path / "_quarto.yml").write_text("book:\n  chapters:\n    - content/01-a.md\n", encoding="utf-8")
    _, files = watched_paths(tmp_path)
    assert tmp_path / "_variables.yml" in files and tmp_path / "_quarto.yml" in files
