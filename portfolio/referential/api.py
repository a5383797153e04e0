"""GET /api/v1/certifications/{code}: the referential."""
from __future__ import annotations

from flask import abort

from ..api import api_user, bp
from ..policy import require
from .services import current_certification


def certification_json(cert) -> dict:
    return {
        "code": cert.code,
        "title": cert.title,
        "level": cert.level,
        "version": cert.version,
        "certifiers": cert.certifiers,
        "internship_min_weeks": cert.internship_min_weeks,
        "routes": [{"route": r.route, "is_open": r.is_open} for r in cert.routes],
        "blocs": [
            {
                "code": b.code,
                "full_code": b.full_code,
                "title": b.title,
                "kind": b.kind,
                "option": b.option,
                "evaluation_methods": b.evaluation_methods,
                "prerequisites": b.prerequisites,
                "competences": [{"code": c.code, "label": c.label} for c in b.competences],
            }
            for b in cert.blocs
        ],
    }


@bp.get("/certifications/<code>")
def get_certification(code: str):
    cert = current_certification(code)
    if cert is None:
        abort(404, description=f"No certification with code '{code}'.")
    require("view", cert, user=api_user())
    return certification_json(cert)
