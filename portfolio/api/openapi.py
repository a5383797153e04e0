"""The OpenAPI 3.1 description of API v1, served at /api/v1/openapi.json.

Each feature's endpoints are described here; a test checks that every API route is described and
that every described path exists, and validates real responses against these schemas.
"""
from __future__ import annotations

from . import bp

PROBLEM = {"$ref": "#/components/responses/Problem"}


def _errors(*codes: int) -> dict:
    return {str(code): PROBLEM for code in codes}


def _ok(schema_ref: str, description: str = "OK") -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}


SCHEMAS: dict = {
    "Problem": {
        "type": "object",
        "required": ["status", "title", "detail"],
        "properties": {
            "type": {"type": "string"},
            "status": {"type": "integer"},
            "title": {"type": "string"},
            "detail": {"type": "string"},
        },
    },
    "Competence": {
        "type": "object",
        "required": ["code", "label"],
        "properties": {"code": {"type": "string", "pattern": "^BC[0-9]{2}\\.[0-9]+$"}, "label": {"type": "string"}},
    },
    "Bloc": {
        "type": "object",
        "required": ["code", "title", "kind", "option", "prerequisites", "competences"],
        "properties": {
            "code": {"type": "string", "pattern": "^BC[0-9]{2}$"},
            "full_code": {"type": "string"},
            "title": {"type": "string"},
            "kind": {"enum": ["common", "option"]},
            "option": {"type": ["string", "null"]},
            "evaluation_methods": {"type": ["string", "null"]},
            "prerequisites": {"type": "array", "items": {"type": "object"}},
            "competences": {"type": "array", "items": {"$ref": "#/components/schemas/Competence"}},
        },
    },
    "Certification": {
        "type": "object",
        "required": ["code", "title", "level", "blocs"],
        "properties": {
            "code": {"type": "string"},
            "title": {"type": "string"},
            "level": {"type": ["integer", "null"]},
            "version": {"type": "integer"},
            "certifiers": {"type": "array", "items": {"type": "string"}},
            "internship_min_weeks": {"type": ["integer", "null"]},
            "routes": {"type": "array", "items": {
                "type": "object", "required": ["route", "is_open"],
                "properties": {"route": {"type": "string"}, "is_open": {"type": "boolean"}}}},
            "blocs": {"type": "array", "items": {"$ref": "#/components/schemas/Bloc"}},
        },
    },
    "Me": {
        "type": "object",
        "required": ["id", "email", "name", "roles", "enrolments"],
        "properties": {
            "id": {"type": "integer"},
            "email": {"type": "string"},
            "name": {"type": "string"},
            "roles": {"type": "array", "items": {"enum": ["admin", "candidate", "assessor", "jury", "referent"]}},
            "enrolments": {"type": "array", "items": {"type": "integer"}},
        },
    },
    "CertificationStatus": {
        "type": "object",
        "required": ["status", "missing"],
        "properties": {
            "status": {"enum": ["not_certified", "certified"]},
            "missing": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Enrolment": {
        "type": "object",
        "required": ["id", "candidate", "certification", "route", "option", "cohort", "certification_status"],
        "properties": {
            "id": {"type": "integer"},
            "candidate": {"type": "object", "required": ["id", "name", "email"],
                          "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                         "email": {"type": "string"}}},
            "certification": {"type": "string"},
            "route": {"enum": ["training", "apprenticeship", "continuing", "professionalisation", "vae"]},
            "option": {"type": ["string", "null"], "enum": ["scenario-realisation", "production-distribution", None]},
            "cohort": {"type": ["string", "null"]},
            "certification_status": {"$ref": "#/components/schemas/CertificationStatus"},
        },
    },
    "ProofFile": {
        "type": "object",
        "required": ["id", "name", "size", "sha256", "media_type"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "size": {"type": "integer"},
                       "sha256": {"type": "string"}, "media_type": {"type": "string"}},
    },
    "InternshipInput": {
        "type": "object",
        "required": ["organisation", "start", "end"],
        "properties": {
            "organisation": {"type": "string", "maxLength": 200},
            "start": {"type": "string", "format": "date"},
            "end": {"type": "string", "format": "date", "description": "the last day (counted)"},
            "tutor": {"oneOf": [
                {"type": "string", "description": "the tutor's name"},
                {"type": "object", "properties": {"name": {"type": ["string", "null"]},
                                                  "email": {"type": ["string", "null"]}}},
            ]},
        },
    },
    "Internship": {
        "type": "object",
        "required": ["id", "organisation", "tutor", "start", "end", "days", "weeks", "minimum_weeks",
                     "meets_minimum", "files"],
        "properties": {
            "id": {"type": "integer"},
            "organisation": {"type": "string"},
            "tutor": {"type": ["object", "null"], "properties": {"name": {"type": ["string", "null"]},
                                                                 "email": {"type": ["string", "null"]}}},
            "start": {"type": "string", "format": "date"},
            "end": {"type": "string", "format": "date"},
            "days": {"type": "integer", "description": "calendar days, both ends included"},
            "weeks": {"type": "number", "description": "days / 7, rounded to 2 decimals"},
            "minimum_weeks": {"type": ["integer", "null"]},
            "meets_minimum": {"type": "boolean",
                              "description": "this internship alone is at least the certification's minimum"},
            "files": {"type": "array", "items": {"$ref": "#/components/schemas/ProofFile"}},
        },
    },
    "LanguageCertificateInput": {
        "type": "object",
        "required": ["level", "test", "date"],
        "properties": {
            "framework": {"enum": ["CEFR"], "default": "CEFR"},
            "language": {"type": "string", "pattern": "^[a-z]{2,3}$", "default": "en"},
            "level": {"enum": ["A1", "A2", "B1", "B2", "C1", "C2"]},
            "test": {"type": "string", "maxLength": 120},
            "date": {"type": "string", "format": "date"},
        },
    },
    "LanguageCertificate": {
        "type": "object",
        "required": ["id", "framework", "language", "level", "test", "date", "files"],
        "properties": {
            "id": {"type": "integer"},
            "framework": {"enum": ["CEFR"]},
            "language": {"type": "string"},
            "level": {"enum": ["A1", "A2", "B1", "B2", "C1", "C2"]},
            "test": {"type": "string"},
            "date": {"type": "string", "format": "date"},
            "files": {"type": "array", "items": {"$ref": "#/components/schemas/ProofFile"}},
        },
    },
}

PATHS: dict = {
    "/files/{id}/content": {
        "get": {
            "summary": "The bytes of a file (an attachment), or a redirect to a short-lived signed URL",
            "description": "Local storage streams the file (Range requests supported); S3 answers 302 to a "
                           "presigned URL valid 5 minutes. HTML, SVG, XML and other types a browser could run "
                           "come as attachments, with nosniff and a sandboxing Content-Security-Policy.",
            "operationId": "getFileContent",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {
                "200": {"description": "The content",
                        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}},
                "206": {"description": "The requested byte range",
                        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}},
                "302": {"description": "A redirect to a short-lived signed URL (S3 storage)",
                        "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}}},
                "304": {"description": "Not modified (If-None-Match)"},
                **_errors(401, 404, 409, 416, 503),
            },
        }
    },
    "/certifications/{code}": {
        "get": {
            "summary": "A certification's referential (current version)",
            "operationId": "getCertification",
            "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": _ok("Certification"), **_errors(401, 404)},
        }
    },
    "/me": {
        "get": {
            "summary": "The token's user",
            "operationId": "getMe",
            "responses": {"200": _ok("Me"), **_errors(401)},
        }
    },
    "/enrolments/{id}": {
        "get": {
            "summary": "An enrolment and its certification status",
            "operationId": "getEnrolment",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": _ok("Enrolment"), **_errors(401, 404)},
        }
    },
    "/enrolments/{id}/internships": {
        "get": {
            "summary": "An enrolment's internships",
            "operationId": "listInternships",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
                "type": "array", "items": {"$ref": "#/components/schemas/Internship"}}}}},
                **_errors(401, 404)},
        },
        "post": {
            "summary": "Record an internship (the candidate for their own enrolment, or an admin)",
            "operationId": "createInternship",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/InternshipInput"}}}},
            "responses": {"201": _ok("Internship", "Created"), **_errors(400, 401, 403, 404, 422)},
        },
    },
    "/enrolments/{id}/language-certificates": {
        "get": {
            "summary": "An enrolment's language certificates, newest first",
            "operationId": "listLanguageCertificates",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
                "type": "array", "items": {"$ref": "#/components/schemas/LanguageCertificate"}}}}},
                **_errors(401, 404)},
        },
        "post": {
            "summary": "Record a language certificate (the candidate for their own enrolment, or an admin)",
            "operationId": "createLanguageCertificate",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/LanguageCertificateInput"}}}},
            "responses": {"201": _ok("LanguageCertificate", "Created"), **_errors(400, 401, 403, 404, 422)},
        },
    },
}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "portfolio API", "version": "1.0.0",
                 "description": "Evidence portfolios, assessment and juries for RNCP41241 (DHEC)."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
            "responses": {
                "Problem": {
                    "description": "An RFC 9457 problem",
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
                }
            },
        },
    }


@bp.get("/openapi.json")
def openapi():
    return document()
