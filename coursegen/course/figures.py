"""Stage 3, the course's attention figures: the spec and frozen data of each figure the chapters request,
checked once in course order (``preload``), then rendered by the chapter renderer and published as JSON.

Only the standard-library halves of ``coursegen.attention`` are imported here: a build never needs torch.
"""

from __future__ import annotations


from ..attention.frozen import FREEZE_COMMAND, check_fresh, load
from ..attention.render import render_figure
from ..attention.specs import Spec, load_specs
from ..config import Config
from ..errors import Problems, SiteError, UserError, did_you_mean
from ..markdown.parse import Figure
from ..yamlfile import link_outside

SPECS_FILE = "attention.yaml"
FREEZE_DIR = "_freeze/attention"
DATA_DIR = "donnees/attention"


class AttentionFigures:
    """Loads specs and frozen files on first use, renders figures, remembers which data to publish.

    Problems of the specs file and of the frozen files are reported by ``preload`` (or ``specs``) into the
    ``Problems`` given; a process that renders later (a forked worker) finds them already reported.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self._specs: dict[str, Spec] | None = None
        self._frozen: dict[str, dict | None] = {}
        self.used: dict[str, bytes] = {}

    @property
    def specs_rel(self) -> str:
        return f"{self.config.content_dir}/{SPECS_FILE}"

    def specs(self, problems: Problems | None = None) -> dict[str, Spec]:
        if self._specs is None:
            problems = problems if problems is not None else Problems()
            path = self.config.content_path / SPECS_FILE
            self._specs = {}
            outside = link_outside(path, self.config.content_path, self.specs_rel) if path.is_file() else None
            if outside is not None:
                problems.add(outside)
            elif path.is_file():
                try:
                    self._specs = load_specs(path.read_text(encoding="utf-8"), self.specs_rel)
                except SiteError as exc:
                    problems.add(exc)
                except UnicodeDecodeError:
                    problems.error(self.specs_rel, 0, "le fichier n'est pas encodé en UTF-8")
        return self._specs

    def frozen(self, name: str, problems: Problems | None = None) -> dict | None:
        """The validated frozen data of one figure (None if invalid); raises UserError if it is missing."""
        if name not in self._frozen:
            rel = f"{self.config.content_dir}/{FREEZE_DIR}/{name}.json"
            path = self.config.content_path / FREEZE_DIR / f"{name}.json"
            if not path.is_file():
                raise UserError(f"données figées de la figure « {name} » absentes ({rel})",
                                    f"lancez « {FREEZE_COMMAND} » puis validez le fichier produit")
            try:
                outside = link_outside(path, self.config.content_path, rel)
                if outside is not None:
                    raise outside
                raw = path.read_bytes()
                self._frozen[name] = load(raw, rel)
                self.used[name] = raw
            except SiteError as exc:
                if problems is not None:
                    problems.add(exc)
                self._frozen[name] = None
        return self._frozen[name]

    def preload(self, pages: list, problems: Problems) -> None:
        """Load, in course order, the frozen data of every attention figure the chapters request, before they
        are rendered: its problems are then reported once, whichever process renders the figure."""
        names = [f.attrs.get("data", "") for page in pages for f in page.figures if f.kind == "attention"]
        if not names:
            return
        specs = self.specs(problems)
        for name in names:
            if name in specs and (self.config.content_path / FREEZE_DIR / f"{name}.json").is_file():
                self.frozen(name, problems)

    def resolve(self, attrs: dict[str, str], problems: Problems | None = None):
        """The spec, fresh frozen data and chosen layer/head of a figure request; None when the frozen file
        is invalid (already reported at the JSON file). Raises UserError, located by the caller."""
        name = attrs.get("data", "")
        specs = self.specs()
        if not name:
            raise UserError("figure d'attention sans données",
                                f"ajoutez data=\"nom\" (noms connus : {', '.join(sorted(specs)) or 'aucun'})")
        if name not in specs:
            raise UserError(f"figure d'attention inconnue « {name} »",
                                did_you_mean(name, specs) or f"déclarez-la dans {self.specs_rel}")
        data = self.frozen(name, problems)
        if data is None:
            return None
        check_fresh(specs[name], data)
        return specs[name], data, _int_attr(attrs, "layer"), _int_attr(attrs, "head")

    def render(self, fig: Figure, number: str, caption_html: str) -> str:
        """The HTML of one figure request (``pages.chapter.FigureRenderer``)."""
        resolved = self.resolve(fig.attrs)
        if resolved is None:
            return ""
        spec, data, layer, head = resolved
        label = f"Figure {number}" if number else ""
        return render_figure(data, spec, fig_id=fig.id, label=label, caption_html=caption_html,
                             layer=layer, head=head, data_url=f"{DATA_DIR}/{spec.name}.json")

    def data_files(self) -> list[tuple[str, bytes]]:
        """The frozen JSON of every figure used, published beside the pages for the explorer."""
        return [(f"{DATA_DIR}/{name}.json", raw) for name, raw in sorted(self.used.items())]


def _int_attr(attrs: dict[str, str], key: str) -> int | None:
    if key not in attrs:
        return None
    try:
        return int(attrs[key])
    except ValueError:
        raise UserError(f"« {key} » doit être un nombre entier (reçu « {attrs[key]} »)") from None
