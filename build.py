#!/usr/bin/env python3
"""Atelier LLM: build, preview, check or freeze the course. Run ``python build.py --help``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python build.py",
        description="Construit le site du cours à partir de content/ (commande par défaut : build).")
    parser.add_argument("command", nargs="?", default="build", choices=["build", "serve", "check", "freeze"],
                        help="build : construire site/ ; serve : prévisualiser ; check : vérifier sans écrire ; "
                             "freeze : recalculer les figures d'attention")
    parser.add_argument("names", nargs="*", help="freeze : noms des figures à recalculer (toutes par défaut)")
    parser.add_argument("--strict", action="store_true", help="les avertissements deviennent des erreurs")
    parser.add_argument("--output", type=Path, help="dossier de sortie (par défaut : output_dir de config.yaml)")
    parser.add_argument("--root", type=Path, default=ROOT, help="dossier du projet (par défaut : celui de build.py)")
    parser.add_argument("--port", type=int, default=8000, help="serve : port local (par défaut 8000)")
    parser.add_argument("-q", "--quiet", action="store_true", help="n'afficher que les erreurs")
    parser.add_argument("-v", "--verbose", action="store_true", help="détailler les étapes")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage message
        return 2 if exc.code else 0
    if args.names and args.command != "freeze":
        parser.print_usage(sys.stderr)
        print(f"erreur : arguments inattendus : {' '.join(args.names)}", file=sys.stderr)
        return 2

    from coursegen import cli

    root = args.root.resolve()
    try:
        if args.command == "build":
            return cli.run_build(root, strict=args.strict, output=args.output, quiet=args.quiet,
                                 verbose=args.verbose)
        if args.command == "check":
            return cli.run_check(root, quiet=args.quiet)
        if args.command == "freeze":
            return cli.run_freeze(root, args.names, quiet=args.quiet)
        return cli.run_serve(root, port=args.port, strict=args.strict, output=args.output)
    except KeyboardInterrupt:
        print("\ninterrompu.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
