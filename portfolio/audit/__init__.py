"""Audit log: ``record(...)`` adds an entry in the caller's transaction."""
from __future__ import annotations

from flask import has_request_context, request

from ..extensions import db
from .models import AuditEntry


def record(actor, action: str, target_type: str, target_id: int | None, before=None, after=None) -> AuditEntry:
    """Append an audit entry to the current transaction (flushed with it, never updated)."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=before,
        after=after,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry
