"""Local preview: build, serve the site on 127.0.0.1, rebuild when a source changes, reload the tab.

- The sources (content/, templates/, config.yaml and the Quarto project file if any) are watched with
  ``watchdog``; a burst of events (an editor's save) triggers one in-process rebuild.
- Only in this mode, every HTML response gets ``<script src="/__atelier/reload.js">`` (a same-origin file:
  the site's CSP allows no inline script). The script listens to ``/__atelier/evenements`` (Server-Sent
  Events): a new good build reloads the page, a failed one shows its problems (``file:line``) over the
  page, which is still the last good site — the build never touches the site when it fails.
- Only files below the site folder are served: ``..``, encoded or not, and symlinks leading out are 404.
- Only requests addressed to the preview itself are answered (``Host`` is ``127.0.0.1:PORT`` or
  ``localhost:PORT``): a web page whose domain is made to resolve to 127.0.0.1 (DNS rebinding) gets 421.
- A connection that sends nothing for ``IDLE_SECONDS`` is closed; the event stream, which only writes,
  sends a comment every ``KEEPALIVE_SECONDS``.
- The port is taken before the first build: a wrong or busy port is refused at once (exit status 2).
"""

from __future__ import annotations

import errno
import json
import mimetypes
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ..config import load_config
from ..errors import Problems, SiteError, format_problem
from ..output.search import IndexTiming
from ..output.staging import build_lock
from ..pipeline import Options, build_project

PREFIX = "/__atelier/"
RELOAD_JS = PREFIX + "reload.js"
EVENTS = PREFIX + "evenements"
DEBOUNCE_SECONDS = 0.03
KEEPALIVE_SECONDS = 15.0
IDLE_SECONDS = 30.0     # a request must arrive within this time (and each read or write of it complete)
EXIT_USAGE = 2
_IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".part")
_SCRIPT_TAG = f'<script src="{RELOAD_JS}"></script>'.encode()

_RELOAD_SCRIPT = (Path(__file__).parent / "reload.js").read_bytes()  # served to the preview only

