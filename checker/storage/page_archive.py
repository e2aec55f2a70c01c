"""The pages fetched from the web, kept as they came (gzip, named by the SHA-256 of the bytes).

Content-addressed: a page fetched twice unchanged is kept once, and cleaning can be redone
(a better extractor, a fixed rule) without fetching anything again. Files are written whole
or not at all (a temporary file, then a rename).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from pathlib import Path


class PageArchive:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_of(self, sha256: str) -> Path:
        return self.folder / sha256[:2] / f"{sha256}.html.gz"

    def keep(self, content: bytes) -> str:
        """Keep ``content``; its SHA-256, the name it is found by."""
        sha256 = hashlib.sha256(content).hexdigest()
        target = self.path_of(sha256)
        if target.exists():
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".partial")
        try:
            with os.fdopen(handle, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
                packed.write(content)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return sha256

    def read(self, sha256: str) -> bytes | None:
        path = self.path_of(sha256)
        return gzip.decompress(path.read_bytes()) if path.exists() else None
