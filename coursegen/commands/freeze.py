"""``python build.py freeze``: compute the attention figures ahead of time and write the changed JSON files."""

from __future__ import annotations

from pathlib import Path

from ..attention.frozen import first_difference
from ..config import Config
from ..course.figures import FREEZE_DIR, SPECS_FILE, AttentionFigures
from ..errors import Problems, SiteError, did_you_mean
from ..output.staging import write_if_changed


def freeze(config: Config, problems: Problems, names: list[str] | None = None) -> list[tuple[Path, bool]]:
    """Compute the figures (needs the optional freeze dependencies) and write the changed JSON files.

    A file whose new values are the same figure to within ``TOLERANCE`` (another processor rounding a
    weight to the next thousandth) is left as it is, reported unchanged; any other difference is written.
    """
    from ..attention.compute import freeze_all  # lazy: NumPy and torch only for this command

    specs = AttentionFigures(config).specs(problems)
    if names:
        unknown = [n for n in names if n not in specs]
        for n in unknown:
            problems.error(f"{config.content_dir}/{SPECS_FILE}", 0, f"figure inconnue « {n} »",
                           did_you_mean(n, specs))
        if unknown:
            return []
        specs = {n: specs[n] for n in names}
    results = []
    try:
        computed = freeze_all(specs)
    except SiteError as exc:  # e.g. a focus word the tokenizer splits: located in attention.yaml
        problems.add(exc)
        return []
    for file_name, data in sorted(computed.items()):
        path = config.content_path / FREEZE_DIR / file_name
        same = path.is_file() and first_difference(path.read_bytes(), data) is None
        results.append((path, not same and write_if_changed(path, data)))
    return results