_NOT_BUILT = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Aperçu en attente</title></head>
<body><h1>Le site n'est pas encore construit</h1>
<p>Corrigez les erreurs signalées : la page se rechargera d'elle-même.</p></body></html>
"""


class Preview:
    """The rebuild loop's shared state: the generation number and the last build's problems."""

    def __init__(self, root: Path, *, strict: bool, output: Path | None, jobs: int = 0) -> None:
        self.root = root
        self.jobs = jobs
        self.strict = strict
        self.output = output
        self.site_dir: Path | None = None
        self.generation = 0
        self.errors: list[str] = []
        self.closing = False
        self.changed = threading.Condition()
        self.pending = threading.Event()
        self.last_event = 0.0
        self.written = 0  # builds that wrote the site: an index made for an older one is not put in place

    def rebuild(self) -> None:
        start = time.perf_counter()
        options = Options(strict=self.strict, jobs=self.jobs, index=IndexTiming.BACKGROUND)
        report = build_project(self.root, options, self.output)
        if report.written:  # a failed build leaves the site, and the index on its way, as they are
            self.written += 1
        if report.pending_index is not None and report.output is not None:
            threading.Thread(target=self.refresh_index, args=(report.pending_index, self.written, report.output),
                             daemon=True).start()
        problems = report.problems
        for problem in problems.items:
            print(format_problem(problem), file=sys.stderr, flush=True)
        failed = problems.failed(self.strict)
        if report.output is not None:
            self.site_dir = report.output
        with self.changed:
            self.generation += 1
            self.errors = [format_problem(p) for p in (problems.items if self.strict else problems.errors)] \
                if failed else []
            self.changed.notify_all()
        seconds = f"{time.perf_counter() - start:.2f}".replace(".", ",")
        if failed:
            print(f"Échec de la construction ({seconds} s) : le dernier site valide reste servi.",
                  file=sys.stderr, flush=True)
        else:
            print(f"Site reconstruit en {seconds} s.", flush=True)

    def refresh_index(self, pending, build_number: int, site_dir: Path) -> None:
        """Pagefind in the background: the rebuilt page is served at once, its search follows seconds later."""
        try:
            try:
                pending.build()
            except SiteError as exc:
                print(format_problem(exc), file=sys.stderr, flush=True)
                return
            with build_lock(self.root):
                if build_number != self.written or self.closing:
                    return  # a newer site was written meanwhile: its own index follows
                pending.install(site_dir)
        finally:
            pending.discard()
        print("Index de recherche à jour.", flush=True)

    def state_json(self) -> bytes:
        return json.dumps({"generation": self.generation, "erreurs": self.errors},
                          ensure_ascii=False, sort_keys=True).encode("utf-8")

    def source_changed(self) -> None:
        self.last_event = time.monotonic()
        self.pending.set()

    def rebuild_loop(self) -> None:
        while not self.closing:
            if not self.pending.wait(timeout=0.5):
                continue
            while time.monotonic() - self.last_event < DEBOUNCE_SECONDS:
                time.sleep(DEBOUNCE_SECONDS / 3)
            self.pending.clear()
            if not self.closing:
                self.rebuild()

    def close(self) -> None:
        with self.changed:
            self.closing = True
            self.changed.notify_all()


def resolve_request(site_dir: Path, raw_path: str) -> Path | None:
    """The file a URL path names below ``site_dir``, or None (escapes, symlinks out, missing files)."""
    path = unquote(urlsplit(raw_path).path)
    if "\x00" in path or "\\" in path:
        return None
    parts = PurePosixPath(path).parts
    if any(part in ("..", ".") for part in parts):
        return None
    rel = [part for part in parts if part != "/"]
    target = site_dir.joinpath(*rel)
    if target.is_dir():
        target = target / "index.html"
    try:
        real = target.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not real.is_relative_to(site_dir.resolve()) or not real.is_file():
        return None
    return real


def own_hosts(port: int) -> set[str]:
    """The ``Host`` values of a request addressed to the preview on ``port`` (without port: the default, 80)."""
    hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
    return hosts | {"127.0.0.1", "localhost"} if port == 80 else hosts


def make_handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = IDLE_SECONDS  # on the connection's socket: an idle or stalled client is let go

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - signature from the stdlib
            pass

        def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
            if self._addressed_to_us(head=True):
                self._respond(head=True)

        def do_GET(self) -> None:  # noqa: N802 - stdlib naming
            if not self._addressed_to_us(head=False):
                return
            path = urlsplit(self.path).path
            if path == EVENTS:
                self._events()
            else:
                self._respond(head=False)

        def _addressed_to_us(self, head: bool) -> bool:
            """Refuse (421) a request whose ``Host`` is not this preview's address: DNS rebinding."""
            port = self.server.server_address[1]
            if (self.headers.get("Host") or "").strip().lower() in own_hosts(port):
                return True
            body = (f"Requête refusée : cet aperçu ne répond qu'à http://127.0.0.1:{port}/ "
                    f"et http://localhost:{port}/.\n").encode("utf-8")
            self.close_connection = True
            self._send(421, body, "text/plain; charset=utf-8", head)
            return False

        def _send(self, status: int, body: bytes, content_type: str, head: bool) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _respond(self, head: bool) -> None:
            path = urlsplit(self.path).path
            if path == RELOAD_JS:
                self._send(200, _RELOAD_SCRIPT, "text/javascript; charset=utf-8", head)
                return
            site_dir = preview.site_dir
            if site_dir is None or not site_dir.is_dir():
                self._send(200, _inject(_NOT_BUILT.encode()), "text/html; charset=utf-8", head)
                return
            file = resolve_request(site_dir, self.path)
            if file is None:
                body = _inject(b'<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8">'
                               b"<title>Page introuvable</title></head><body><h1>Page introuvable</h1>"
                               b"</body></html>\n")
                self._send(404, body, "text/html; charset=utf-8", head)
                return
            body = file.read_bytes()
            content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            if content_type == "text/html":
                body = _inject(body)
            if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
                content_type += "; charset=utf-8"
            self._send(200, body, content_type, head)

        def _events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.close_connection = True
            try:
                with preview.changed:
                    seen = preview.generation
                    message = preview.state_json()
                self._event(message)
                while True:
                    with preview.changed:
                        preview.changed.wait_for(lambda: preview.generation != seen or preview.closing,
                                                 timeout=KEEPALIVE_SECONDS)
                        if preview.closing:
                            return
                        changed = preview.generation != seen
                        seen = preview.generation
                        message = preview.state_json()
                    if changed:
                        self._event(message)
                    else:
                        self.wfile.write(b": ping\n\n")
                        self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

        def _event(self, data: bytes) -> None:
            self.wfile.write(b"event: etat\ndata: " + data + b"\n\n")
            self.wfile.flush()

    return Handler


