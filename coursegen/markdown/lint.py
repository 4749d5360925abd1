"""What ``check`` adds to the build's own checks: authoring mistakes the page would still show.

Missing image descriptions, skipped heading levels, straight double quotes in prose (« … » belong
there), and, on request, external links fetched with a short timeout and an overall deadline.
"""

from __future__ import annotations

import queue
import threading
import time
import urllib.error
import urllib.request
from typing import Callable, Iterable

from ..errors import Problems, SiteError
from .parse import ParsedPage

LINK_TIMEOUT_SECONDS = 5.0    # each wait for the network (connecting, each read)
DEADLINE_SECONDS = 30.0       # the whole check: a server that answers byte by byte cannot hold it longer
USER_AGENT = "atelier-llm-check/1.0"


def check_pages(pages: Iterable[ParsedPage], problems: Problems,
                place: Callable[[SiteError], SiteError] = lambda p: p) -> None:
    """Authoring checks of every page; ``place`` moves a problem to the file and line the author wrote it."""
    found = Problems()
    for page in pages:
        check_page(page, found)
    for problem in found.items:
        problems.add(place(problem))


def check_page(page: ParsedPage, problems: Problems) -> None:
    source, body_line = page.chapter.source, page.chapter.body_line
    previous_level = 1  # the chapter title is the page's h1
    for tok in page.tokens:
        line = body_line + (tok.map[0] if tok.map else 0)
        if tok.type == "heading_open":
            level = int(tok.tag[1])
            if level > previous_level + 1:
                problems.warn(source, line, f"niveau de titre sauté : {'#' * level} après {'#' * previous_level}",
                              f"utilisez {'#' * (previous_level + 1)} ici, ou ajoutez le niveau intermédiaire")
            previous_level = level
        elif tok.type == "inline" and tok.children:
            _check_inline(tok.children, source, line, problems)


def _check_inline(children, source: str, line: int, problems: Problems) -> None:
    url_text = False
    quoted = False
    for child in children:
        line = child.meta.get("line", line)  # marked by ``parse_page``: the block's line plus soft breaks
        if child.type == "link_open":
            url_text = child.markup in ("autolink", "linkify")
        elif child.type == "link_close":
            url_text = False
        elif child.type == "image":
            alt = "".join(c.content for c in child.children or []).strip()
            if not alt and not child.attrs.get("fig-alt"):
                problems.warn(source, line, f"image « {child.attrs.get('src', '')} » sans texte alternatif",
                              "décrivez-la entre les crochets : ![Ce que montre l'image](…)")
        elif child.type == "text" and '"' in child.content and not url_text and not quoted:
            problems.warn(source, line, "guillemets droits \"…\" dans le texte",
                          "en français, écrivez « … » (avec des espaces insécables, ajoutées à la construction)")
            quoted = True  # one warning per paragraph is enough


def fetch_links(links: list[tuple[str, str, int]], timeout: float = LINK_TIMEOUT_SECONDS, workers: int = 8,
                deadline: float = DEADLINE_SECONDS) -> dict[str, str | None]:
    """URL -> "" if it answers, a French reason if it is broken, None if it was not checked within ``deadline``
    seconds (neither good nor broken). Each distinct URL is fetched once (HEAD, then GET).

    The fetches run in daemon threads: one still waiting at the deadline is left behind, never waited for.
    """
    urls = sorted({href for _, href, _ in links if href.startswith(("http://", "https://"))})
    end = time.monotonic() + deadline
    todo: queue.SimpleQueue[str] = queue.SimpleQueue()
    for url in urls:
        todo.put(url)
    results: dict[str, str | None] = {}
    done = threading.Condition()

    def work() -> None:
        while (left := end - time.monotonic()) > 0:
            try:
                url = todo.get_nowait()
            except queue.Empty:
                return
            reason = _probe(url, min(timeout, left))
            if reason is None:  # no answer in time: broken only if it had its full ``timeout``
                reason = f"pas de réponse en {timeout:g} s" if left >= timeout else None
            with done:
                results[url] = reason
                done.notify()

    for _ in range(min(workers, len(urls))):
        threading.Thread(target=work, daemon=True, name="atelier-liens").start()
    with done:
        done.wait_for(lambda: len(results) == len(urls), timeout=max(0.0, end - time.monotonic()))
        return {url: results.get(url) for url in urls}


def _probe(url: str, timeout: float) -> str | None:
    """"" if ``url`` answers, a French reason if not, None if a wait for the network took ``timeout``."""
    reason = ""
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout):
                return ""
        except urllib.error.HTTPError as exc:
            reason = f"réponse HTTP {exc.code}"
            if exc.code not in (403, 405, 501):  # some servers refuse HEAD only
                return reason
        except urllib.error.URLError as exc:
            inner = exc.reason
            if isinstance(inner, TimeoutError) or "timed out" in str(inner):
                return None
            return f"inaccessible ({getattr(inner, 'strerror', None) or inner})"
        except TimeoutError:
            return None
        except (OSError, ValueError) as exc:
            return f"inaccessible ({exc})"
    return reason
