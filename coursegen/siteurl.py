"""The public address of a site whose ``site_url`` is empty, deduced as GitHub Pages would publish it.

Pages that know their address are linked relatively and work anywhere; the 404 page does not know where
it is shown (GitHub Pages serves it for any missing address, at any depth), so its links and stylesheets
need the site's absolute path. Nothing in the page itself can find it: the CSP forbids inline scripts and
``<base>`` (``base-uri 'none'``), and a script linked relatively is as lost as the stylesheet. So the
address is deduced at build time, in this order:

1. a ``CNAME`` file (GitHub Pages' custom domain) in the content folder, the project folder or ``static/``:
   ``https://DOMAIN/``;
2. the repository's ``origin`` remote on GitHub (https or ssh): ``https://OWNER.github.io/REPO/``, or
   ``https://OWNER.github.io/`` for the repository named ``OWNER.github.io``.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

GIT_TIMEOUT_SECONDS = 5
_GITHUB = re.compile(r"^(?:https?://(?:[^@/]+@)?github\.com/|ssh://git@github\.com/|git@github\.com:)"
                     r"(?P<owner>[A-Za-z0-9-]+)/(?P<repo>[A-Za-z0-9._-]+?)(?:\.git)?/?$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def github_pages_url(remote: str) -> str:
    """``https://OWNER.github.io/REPO/`` for a GitHub remote address, "" for any other."""
    match = _GITHUB.match(remote.strip())
    if not match:
        return ""
    owner, repo = match["owner"].lower(), match["repo"]
    if repo.lower() == f"{owner}.github.io":
        return f"https://{owner}.github.io/"
    return f"https://{owner}.github.io/{repo}/"


def cname_url(text: str) -> str:
    """``https://DOMAIN/`` for the first line of a CNAME file, "" if it is not a domain name."""
    lines = text.strip().splitlines()
    domain = lines[0].strip().lower().rstrip(".") if lines else ""
    return f"https://{domain}/" if _DOMAIN.match(domain) else ""


def origin_remote(root: Path) -> str:
    """``git config --get remote.origin.url`` in ``root`` ("" without git, a repository or an origin)."""
    try:
        result = subprocess.run(["git", "config", "--get", "remote.origin.url"], cwd=root, capture_output=True,
                                text=True, timeout=GIT_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def deduce(root: Path, content_dir: str) -> tuple[str, str]:
    """(address, where it came from, in French) for a project without ``site_url``; ("", "") if none."""
    for folder in (root / content_dir, root, root / "static"):
        file = folder / "CNAME"
        if file.is_file():
            try:
                url = cname_url(file.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                continue
            if url:
                return url, f"fichier {file.relative_to(root).as_posix()}"
    url = github_pages_url(origin_remote(root))
    return (url, "dépôt GitHub (git remote origin)") if url else ("", "")
