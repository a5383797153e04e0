"""Who may see, compose, decide in and close a jury session.

Admins create, compose and open sessions and see every one; a session's members see it, read its
candidates' bundles and minutes; its president or secretary records decisions; only its president
closes it and may mark a decision as taken by the casting vote. The jury is sovereign: an admin who
is not a member neither decides nor closes (``admin_bypass=False``). What the session's state allows
(draft, open, closed) is a rule of the services, answered 409.
"""
from __future__ import annotations

from ..policy import rule
from .models import JuryMember, JurySession

DECIDING_ROLES = ("president", "secretary")


def member_of(user, session: JurySession) -> JuryMember | None:
    """The user's seat in the session, or None (a member whose jury role was withdrawn has none)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_role("jury"):
        return None
    return next((m for m in session.members if m.user_id == user.id), None)


@rule("view", JurySession)
def view_session(user, session: JurySession) -> bool:
    return member_of(user, session) is not None


@rule("compose", JurySession)
def compose_session(user, session: JurySession) -> bool:
    return False  # admins only: create, compose, open, send the convocations


@rule("decide", JurySession, admin_bypass=False)
def decide_in_session(user, session: JurySession) -> bool:
    member = member_of(user, session)
    return member is not None and member.role in DECIDING_ROLES


@rule("cast_vote", JurySession, admin_bypass=False)
def cast_vote(user, session: JurySession) -> bool:
    member = member_of(user, session)
    return member is not None and member.role == "president"


@rule("close", JurySession, admin_bypass=False)
def close_session(user, session: JurySession) -> bool:
    member = member_of(user, session)
    return member is not None and member.role == "president"


@rule("declare_conflict", JurySession)
def declare_conflict(user, session: JurySession) -> bool:
    return member_of(user, session) is not None
