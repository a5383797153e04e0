"""Imports each feature's access rules so that they register with the policy."""


def register_all() -> None:
    from .accommodations import permissions as _accommodations  # noqa: F401
    from .accounts import permissions as _accounts  # noqa: F401
    from .annotations import permissions as _annotations  # noqa: F401
    from .enrolments import permissions as _enrolments  # noqa: F401
    from .evidence import permissions as _evidence  # noqa: F401
    from .files import permissions as _files  # noqa: F401
    from .grading import permissions as _grading  # noqa: F401
    from .juries import documents_permissions as _jury_documents  # noqa: F401
    from .juries import permissions as _juries  # noqa: F401
    from .juries import stats_permissions as _jury_stats  # noqa: F401
    from .records import permissions as _records  # noqa: F401
    from .referential import permissions as _referential  # noqa: F401
    from .vae import permissions as _vae  # noqa: F401
