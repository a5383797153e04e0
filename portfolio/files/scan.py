"""ClamAV: each new blob is sent to clamd with the INSTREAM command before it is stored.

Configured by ``CLAMD_SOCKET`` (a Unix socket) or ``CLAMD_HOST`` and ``CLAMD_PORT``; unset, files are
``not_scanned``. The protocol: ``zINSTREAM\\0``, then chunks each prefixed by its length as a 4-byte
big-endian integer, then a zero length; clamd answers ``stream: OK`` or ``stream: NAME FOUND``.
Note that clamd refuses streams longer than its ``StreamMaxLength`` (25 MB by default): raise it to
``MAX_UPLOAD_MB`` or large videos stay held back (``pending``) until scanned.
"""
from __future__ import annotations

import socket
import struct

from flask import current_app

CHUNK = 256 * 1024
TIMEOUT = 120.0


class ScanUnavailable(RuntimeError):
    """clamd could not be reached or did not give a verdict."""


def is_configured(app=None) -> bool:
    config = (app or current_app).config
    return bool(config.get("CLAMD_SOCKET") or config.get("CLAMD_HOST"))


def _connect(app) -> socket.socket:
    config = app.config
    try:
        if config.get("CLAMD_SOCKET"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(TIMEOUT)
            sock.connect(config["CLAMD_SOCKET"])
            return sock
        return socket.create_connection((config["CLAMD_HOST"], int(config.get("CLAMD_PORT") or 3310)),
                                        timeout=TIMEOUT)
    except OSError as exc:
        raise ScanUnavailable(f"cannot reach clamd: {exc}") from exc


def _reply(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\0"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
        if len(data) > 65536:
            break
    return data.rstrip(b"\0\n").decode("utf-8", "replace").strip()


def scan_stream(stream, app=None) -> tuple[str, str | None]:
    """Scan a readable binary stream; return ("clean", None) or ("infected", signature).

    Raises ScanUnavailable when clamd cannot be reached or answers with an error.
    """
    app = app or current_app._get_current_object()
    with _connect(app) as sock:
        try:
            sock.sendall(b"zINSTREAM\0")
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                sock.sendall(struct.pack("!I", len(chunk)) + chunk)
            sock.sendall(struct.pack("!I", 0))
        except OSError as exc:
            # clamd closes the connection early past its StreamMaxLength: read why, if it said.
            try:
                reply = _reply(sock)
            except OSError:
                reply = ""
            raise ScanUnavailable(f"clamd stopped reading: {reply or exc}") from exc
        try:
            reply = _reply(sock)
        except OSError as exc:
            raise ScanUnavailable(f"clamd did not answer: {exc}") from exc
    # "stream: OK", "stream: Eicar-Test-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
    verdict = reply.split(":", 1)[1].strip() if reply.startswith("stream:") else reply
    if verdict == "OK":
        return "clean", None
    if verdict.endswith(" FOUND"):
        return "infected", verdict[: -len(" FOUND")].strip()
    raise ScanUnavailable(f"clamd answered {reply!r}")


def scan_file(path: str, app=None) -> tuple[str, str | None]:
    """Scan the file at ``path``; see ``scan_stream``."""
    with open(path, "rb") as fh:
        return scan_stream(fh, app)


def rescan_pending(app=None) -> dict[str, int]:
    """Scan again every blob held back as ``pending``; returns the count per new status.

    A blob now found infected stays unavailable (``infected``) and is listed by ``flask storage check``.
    """
    from sqlalchemy import select

    from ..extensions import db
    from ..storage import get_storage
    from .models import StoredFile

    app = app or current_app._get_current_object()
    storage = get_storage(app)
    counts = {"clean": 0, "infected": 0, "pending": 0}
    rows = db.session.scalars(
        select(StoredFile).where(StoredFile.scan_status == "pending", StoredFile.backend == storage.name)).all()
    for row in rows:
        try:
            stream = storage.open(row.key)
            try:
                verdict, _signature = scan_stream(stream, app)
            finally:
                stream.close()
        except Exception as exc:  # noqa: BLE001 - an unreachable clamd or store leaves the row pending
            app.logger.warning("could not scan %s: %s", row.key, exc)
            counts["pending"] += 1
            continue
        row.scan_status = verdict
        counts[verdict] += 1
    db.session.flush()
    return counts
