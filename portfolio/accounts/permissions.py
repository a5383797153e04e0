"""Who may see and change user accounts and tokens."""
from __future__ import annotations

from ..policy import rule
from .models import ApiToken, User


@rule("view", User)
def view_user(user, target: User) -> bool:
    return user.id == target.id


@rule("edit", User)
def edit_user(user, target: User) -> bool:
    return user.id == target.id


@rule("view", ApiToken)
def view_token(user, token: ApiToken) -> bool:
    return token.user_id == user.id


@rule("revoke", ApiToken)
def revoke_token(user, token: ApiToken) -> bool:
    return token.user_id == user.id
