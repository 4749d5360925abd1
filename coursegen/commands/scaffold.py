"""``python build.py new "Titre"``: the next ``NN-slug.md`` with its front matter, listed in config.yaml.

config.yaml is edited as text (one line inserted after the last chapter) so its comments stay as written.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..config import CONFIG_NAME, load_config
from ..errors import Problems
from ..text import slugify

SLUG_MAX = 40
_ITEM = re.compile(r"^(\s*)-\s+\S")


def new_chapter(root: Path, title: str, problems: Problems) -> Path | None:
    title = " ".join(title.split())
    if not title:
        problems.error("new", 0, "titre vide", 'écrivez par exemple : python build.py new "Les embeddings"')
        return None
    config = load_config(root, problems)
    if config is None:
        return None
    if config.quarto_project:
        problems.error(CONFIG_NAME, 0, "la liste des chapitres vient de « quarto_project »",
                       f"créez le fichier à la main et ajoutez-le à book: chapters: de {config.quarto_project}")
        return None
    numbers = [int(m.group(1)) for name in config.chapters if (m := re.match(r"^(\d+)[-_]", Path(name).name))]
    width = max([len(m.group(1)) for name in config.chapters if (m := re.match(r"^(\d+)", name))] or [2])
    slug = slugify(title)
    if len(slug) > SLUG_MAX:
        slug = slug[:SLUG_MAX].rsplit("-", 1)[0] or slug[:SLUG_MAX]
    name = f"{(max(numbers) + 1) if numbers else 1:0{width}d}-{slug}.md"
    path = config.content_path / name
    if path.exists():
        problems.error(f"{config.content_dir}/{name}", 0, "ce fichier existe déjà", "choisissez un autre titre")
        return None
    config_text = (root / CONFIG_NAME).read_text(encoding="utf-8")
    updated = _append_chapter(config_text, name)
    if updated is None:
        problems.error(CONFIG_NAME, 0, "liste « chapters » introuvable sous la forme « - fichier.md »",
                       f"ajoutez « - {name} » à la main sous « chapters: »")
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\ndescription: \"\"\n---\n"
                    "Introduction du chapitre…\n\n## Première section\n", encoding="utf-8")
    (root / CONFIG_NAME).write_text(updated, encoding="utf-8")
    return path


def _append_chapter(text: str, name: str) -> str | None:
    """``text`` with ``- name`` added after the last item of the top-level ``chapters:`` block list."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if re.match(r"^chapters:\s*(#.*)?$", line)), None)
    if start is None:
        return None
    last, indent = None, "  "
    for i in range(start + 1, len(lines)):
        line = lines[i]
        item = _ITEM.match(line)
        if item:
            last, indent = i, item.group(1)
        elif line.strip() and not line.lstrip().startswith("#") and not line.startswith((" ", "\t")):
            break
    if last is None:
        return None
    lines.insert(last + 1, f"{indent}- {name}")
    return "\n".join(lines)
