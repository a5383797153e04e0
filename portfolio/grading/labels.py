"""Translated labels of the grade levels and of the assessor's queue statuses."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

LEVEL_LABELS = {
    "not_acquired": _l("not acquired"),
    "in_progress": _l("in progress"),
    "acquired": _l("acquired"),
    "mastered": _l("mastered"),
}
ROLE_LABELS = {"first": _l("first assessor"), "second": _l("second assessor"), "third": _l("third assessor")}
QUEUE_STATUS_LABELS = {
    "to_grade": _l("to grade"),
    "draft": _l("draft marking"),
    "released": _l("released"),
    "divergent": _l("divergent"),
}


def level_label(code: str | None) -> str:
    return str(LEVEL_LABELS.get(code, code or "—"))


def marking_role_label(code: str | None) -> str:
    return str(ROLE_LABELS.get(code, code or ""))


def queue_status_label(code: str | None) -> str:
    return str(QUEUE_STATUS_LABELS.get(code, code or ""))
