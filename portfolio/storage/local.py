"""Local storage under UPLOAD_DIR: written to a temporary file, then renamed into place."""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from . import StorageError

CHUNK = 1024 * 1024


class LocalStorage:
    name = "local"

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if ".." in key.split("/") or key.startswith("/"):
            raise ValueError(f"invalid key {key!r}")
        return self.root / key

    def put(self, key: str, fileobj: BinaryIO, size: int, media_type: str) -> None:
        target = self._path(key)
        if target.exists():
            return  # content-addressed: the same key holds the same bytes
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as out:
                    shutil.copyfileobj(fileobj, out, CHUNK)
                    out.flush()
                    os.fsync(out.fileno())
                os.link(tmp, target)  # fails if the target appeared meanwhile: never overwrite
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        except OSError as exc:
            raise StorageError(f"local storage failed: {exc.strerror or exc}") from exc

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self._path(key), "rb")
        except OSError as exc:
            raise StorageError(f"cannot read {key}: {exc.strerror or exc}") from exc

    def local_path(self, key: str) -> Path:
        return self._path(key)

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            pass

    def iter_keys(self) -> Iterator[str]:
        if not self.root.exists():
            return
        for dirpath, _dirs, files in os.walk(self.root):
            for name in files:
                if name.startswith(".") :
                    continue
                yield str(Path(dirpath, name).relative_to(self.root)).replace(os.sep, "/")

    def signed_url(self, key, filename, media_type, inline, expires=300):
        return None