class PreviewServer(ThreadingHTTPServer):
    """The preview's HTTP server: loopback only (see ``serve``), one thread per request, quiet on disconnects."""

    daemon_threads = True
    request_queue_size = 256  # the default backlog of 5 makes a burst of requests wait for SYN retries

    def handle_error(self, request, client_address) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return  # the browser closed the tab or cancelled a request: nothing to report
        print(f"aperçu : erreur en répondant à une requête ({type(exc).__name__} : {exc})", file=sys.stderr, flush=True)


def _inject(html: bytes) -> bytes:
    """The reload script, just before ``</head>`` (or at the end of a fragment)."""
    index = html.find(b"</head>")
    if index < 0:
        return html + _SCRIPT_TAG
    return html[:index] + _SCRIPT_TAG + html[index:]


def watched_paths(root: Path) -> tuple[list[Path], set[Path]]:
    """The folders to watch recursively and the single files at the root the build reads."""
    config = load_config(root, Problems())
    folders = [root / "content", root / "templates"]
    files = {root / "config.yaml"}
    if config is not None:
        folders = [config.content_path, config.templates_path]
        quarto_project = config.quarto_project
        if quarto_project:
            files |= {root / quarto_project, (root / quarto_project).parent / "_variables.yml"}
    return [f for f in folders if f.is_dir()], files


def start_watching(preview: Preview, root: Path):
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    folders, files = watched_paths(root)
    resolved_folders = [f.resolve() for f in folders]
    resolved_files = {f.resolve() for f in files}

    class OnChange(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type in ("opened", "closed_no_write") or \
                    (event.is_directory and event.event_type == "modified"):
                return
            for raw in (event.src_path, getattr(event, "dest_path", "")):
                if raw and _relevant(Path(str(raw)), resolved_folders, resolved_files):
                    preview.source_changed()
                    return

    observer = Observer()
    handler = OnChange()
    for folder in folders:
        observer.schedule(handler, str(folder), recursive=True)
    for parent in sorted({f.parent for f in files if f.parent.is_dir()}):
        observer.schedule(handler, str(parent), recursive=False)
    observer.daemon = True
    observer.start()
    return observer


def _relevant(path: Path, folders: list[Path], files: set[Path]) -> bool:
    name = path.name
    if name.endswith(_IGNORED_SUFFIXES) or name.startswith(".#") or name == "4913":  # editor temp files
        return False
    absolute = path.resolve()
    return absolute in files or any(absolute.is_relative_to(folder) for folder in folders)


def port_problem(port: int) -> str:
    """Why ``--port`` cannot be used as it is written ("" if it can: 0 lets the system pick a free port)."""
    if 0 <= port <= 65535:
        return ""
    return (f"serve : --port {port} n'est pas un port : choisissez un nombre entre 1 et 65535 (par exemple "
            "--port 8000) ; rien n'a été construit, le site précédent est inchangé")


def _bind_problem(port: int, exc: OSError) -> str:
    other = 8000 if port != 8000 else 8001
    if exc.errno == errno.EADDRINUSE:
        why = f"le port {port} est déjà utilisé (par un autre aperçu ?) : arrêtez-le ou choisissez --port {other}"
    elif exc.errno == errno.EACCES:
        why = (f"le port {port} est réservé (sous 1024, il faut les droits d'administrateur) : "
               f"choisissez --port {other}")
    else:
        why = f"impossible d'écouter sur 127.0.0.1:{port} ({exc.strerror}) : choisissez --port {other}"
    return f"serve : {why} ; rien n'a été construit, le site précédent est inchangé"


def serve(root: Path, *, port: int, strict: bool = False, output: Path | None = None, jobs: int = 0) -> int:
    """Take the port, build, then serve and rebuild on every change until Ctrl+C."""
    refused = port_problem(port)
    if refused:
        print(refused, file=sys.stderr)
        return EXIT_USAGE
    preview = Preview(root, strict=strict, output=output, jobs=jobs)
    try:  # before the first build: a port that cannot be used is said at once
        server = PreviewServer(("127.0.0.1", port), make_handler(preview))
    except OSError as exc:
        print(_bind_problem(port, exc), file=sys.stderr)
        return EXIT_USAGE
    serving = observer = None
    try:
        preview.rebuild()
        serving = threading.Thread(target=server.serve_forever, daemon=True)
        serving.start()
        observer = start_watching(preview, root)
        print(f"Prévisualisation sur http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C pour arrêter)",
              flush=True)
        preview.rebuild_loop()
    finally:
        preview.close()
        if observer is not None:
            observer.stop()
        if serving is not None:
            server.shutdown()
        server.server_close()
    return 0
