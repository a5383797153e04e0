"""The single access policy: may this user do this action to this object?

Each feature registers its rules in its own ``permissions.py`` with ``@rule(action, Model)``. Views
and API endpoints load the object, then ask: ``can(user, "view", obj)``. What a user may not see is
answered as not found (404); what they may see but not do is forbidden (403). Admins may do
everything unless a rule says otherwise (``admin_bypass=False``).
"""
from __future__ import annotations

from collections.abc import Callable

from flask import abort
from flask_login import current_user

Rule = Callable[[object, object], bool]
_rules: dict[tuple[str, type], tuple[Rule, bool]] = {}


def rule(action: str, model: type, admin_bypass: bool = True):
    """Register the rule deciding ``action`` on instances of ``model``."""

    def decorator(fn: Rule) -> Rule:
        _rules[(action, model)] = (fn, admin_bypass)
        return fn

    return decorator


def can(user, action: str, obj) -> bool:
    """Whether ``user`` may take ``action`` on ``obj``. Unknown (action, type) pairs are refused."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    for cls in type(obj).__mro__:
        found = _rules.get((action, cls))
        if found is not None:
            fn, admin_bypass = found
            if admin_bypass and user.has_role("admin"):
                return True
            return bool(fn(user, obj))
    return False


def can_view(user, obj) -> bool:
    return can(user, "view", obj)


def require(action: str, obj, user=None):
    """Abort 404 when the object may not be seen, 403 when it may be seen but not acted on."""
    user = user if user is not None else current_user
    if obj is None or not can(user, "view", obj):
        abort(404)
    if action != "view" and not can(user, action, obj):
        abort(403)
    return obj


def require_role(*roles: str, user=None) -> None:
    user = user if user is not None else current_user
    if not user.is_authenticated or not user.has_role(*roles):
        abort(403)
