"""Translated labels for the codes of the contract (roles, routes, options, statuses)."""
from __future__ import annotations

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "admin": _l("administrator"),
    "candidate": _l("candidate"),
    "assessor": _l("assessor"),
    "jury": _l("jury member"),
    "referent": _l("disability referent"),
}
ROUTE_LABELS = {
    "training": _l("student training"),
    "apprenticeship": _l("apprenticeship contract"),
    "continuing": _l("continuing education"),
    "professionalisation": _l("professionalisation contract"),
    "vae": _l("validation of prior experience (VAE)"),
    "individual": _l("individual application"),
}
OPTION_LABELS = {
    "scenario-realisation": _l("Screenwriting / Directing"),
    "production-distribution": _l("Production / Distribution"),
}
BLOC_STATUS_LABELS = {
    "not_started": _l("not started"),
    "in_progress": _l("in progress"),
    "proposed": _l("proposed to the jury"),
    "validated": _l("validated"),
    "not_validated": _l("not validated"),
}


def _label(table: dict):
    def lookup(code):
        return table.get(code, code) if code else ""

    return lookup


role_label = _label(ROLE_LABELS)
route_label = _label(ROUTE_LABELS)
option_label = _label(OPTION_LABELS)
bloc_status_label = _label(BLOC_STATUS_LABELS)


def init_app(app) -> None:
    app.jinja_env.globals.update(
        role_label=role_label, route_label=route_label, option_label=option_label,
        bloc_status_label=bloc_status_label,
    )
    app.jinja_env.filters["datetimeformat"] = lambda value, fmt="medium": format_datetime(value, fmt) if value else ""
