"""Attention maps, the course's signature figure, in two strictly separated halves.

- compute (``compute.py``, freeze time only): NumPy, torch and transformers produce the numbers;
- render (``specs.py``, ``frozen.py``, ``render.py``, every build, standard library + PyYAML only):
  frozen JSON → deterministic, accessible SVG/HTML that ``templates/static/attention.js`` enhances.

Importing this package imports nothing heavy.
"""
