"""Atelier LLM's site generator, laid out in the order the data flows (``pipeline.build`` calls each stage):

- ``config``, ``errors``, ``yamlfile``, ``text``, ``cache``: what every stage uses;
- ``source/``   1. read what authors wrote: chapters, includes, glossary, a Quarto project's chapter list;
- ``markdown/`` 2. parse each chapter on its own: engine, Quarto syntax, quizzes, sanitising, authoring checks;
- ``course/``   3. the whole course: order, numbers, links and anchors; the attention figures it requests;
- ``pages/``    4. HTML: render rules, one chapter renderer, Jinja2 templates and their context;
- ``output/``   5. write: staging, swap, lock, the rest of the site, search index, social image;
- ``speed/``    the process pool and the cached two-pass chapter batch around stages 2 to 4;
- ``attention/`` the figure helper: specs, frozen data, computation (``freeze``, with torch) and rendering;
- ``commands/`` what a user types in ``build.py``: build, serve, check, new, freeze, export-quarto, pdf, deploy.

No module imports one of a later stage (``tests/test_architecture.py`` checks it).
"""
