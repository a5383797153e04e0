"""Imports each feature's access rules so that they register with the policy."""


def register_all() -> None:
    from .accounts import permissions as _accounts  # noqa: F401
    from .enrolments import permissions as _enrolments  # noqa: F401
    from .files import permissions as _files  # noqa: F401
    from .referential import permissions as _referential  # noqa: F401
