"""Local storage under UPLOAD_DIR: written to a temporary file, then linked into place, never overwritten.

Keys are relative paths (``sha256/ab/cd/abcd…``). Names starting with a dot are never keys: the
upload pipeline keeps its temporary files under ``.incoming/`` in the same file system, so that a
finished upload is adopted by a hard link instead of being copied a second time.
"""
from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from . import StorageError

CHUNK = 1024 * 1024


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class LocalStorage:
    name = "local"

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if not key or key.startswith("/") or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
            raise ValueError(f"invalid key {key!r}")
        return self.root / key

    def put(self, key: str, fileobj: BinaryIO, size: int, media_type: str) -> None:
        """Copy ``fileobj`` to a temporary file beside the target, then link it into place.

        An existing object is kept as it is (the key names its content). Raises StorageError.
        """
        target = self._path(key)
        if target.exists():
            return
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as out:
                    shutil.copyfileobj(fileobj, out, CHUNK)
                    out.flush()
                    os.fsync(out.fileno())
                self._link(tmp, target)
            finally:
                os.unlink(tmp)
        except OSError as exc:
            raise StorageError(f"local storage failed: {exc.strerror or exc}") from exc

    def put_file(self, key: str, path: str | os.PathLike, size: int, media_type: str) -> None:
        """Adopt the complete file at ``path`` as ``key`` by a hard link (no copy); the caller removes ``path``.

        Falls back to a copy when ``path`` is on another file system. Never overwrites. Raises StorageError.
        """
        target = self._path(key)
        if target.exists():
            return
        try:
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())  # the content is on disk before its name is
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    self._link(path, target)
                except OSError as exc:
                    if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):
                        raise
                    fh.seek(0)
                    self.put(key, fh, size, media_type)
        except OSError as exc:
            raise StorageError(f"local storage failed: {exc.strerror or exc}") from exc

    @staticmethod
    def _link(source, target: Path) -> None:
        try:
            os.link(source, target)  # fails if the target appeared meanwhile: never overwrite
        except FileExistsError:
            return
        _fsync_dir(target.parent)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int | None:
        """The stored size in bytes, or None when the object is missing."""
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(f"cannot read {key}: {exc.strerror or exc}") from exc

    def open(self, key: str) -> BinaryIO:
        """The object opened for reading; raises StorageError when it cannot be read."""
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
        except OSError as exc:
            raise StorageError(f"cannot delete {key}: {exc.strerror or exc}") from exc

    def iter_keys(self) -> Iterator[str]:
        """Every stored key; temporary files and directories (names starting with a dot) are skipped."""
        if not self.root.exists():
            return
        for dirpath, dirs, files in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith("."):
                    continue
                yield Path(dirpath, name).relative_to(self.root).as_posix()

    def signed_url(self, key, filename, media_type, inline, expires=300):
        return None
