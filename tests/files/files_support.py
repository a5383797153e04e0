"""Helpers of the file tests (a module of its own: ``conftest`` is a name every test folder uses)."""
from __future__ import annotations

import socket
from pathlib import Path


def stored_keys(store) -> list[str]:
    return list(store.iter_keys())


def incoming_files(root: Path) -> list[str]:
    incoming = Path(root) / ".incoming"
    return sorted(p.name for p in incoming.iterdir()) if incoming.exists() else []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
