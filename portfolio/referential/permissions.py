"""The referential is public information: every signed-in user may read it; admins load it."""
from __future__ import annotations

from ..policy import rule
from .models import Certification


@rule("view", Certification)
def view_certification(user, certification: Certification) -> bool:
    return True
