"""Content hashes: the keys of everything the build cache keeps."""

from __future__ import annotations

import hashlib


def content_hash(*parts: str) -> str:
    """A short, stable digest of some texts (the parts are kept apart: ("ab", "c") differs
    from ("a", "bc"))."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()
