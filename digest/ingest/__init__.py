"""Ingest: raw articles (pasted text, saved pages, URLs) into clean Markdown articles."""
