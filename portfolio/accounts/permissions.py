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


# A token is a personal credential: only its owner sees or revokes it, administrators included
# (an administrator deactivates the account instead, which stops its tokens).
@rule("view", ApiToken, admin_bypass=False)
def view_token(user, token: ApiToken) -> bool:
    return token.user_id == user.id


@rule("revoke", ApiToken, admin_bypass=False)
def revoke_token(user, token: ApiToken) -> bool:
    return token.user_id == user.id
