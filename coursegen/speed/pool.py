"""Forked worker processes for the chapters: one request in, one answer out, over a pipe.

Each worker is forked with a copy of the build's state (``speed.batch._Worker``) and keeps what it parsed
between the two passes, so a chapter is parsed and rendered by the same process.
"""

from __future__ import annotations

import os
from typing import Any


def _serve(conn, worker) -> None:
    """A forked worker's loop: one request in, one answer out, until the pipe closes."""
    import pickle

    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        try:
            if request[0] == "parse":
                answer: Any = ("ok", worker.parse(request[1]))
            elif request[0] == "render":
                if request[1] is not None:
                    worker.navigate(request[1])
                worker.nav_key = request[3]
                answer = ("ok", worker.render(request[2]))
            else:
                return
        except OSError as exc:  # a full disk while writing a page: re-raised as it is, for a French message
            answer = ("oserror", (exc.errno, exc.strerror, exc.filename))
        except BaseException as exc:  # reported by the parent, which re-raises it
            import traceback

            answer = ("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        try:
            conn.send(answer)
        except (pickle.PicklingError, TypeError) as exc:
            conn.send(("error", f"résultat non transmissible : {exc}"))


class Pool:
    """``jobs`` forked processes, each a ``speed.batch._Worker`` with its own share of the chapters."""

    def __init__(self, jobs: int, worker) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self.conns = []
        self.procs = []
        for _ in range(jobs):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_serve, args=(child, worker), daemon=True)
            proc.start()
            child.close()
            self.conns.append(parent)
            self.procs.append(proc)

    def ask(self, requests: list[tuple]) -> list:
        """Send one request to each worker (``None`` skips it), then gather the answers in worker order."""
        for conn, request in zip(self.conns, requests):
            if request is not None:
                conn.send(request)
        answers = []
        for conn, request in zip(self.conns, requests):
            if request is None:
                answers.append([])
                continue
            try:
                status, value = conn.recv()
            except EOFError:
                raise RuntimeError("un processus de rendu s'est arrêté sans répondre") from None
            if status == "oserror":
                raise OSError(*value)
            if status != "ok":
                raise RuntimeError(f"échec d'un processus de rendu : {value}")
            answers.append(value)
        return answers

    def close(self) -> None:
        for conn in self.conns:  # a forked child holds a copy of this end too: closing it is no end-of-file
            try:
                conn.send(("stop",))
            except OSError:
                pass  # that worker is already gone
            conn.close()
        for proc in self.procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
                proc.join()


def split(indexes: list[int], weights: list[int], parts: int) -> list[list[int]]:
    """Contiguous shares of about equal weight (body length), each in course order."""
    total = sum(weights[i] for i in indexes) or 1
    shares: list[list[int]] = [[] for _ in range(parts)]
    acc = 0
    for i in indexes:
        shares[min(parts - 1, acc * parts // total)].append(i)
        acc += weights[i]
    return shares


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)
