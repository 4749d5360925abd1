"""Attention figures in the build: find each request's spec and frozen data, render it, ship its JSON.

Only the standard-library halves of ``coursegen.attention`` are imported here: a build never needs torch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .config import Config
from .errors import Problems, SiteError, did_you_mean
from .htmlrender import FigureProblem
from .markdown import Figure

SPECS_FILE = "attention.yaml"
FREEZE_DIR = "_freeze/attention"
DATA_DIR = "donnees/attention"
FREEZE_COMMAND = "python build.py freeze"


class AttentionFigures:
    """Loads specs and frozen files on first use, renders figures, remembers which data to publish."""

    def __init__(self, config: Config, problems: Problems) -> None:
        self.config = config
        self.problems = problems
        self._specs: dict | None = None
        self._frozen: dict[str, dict | None] = {}
        self.used: dict[str, bytes] = {}

    @property
    def specs_rel(self) -> str:
        return f"{self.config.content_dir}/{SPECS_FILE}"

    def specs(self) -> dict:
        if self._specs is None:
            from .attention.specs import load_specs

            path = self.config.content_path / SPECS_FILE
            self._specs = {}
            if path.is_file():
                try:
                    self._specs = load_specs(path.read_text(encoding="utf-8"), self.specs_rel)
                except SiteError as exc:
                    self.problems.add(exc)
                except UnicodeDecodeError:
                    self.problems.error(self.specs_rel, 0, "le fichier n'est pas encodé en UTF-8")
        return self._specs

    def frozen(self, name: str) -> dict | None:
        """The validated frozen data of one figure; raises FigureProblem if it is missing."""
        if name not in self._frozen:
            from .attention.frozen import load

            rel = f"{self.config.content_dir}/{FREEZE_DIR}/{name}.json"
            path = self.config.content_path / FREEZE_DIR / f"{name}.json"
            if not path.is_file():
                raise FigureProblem(f"données figées de la figure « {name} » absentes ({rel})",
                                    f"lancez « {FREEZE_COMMAND} » puis validez le fichier produit")
            raw = path.read_bytes()
            try:
                self._frozen[name] = load(raw, rel)
                self.used[name] = raw
            except SiteError as exc:
                self.problems.add(exc)
                self._frozen[name] = None
        return self._frozen[name]

    def preload(self, pages: list) -> None:
        """Load, in course order, the frozen data of every attention figure the chapters request, before they
        are rendered: its problems are then reported once, whichever process renders the figure."""
        names = [f.attrs.get("data", "") for page in pages for f in page.figures if f.kind == "attention"]
        if not names:
            return
        specs = self.specs()
        for name in names:
            if name in specs and (self.config.content_path / FREEZE_DIR / f"{name}.json").is_file():
                self.frozen(name)

    def resolve(self, attrs: dict[str, str]):
        """The spec, fresh frozen data and chosen layer/head of a figure request; None when the frozen file
        is invalid (already reported at the JSON file). Raises FigureProblem, located by the caller."""
        from .attention.frozen import AttentionError, check_fresh

        name = attrs.get("data", "")
        specs = self.specs()
        if not name:
            raise FigureProblem("figure d'attention sans données",
                                f"ajoutez data=\"nom\" (noms connus : {', '.join(sorted(specs)) or 'aucun'})")
        if name not in specs:
            raise FigureProblem(f"figure d'attention inconnue « {name} »",
                                did_you_mean(name, specs) or f"déclarez-la dans {self.specs_rel}")
        data = self.frozen(name)
        if data is None:
            return None
        try:
            check_fresh(specs[name], data)
        except AttentionError as exc:
            raise FigureProblem(exc.message, exc.hint or "") from None
        return specs[name], data, _int_attr(attrs, "layer"), _int_attr(attrs, "head")

    def renderer_for(self, source: str) -> Callable[[Figure, str], str]:
        def render(fig: Figure, caption_html: str) -> str:
            from .attention.frozen import AttentionError
            from .attention.render import render_figure

            resolved = self.resolve(fig.attrs)
            if resolved is None:
                return ""
            spec, data, layer, head = resolved
            label = f"Figure {fig.number}" if fig.number else ""
            try:
                return render_figure(data, spec, fig_id=fig.id, label=label, caption_html=caption_html,
                                     layer=layer, head=head, data_url=f"{DATA_DIR}/{spec.name}.json")
            except AttentionError as exc:
                raise FigureProblem(exc.message, exc.hint or "") from None
        return render

    def data_files(self) -> list[tuple[str, bytes]]:
        """The frozen JSON of every figure used, published beside the pages for the explorer."""
        return [(f"{DATA_DIR}/{name}.json", raw) for name, raw in sorted(self.used.items())]


def _int_attr(attrs: dict[str, str], key: str) -> int | None:
    if key not in attrs:
        return None
    try:
        return int(attrs[key])
    except ValueError:
        raise FigureProblem(f"« {key} » doit être un nombre entier (reçu « {attrs[key]} »)") from None


def freeze(config: Config, problems: Problems, names: list[str] | None = None) -> list[tuple[Path, bool]]:
    """Compute the figures (needs the optional freeze dependencies) and write the changed JSON files.

    A file whose new values are the same figure to within ``TOLERANCE`` (another processor rounding a
    weight to the next thousandth) is left as it is, reported unchanged; any other difference is written.
    """
    from .attention.compute import freeze_all
    from .attention.frozen import first_difference
    from .output import write_if_changed

    specs = AttentionFigures(config, problems).specs()
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
