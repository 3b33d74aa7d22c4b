"""Adapter for shared/tools/score_extraction.py: f(input_path, kind) -> "# Title\n\nbody".

    python ../shared/tools/score_extraction.py --split dev --input txt \
        --callable bench/score_extraction_adapter.py:extract_md
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digest.config import IngestSettings  # noqa: E402
from digest.ingest.extract import extract_html, extract_text  # noqa: E402

_SETTINGS = IngestSettings()


def extract_md(input_path: str, kind: str) -> str:
    raw = Path(input_path).read_text(encoding="utf-8", errors="replace")
    article = extract_html(raw, None, _SETTINGS) if kind == "html" else extract_text(
        raw, _SETTINGS)
    return f"# {article.title}\n\n{article.body}\n"


def trafilatura_md(input_path: str, kind: str) -> str:
    """The baseline: trafilatura's own Markdown and title, comments excluded."""
    import trafilatura

    raw = Path(input_path).read_text(encoding="utf-8", errors="replace")
    body = trafilatura.extract(raw, output_format="markdown", include_comments=False,
                               include_links=True, include_formatting=True) or ""
    metadata = trafilatura.extract_metadata(raw)
    return f"# {metadata.title if metadata else ''}\n\n{body}\n"
