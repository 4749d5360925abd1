#!/usr/bin/env python3
"""Atelier LLM: build, preview, check or freeze the course. Run ``python build.py --help``."""

from __future__ import annotations

import sys
from pathlib import Path

from coursegen.commands.arguments import FrenchArgumentParser

ROOT = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = FrenchArgumentParser(
        prog="python build.py",
        description="Construit le site du cours à partir de content/ (commande par défaut : build).")
    parser.add_argument("commande", nargs="?", default="build", choices=["build", "serve", "check", "freeze", "deploy", "new", "export-quarto", "pdf"],
                        help="build : construire site/ ; serve : prévisualiser ; check : vérifier sans écrire ; "
                             "freeze : recalculer les figures d'attention ; "
                             "deploy : publier site/ sur la branche gh-pages ; "
                             "new \"Titre\" : créer le chapitre suivant ; export-quarto DOSSIER : écrire un livre "
                             "Quarto ; pdf : livre PDF et EPUB (Quarto, sinon Pandoc et Typst)")
    parser.add_argument("names", nargs="*", metavar="NOM", help="freeze : noms des figures à recalculer (toutes par défaut) ; "
                                                 "new : titre du chapitre ; export-quarto : dossier de sortie")
    parser.add_argument("--strict", action="store_true", help="les avertissements deviennent des erreurs")
    parser.add_argument("--output", type=Path, metavar="DOSSIER", help="dossier de sortie (par défaut : output_dir de config.yaml)")
    parser.add_argument("--root", type=Path, default=ROOT, metavar="DOSSIER", help="dossier du projet (par défaut : celui de build.py)")
    parser.add_argument("--quarto", type=Path, metavar="DOSSIER",
                        help="build/check : construire le projet Quarto (book ou website) de DOSSIER tel quel, "
                             "sans config.yaml ; le site va dans DOSSIER/_atelier/ (ou --output)")
    parser.add_argument("--port", type=int, default=8000, help="serve : port local (par défaut 8000)")
    parser.add_argument("--site-url", metavar="URL",
                        help="adresse publique du site, à la place de site_url de config.yaml "
                             "(aussi : variable d'environnement ATELIER_SITE_URL)")
    parser.add_argument("--remote", default="origin", metavar="DÉPÔT", help="deploy : dépôt distant (par défaut origin)")
    parser.add_argument("--branch", default="gh-pages", metavar="BRANCHE", help="deploy : branche publiée (par défaut gh-pages)")
    parser.add_argument("--external", action="store_true", help="check : vérifier aussi les liens externes")
    parser.add_argument("--format", choices=["text", "json"], default="text",
                        help="check : format du rapport (json pour l'intégration continue)")
    parser.add_argument("--jobs", "-j", type=int, default=0, metavar="N",
                        help="build/serve : processus de rendu (par défaut : un par cœur, pour les cours assez grands "
                             "pour y gagner ; 1 : tout dans ce processus)")
    parser.add_argument("-q", "--quiet", action="store_true", help="n'afficher que les erreurs")
    parser.add_argument("-v", "--verbose", action="store_true", help="détailler les étapes")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # the parser already printed the usage message
        return 2 if exc.code else 0
    if args.names and args.commande not in ("freeze", "new", "export-quarto"):
        parser.print_usage(sys.stderr)
        print(f"erreur : arguments inattendus : {' '.join(args.names)}", file=sys.stderr)
        return 2
    if args.commande in ("new", "export-quarto") and len(args.names) != 1:
        parser.print_usage(sys.stderr)
        print('erreur : new attend un titre entre guillemets (new "Les embeddings") ; '
              "export-quarto attend un dossier (export-quarto livre-quarto)", file=sys.stderr)
        return 2

    from coursegen.commands import cli  # lazy: --help and usage errors answer without loading the stages

    root = args.root.resolve()
    quarto = args.quarto.resolve() if args.quarto else None
    if quarto is not None and args.commande not in ("build", "check"):
        parser.print_usage(sys.stderr)
        print("erreur : --quarto s'emploie avec build ou check", file=sys.stderr)
        return 2
    try:
        if args.commande == "build":
            return cli.run_build(root, strict=args.strict, output=args.output, quiet=args.quiet,
                                 verbose=args.verbose, site_url=args.site_url, jobs=args.jobs, quarto=quarto)
        if args.commande == "check":
            return cli.run_check(root, quiet=args.quiet, site_url=args.site_url, external=args.external,
                                 output_format=args.format, quarto=quarto)
        if args.commande == "new":
            return cli.run_new(root, args.names[0])
        if args.commande == "export-quarto":
            return cli.run_export_quarto(root, Path(args.names[0]), quiet=args.quiet)
        if args.commande == "pdf":
            return cli.run_pdf(root, quiet=args.quiet, site_url=args.site_url)
        if args.commande == "deploy":
            return cli.run_deploy(root, remote=args.remote, branch=args.branch, quiet=args.quiet,
                                  site_url=args.site_url)
        if args.commande == "freeze":
            return cli.run_freeze(root, args.names, quiet=args.quiet)
        return cli.run_serve(root, port=args.port, strict=args.strict, output=args.output, jobs=args.jobs)
    except KeyboardInterrupt:
        print("\ninterrompu.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
