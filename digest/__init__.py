"""digest: a static site generator for a curated news digest.

The pipeline, one module a step:
raw article -> ingest -> clean .md -> load -> graph -> render -> write -> site/
"""

__version__ = "0.1.0"
