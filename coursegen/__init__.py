"""Atelier LLM course-site generator: Markdown chapters in, static French course site out."""
