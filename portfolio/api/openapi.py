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
    "DeliverableFile": {
        "type": "object",
        "required": ["id", "name", "size", "sha256", "media_type"],
        "properties": {"id": {"type": "integer", "description": "the attachment id (GET /files/{id}/content)"},
                       "name": {"type": "string"}, "size": {"type": "integer"},
                       "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}, "media_type": {"type": "string"}},
    },
    "DeliverableVersion": {
        "type": "object",
        "required": ["number", "submitted_at", "files"],
        "properties": {
            "number": {"type": "integer", "minimum": 1},
            "created_at": {"type": "string", "format": "date-time"},
            "submitted_at": {"type": ["string", "null"], "format": "date-time"},
            "due_at": {"type": ["string", "null"], "format": "date-time",
                       "description": "the candidate's own due date that applied at submission"},
            "is_late": {"type": "boolean"},
            "files": {"type": "array", "items": {"$ref": "#/components/schemas/DeliverableFile"}},
        },
    },
    "CompetenceTag": {
        "type": "object",
        "required": ["competence", "justification"],
        "properties": {"competence": {"type": "string", "pattern": "^BC[0-9]{2}\\.[0-9]+$"},
                       "justification": {"type": "string"}},
    },
    "DeliverableGrade": {
        "type": "object",
        "required": ["competence", "level", "comment"],
        "properties": {"competence": {"type": "string"},
                       "level": {"enum": ["not_acquired", "in_progress", "acquired", "mastered"]},
                       "comment": {"type": ["string", "null"]}},
    },
    "DeliverableSummary": {
        "type": "object",
        "required": ["id", "enrolment", "assessment", "title", "type", "status", "version", "lock_version",
                     "submitted_at", "is_late"],
        "properties": {
            "id": {"type": "integer"},
            "enrolment": {"type": "integer"},
            "assessment": {"type": ["integer", "null"]},
            "title": {"type": "string"},
            "type": {"type": "string"},
            "status": {"enum": ["draft", "submitted", "revising"]},
            "version": {"type": "integer", "description": "the latest version's number"},
            "lock_version": {"type": "integer", "description": "send it back (If-Match or lock_version) to "
                                                              "refuse a change made on a stale copy"},
            "created_at": {"type": "string", "format": "date-time"},
            "submitted_at": {"type": ["string", "null"], "format": "date-time"},
            "is_late": {"type": "boolean"},
        },
    },
    "Deliverable": {
        "allOf": [{"$ref": "#/components/schemas/DeliverableSummary"}, {
            "type": "object",
            "required": ["versions", "tags", "grades"],
            "properties": {
                "description": {"type": ["string", "null"]},
                "versions": {"type": "array", "items": {"$ref": "#/components/schemas/DeliverableVersion"}},
                "tags": {"type": "array", "items": {"$ref": "#/components/schemas/CompetenceTag"}},
                "grades": {"type": "array", "items": {"$ref": "#/components/schemas/DeliverableGrade"},
                           "description": "a candidate sees released grades only"},
            },
        }],
    },
    "DeliverableDraft": {
        "type": "object",
        "required": ["id", "version", "files"],
        "properties": {
            "id": {"type": "integer"},
            "version": {"type": "integer", "description": "the number of the draft version"},
            "lock_version": {"type": "integer"},
            "status": {"enum": ["draft", "submitted", "revising"]},
            "files": {"type": "array", "items": {"$ref": "#/components/schemas/DeliverableFile"}},
            "tags": {"type": "array", "items": {"$ref": "#/components/schemas/CompetenceTag"}},
        },
    },
    "DeliverableInput": {
        "type": "object",
        "required": ["title", "type"],
        "properties": {
            "title": {"type": "string", "maxLength": 200},
            "type": {"type": "string", "description": "a deliverable type code the assessment expects"},
            "assessment": {"type": ["integer", "string"], "description": "an assessment id (integer or decimal "
                                                                          "string); optional on the VAE route only"},
            "description": {"type": "string"},
            "competences": {"type": "array", "items": {"type": "string"},
                            "description": "competence codes (BC05.1); a field 'justification:BC05.1' may "
                                           "give each one's justification"},
            "file": {"type": "array", "items": {"type": "string", "format": "binary"}},
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
    "/enrolments/{id}/deliverables": {
        "get": {
            "summary": "An enrolment's deliverables, newest first",
            "operationId": "listDeliverables",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
                "type": "array", "items": {"$ref": "#/components/schemas/DeliverableSummary"}}}}},
                **_errors(401, 404)},
        },
        "post": {
            "summary": "Create a draft deliverable with its files and competences (the candidate only)",
            "operationId": "createDeliverable",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "requestBody": {"required": True, "content": {
                "multipart/form-data": {"schema": {"$ref": "#/components/schemas/DeliverableInput"}},
                "application/json": {"schema": {"$ref": "#/components/schemas/DeliverableInput"}}}},
            "responses": {"201": _ok("DeliverableDraft", "Created"),
                          **_errors(400, 401, 403, 404, 413, 415, 422, 503)},
        },
    },
    "/deliverables/{id}": {
        "get": {
            "summary": "A deliverable with its versions, files, competence tags and (released) grades",
            "operationId": "getDeliverable",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": _ok("Deliverable"), **_errors(401, 404)},
        }
    },
    "/deliverables/{id}/versions": {
        "post": {
            "summary": "Open a new draft version after a submission, with its files (409 while the latest "
                       "version is still a draft)",
            "operationId": "createDeliverableVersion",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                           {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
                            "description": "the lock_version last read; a stale one is a 409"}],
            "requestBody": {"required": False, "content": {"multipart/form-data": {"schema": {
                "type": "object", "properties": {
                    "file": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    "note": {"type": "string"}, "lock_version": {"type": "integer"}}}}}},
            "responses": {"201": _ok("DeliverableDraft", "Created"),
                          **_errors(400, 401, 403, 404, 409, 413, 415, 422, 503)},
        }
    },
    "/deliverables/{id}/submit": {
        "post": {
            "summary": "Submit the latest version, which is then frozen (late after the candidate's own due date)",
            "operationId": "submitDeliverable",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                           {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
                            "description": "the lock_version last read; a stale one is a 409"}],
            "requestBody": {"required": False, "content": {"application/json": {"schema": {
                "type": "object", "properties": {"lock_version": {"type": "integer"}}}}}},
            "responses": {"200": _ok("Deliverable"), **_errors(400, 401, 403, 404, 409, 422)},
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


# --- juries (portfolio/juries/api.py) ---------------------------------------------------------------

_SESSION_ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]
_ID_INPUT = {"type": ["integer", "string"], "pattern": "^[0-9]+$", "description": "an id (integer or decimal string)"}

SCHEMAS.update({
    "JurySessionInput": {
        "type": "object",
        "required": ["certification", "date", "route"],
        "properties": {
            "certification": {"type": "string", "description": "the certification code, e.g. RNCP41241"},
            "date": {"type": "string", "format": "date"},
            "route": {"enum": ["training", "vae"], "description": "training examines the four training routes "
                                                                  "(student, apprenticeship, continuing, "
                                                                  "professionalisation); vae the VAE candidates"},
            "place": {"type": ["string", "null"], "maxLength": 200},
        },
    },
    "JurySessionSummary": {
        "type": "object",
        "required": ["id", "certification", "route", "date", "place", "status"],
        "properties": {
            "id": {"type": "integer"},
            "certification": {"type": "string"},
            "route": {"enum": ["training", "vae"]},
            "date": {"type": "string", "format": "date"},
            "place": {"type": ["string", "null"]},
            "status": {"enum": ["draft", "open", "closed"]},
            "opened_at": {"type": ["string", "null"], "format": "date-time"},
            "closed_at": {"type": ["string", "null"], "format": "date-time"},
            "lock_version": {"type": "integer"},
        },
    },
    "JuryMemberInput": {
        "type": "object",
        "required": ["user", "role"],
        "properties": {
            "user": {"type": "string", "format": "email", "description": "the email of a user with the jury role"},
            "role": {"enum": ["president", "secretary", "member"]},
            "is_professional": {"type": "boolean", "default": False,
                                "description": "a professional of the field"},
            "is_academic": {"type": "boolean", "default": False, "description": "an enseignant-chercheur"},
            "gender": {"enum": ["f", "m", "x", None], "description": "optional: checks the balance between women "
                                                                      "and men (a warning, never a refusal)"},
        },
    },
    "JuryMember": {
        "type": "object",
        "required": ["id", "user", "role", "is_professional", "is_academic"],
        "properties": {
            "id": {"type": "integer"},
            "user": {"type": "object", "required": ["id", "name", "email"],
                     "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                    "email": {"type": "string"}}},
            "role": {"enum": ["president", "secretary", "member"]},
            "is_professional": {"type": "boolean"},
            "is_academic": {"type": "boolean"},
            "gender": {"enum": ["f", "m", "x", None]},
        },
    },
    "JuryCandidateInput": {
        "type": "object",
        "required": ["enrolment"],
        "properties": {
            "enrolment": _ID_INPUT,
            "slot_at": {"type": ["string", "null"], "format": "date-time",
                        "description": "VAE only: the defence's time slot, with its offset"},
        },
    },
    "JuryCandidate": {
        "type": "object",
        "required": ["id", "enrolment", "candidate", "slot_at", "attendance", "blocs", "acquired"],
        "properties": {
            "id": {"type": "integer"},
            "enrolment": {"type": "integer"},
            "candidate": {"type": "object", "required": ["id", "name"],
                          "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
            "route": {"type": "string"},
            "option": {"type": ["string", "null"]},
            "slot_at": {"type": ["string", "null"], "format": "date-time"},
            "attendance": {"enum": ["expected", "present", "absent", "excused"]},
            "blocs": {"type": "array", "items": {"type": "string", "pattern": "^BC[0-9]{2}$"},
                      "description": "the blocs this session examines: those registered and not already validated"},
            "acquired": {"type": "array", "items": {"type": "string", "pattern": "^BC[0-9]{2}$"},
                         "description": "blocs validated by an earlier session (acquired for life)"},
        },
    },
    "BlocDecisionInput": {
        "type": "object",
        "required": ["enrolment", "bloc", "decision"],
        "properties": {
            "enrolment": _ID_INPUT,
            "bloc": {"type": "string", "pattern": "^(RNCP[0-9]+)?BC[0-9]{2}$", "description": "BCnn or RNCP41241BCnn"},
            "decision": {"enum": ["validated", "not_validated"]},
            "comment": {"type": "string"},
            "recommendations": {"type": ["string", "null"],
                                "description": "préconisations for a bloc not validated; required on the VAE route"},
            "is_casting_vote": {"type": "boolean", "default": False,
                                "description": "decided by the president's casting vote (the president only)"},
            "revokes": {**_ID_INPUT, "description": "the decision this one revokes (then `reason` is required)"},
            "reason": {"type": "string", "description": "why the revoked decision is revoked"},
        },
    },
    "BlocDecision": {
        "type": "object",
        "required": ["id", "session", "enrolment", "bloc", "decision", "comment", "recommendations",
                     "is_casting_vote", "decided_at", "is_current", "superseded_by", "revokes", "revocation_reason"],
        "properties": {
            "id": {"type": "integer"},
            "session": {"type": "integer"},
            "enrolment": {"type": "integer"},
            "bloc": {"type": "string", "pattern": "^BC[0-9]{2}$"},
            "full_code": {"type": "string"},
            "decision": {"enum": ["validated", "not_validated"]},
            "comment": {"type": "string"},
            "recommendations": {"type": ["string", "null"]},
            "is_casting_vote": {"type": "boolean"},
            "decided_by": {"type": ["integer", "null"]},
            "decided_at": {"type": "string", "format": "date-time"},
            "is_current": {"type": "boolean", "description": "false once revoked by a later decision"},
            "superseded_by": {"type": ["integer", "null"]},
            "revokes": {"type": ["integer", "null"]},
            "revocation_reason": {"type": ["string", "null"]},
        },
    },
    "JuryComposition": {
        "type": "object",
        "required": ["ok", "rules", "warnings"],
        "properties": {
            "ok": {"type": "boolean"},
            "rules": {"type": "array", "items": {
                "type": "object", "required": ["rule", "ok", "message", "detail"],
                "properties": {"rule": {"type": "string"}, "ok": {"type": "boolean"}, "message": {"type": "string"},
                               "detail": {"type": "string"}}}},
            "warnings": {"type": "array", "items": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}},
        },
    },
    "JurySession": {
        "allOf": [{"$ref": "#/components/schemas/JurySessionSummary"}, {
            "type": "object",
            "required": ["members", "candidates", "decisions", "composition"],
            "properties": {
                "members": {"type": "array", "items": {"$ref": "#/components/schemas/JuryMember"}},
                "candidates": {"type": "array", "items": {"$ref": "#/components/schemas/JuryCandidate"}},
                "decisions": {"type": "array", "items": {"$ref": "#/components/schemas/BlocDecision"},
                              "description": "every decision of the session, revoked ones included"},
                "composition": {"$ref": "#/components/schemas/JuryComposition"},
                "convocations_sent": {"type": "integer", "description": "after opening: the mails sent"},
            },
        }],
    },
})

PATHS.update({
    "/jury-sessions": {
        "get": {
            "summary": "The jury sessions the user may see (admins: all; jury members: theirs), newest first",
            "operationId": "listJurySessions",
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
                "type": "array", "items": {"$ref": "#/components/schemas/JurySessionSummary"}}}}},
                **_errors(401)},
        },
        "post": {
            "summary": "Create a draft jury session (admins)",
            "operationId": "createJurySession",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/JurySessionInput"}}}},
            "responses": {"201": _ok("JurySession", "Created"), **_errors(400, 401, 403, 422)},
        },
    },
    "/jury-sessions/{id}": {
        "get": {
            "summary": "A session with its members, candidates, decisions and the check of its composition",
            "operationId": "getJurySession",
            "parameters": _SESSION_ID,
            "responses": {"200": _ok("JurySession"), **_errors(401, 404)},
        }
    },
    "/jury-sessions/{id}/members": {
        "post": {
            "summary": "Seat a user with the jury role in a draft session (admins); 409 once open or closed",
            "operationId": "addJuryMember",
            "parameters": _SESSION_ID,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/JuryMemberInput"}}}},
            "responses": {"201": _ok("JuryMember", "Created"), **_errors(400, 401, 403, 404, 409, 422)},
        }
    },
    "/jury-sessions/{id}/candidates": {
        "post": {
            "summary": "Add an enrolment of the session's certification and route to a draft session (admins)",
            "operationId": "addJuryCandidate",
            "parameters": _SESSION_ID,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/JuryCandidateInput"}}}},
            "responses": {"201": _ok("JuryCandidate", "Created"), **_errors(400, 401, 403, 404, 409, 422)},
        }
    },
    "/jury-sessions/{id}/open": {
        "post": {
            "summary": "Open the session once its composition meets the rules, and send the convocations",
            "description": "A composition that breaks a rule is a 409 whose problem names the rule (`rule`, and "
                           "`violations[]` with every rule broken): president_academic, secretary, min_members, "
                           "min_professionals, president, candidates, no_conflict.",
            "operationId": "openJurySession",
            "parameters": _SESSION_ID,
            "responses": {"200": _ok("JurySession"), **_errors(401, 403, 404, 409)},
        }
    },
    "/jury-sessions/{id}/convocations": {
        "post": {
            "summary": "Send the convocations again: a mail with an .ics event to each member and candidate (admins)",
            "operationId": "sendJuryConvocations",
            "parameters": _SESSION_ID,
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
                "type": "object", "required": ["sent"], "properties": {"sent": {"type": "integer"}}}}}},
                **_errors(401, 403, 404, 409)},
        }
    },
    "/jury-sessions/{id}/decisions": {
        "post": {
            "summary": "Record a bloc decision for a candidate (the president or the secretary, open sessions)",
            "description": "A bloc already decided in the session, or validated by an earlier one, is decided again "
                           "only by revoking that decision (`revokes`, `reason`); both stay. 403 for someone who is "
                           "not the president or secretary, or a member in conflict with the candidate; 409 once "
                           "closed; 422 for a bloc the candidate is not registered for.",
            "operationId": "recordBlocDecision",
            "parameters": _SESSION_ID,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/BlocDecisionInput"}}}},
            "responses": {"201": _ok("BlocDecision", "Created"), **_errors(400, 401, 403, 404, 409, 422)},
        }
    },
    "/jury-sessions/{id}/close": {
        "post": {
            "summary": "Close the session (its president only); its decisions are then final",
            "operationId": "closeJurySession",
            "parameters": _SESSION_ID,
            "responses": {"200": _ok("JurySession"), **_errors(401, 403, 404, 409)},
        }
    },
})


# --- annotations (portfolio/annotations/api.py) -------------------------------------------------------

_ANNOTATION_ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]
_LOCK_HEADER = {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
                "description": "the annotation's lock_version last read; a stale one is a 409"}

SCHEMAS.update({
    "AnnotationSelector": {
        "description": "A W3C selector. FragmentSelector: conformsTo http://tools.ietf.org/rfc/rfc3778 with "
                       "value page=N (from 1) and optional &viewrect=x,y,w,h in points from the page's top-left "
                       "corner (PDF); conformsTo http://www.w3.org/TR/media-frags/ with value xywh=x,y,w,h "
                       "(pixels, or xywh=percent:…) for images, or t=start,end in seconds (npt) for video and "
                       "sound. TextQuoteSelector: exact, prefix, suffix, optionally refinedBy a page "
                       "FragmentSelector (PDF passages). SvgSelector: an <svg> holding one <polygon points=…> "
                       "(image polygons).",
        "type": "object",
        "required": ["type"],
        "properties": {
            "type": {"enum": ["FragmentSelector", "TextQuoteSelector", "SvgSelector"]},
            "conformsTo": {"type": "string", "format": "uri"},
            "value": {"type": "string"},
            "exact": {"type": "string"},
            "prefix": {"type": "string"},
            "suffix": {"type": "string"},
            "refinedBy": {"type": "object"},
        },
    },
    "Annotation": {
        "type": "object",
        "description": "A W3C Web Annotation (https://www.w3.org/TR/annotation-model/) plus competence and "
                       "lock_version. Its id is its URL in this API.",
        "required": ["@context", "id", "type", "motivation", "body", "target", "creator", "created", "modified",
                     "competence", "lock_version"],
        "properties": {
            "@context": {"const": "http://www.w3.org/ns/anno.jsonld"},
            "id": {"type": "string", "format": "uri", "description": "the annotation's URL (GET, PATCH, DELETE)"},
            "type": {"const": "Annotation"},
            "motivation": {"enum": ["assessing", "commenting"]},
            "body": {"type": "object", "required": ["type", "value", "format"],
                     "properties": {"type": {"const": "TextualBody"}, "value": {"type": "string"},
                                    "format": {"const": "text/plain"}}},
            "target": {"type": "object", "required": ["source", "selector"],
                       "properties": {"source": {"type": "string", "pattern": "/api/v1/files/[0-9]+/content$",
                                                 "description": "the annotated file's content URL"},
                                      "selector": {"$ref": "#/components/schemas/AnnotationSelector"}}},
            "creator": {"type": "object", "required": ["id", "type", "name"],
                        "properties": {"id": {"type": "integer"}, "type": {"const": "Person"},
                                       "name": {"type": "string"}}},
            "created": {"type": "string", "format": "date-time"},
            "modified": {"type": "string", "format": "date-time"},
            "competence": {"type": ["string", "null"], "description": "a competence code (BC05.1)"},
            "lock_version": {"type": "integer", "description": "send it back (If-Match or lock_version) with a "
                                                              "change; a stale one is a 409"},
        },
    },
    "AnnotationInput": {
        "type": "object",
        "required": ["body", "target"],
        "properties": {
            "motivation": {"enum": ["assessing", "commenting"],
                           "description": "default: assessing with a competence, commenting without"},
            "body": {"oneOf": [{"type": "string"}, {"type": "object", "required": ["value"], "properties": {
                "type": {"const": "TextualBody"}, "value": {"type": "string", "maxLength": 10000},
                "format": {"type": "string"}}}]},
            "bodyValue": {"type": "string", "description": "the W3C shorthand for a text body"},
            "target": {"type": "object", "required": ["source", "selector"], "properties": {
                "source": {"type": "string", "description": "/api/v1/files/{id}/content of a file of one of "
                                                            "this deliverable's submitted versions"},
                "selector": {"$ref": "#/components/schemas/AnnotationSelector"}}},
            "competence": {"type": ["string", "null"], "description": "a competence code of the candidate's blocs"},
        },
    },
    "AnnotationChange": {
        "type": "object",
        "properties": {
            "body": {"oneOf": [{"type": "string"}, {"type": "object", "properties": {"value": {"type": "string"}}}]},
            "competence": {"type": ["string", "null"]},
            "motivation": {"enum": ["assessing", "commenting"]},
            "lock_version": {"type": "integer"},
        },
    },
})

PATHS.update({
    "/deliverables/{id}/annotations": {
        "get": {
            "summary": "The annotations of a deliverable's files that the user may see (a candidate: those of "
                       "released markings; under double marking an assessor sees the other's once both are "
                       "released)",
            "operationId": "listAnnotations",
            "parameters": [*_ANNOTATION_ID, {"name": "file", "in": "query", "required": False,
                                             "schema": {"type": "integer"}, "description": "one file's only"}],
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
                "type": "array", "items": {"$ref": "#/components/schemas/Annotation"}}}}},
                **_errors(401, 404, 422)},
        },
        "post": {
            "summary": "Annotate a file of a submitted version (an assessor of the candidate); 422 for a selector "
                       "outside the file (a page past the last, a time past the end, a region off the image, a "
                       "quote not on the page), a file of another deliverable or an unknown competence; 409 on "
                       "a draft version",
            "operationId": "createAnnotation",
            "parameters": _ANNOTATION_ID,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/AnnotationInput"}}}},
            "responses": {"201": _ok("Annotation", "Created"), **_errors(400, 401, 403, 404, 409, 422)},
        },
    },
    "/annotations/{id}": {
        "get": {
            "summary": "One annotation",
            "operationId": "getAnnotation",
            "parameters": _ANNOTATION_ID,
            "responses": {"200": _ok("Annotation"), **_errors(401, 404)},
        },
        "patch": {
            "summary": "Change an annotation's comment, competence or motivation (its author only)",
            "operationId": "updateAnnotation",
            "parameters": [*_ANNOTATION_ID, _LOCK_HEADER],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/AnnotationChange"}}}},
            "responses": {"200": _ok("Annotation"), **_errors(400, 401, 403, 404, 409, 422)},
        },
        "delete": {
            "summary": "Delete an annotation (its author only)",
            "operationId": "deleteAnnotation",
            "parameters": [*_ANNOTATION_ID, _LOCK_HEADER],
            "responses": {"204": {"description": "Deleted"}, **_errors(401, 403, 404, 409)},
        },
    },
})


# --- grading (portfolio/grading/api.py) ---------------------------------------------------------------

_LEVEL = {"enum": ["not_acquired", "in_progress", "acquired", "mastered"]}

SCHEMAS.update({
    "GradeInput": {
        "type": "object",
        "required": ["competence"],
        "properties": {
            "competence": {"type": "string", "description": "a competence code (BC05.1 or RNCP41241BC05.1) the "
                                                            "deliverable claims or its assessment covers"},
            "level": {"oneOf": [_LEVEL, {"type": "null"}], "description": "null removes the grade"},
            "comment": {"type": ["string", "null"], "maxLength": 4000},
        },
    },
    "GradesInput": {
        "type": "object",
        "properties": {
            "grades": {"type": "array", "items": {"$ref": "#/components/schemas/GradeInput"}},
            "release": {"type": "boolean", "default": False,
                        "description": "release the marking after saving: final; the candidate is told by email"},
            "mark": {"type": ["number", "string", "null"], "description": "a mark out of 20 (0 to 20)"},
            "feedback": {"type": ["string", "null"], "maxLength": 20000},
            "lock_version": {"type": ["integer", "string"],
                             "description": "the marking's lock_version last read (0: no marking yet); a stale one "
                                            "is a 409"},
            "version": {"type": ["integer", "string"],
                        "description": "the version number to grade; default: the latest submitted one"},
        },
    },
    "Marking": {
        "type": "object",
        "required": ["id", "deliverable", "version", "role", "lock_version", "released", "released_at", "mark",
                     "feedback", "grades"],
        "properties": {
            "id": {"type": "integer"},
            "deliverable": {"type": "integer"},
            "version": {"type": "integer", "description": "the number of the version graded"},
            "role": {"enum": ["first", "second", "third"],
                     "description": "with double marking: the two independent assessors, then the third who settles"},
            "lock_version": {"type": "integer"},
            "released": {"type": "boolean"},
            "released_at": {"type": ["string", "null"], "format": "date-time"},
            "mark": {"type": ["number", "null"], "minimum": 0, "maximum": 20},
            "feedback": {"type": "string"},
            "grades": {"type": "array", "items": {
                "type": "object", "required": ["competence", "level", "comment"],
                "properties": {"competence": {"type": "string"}, "level": _LEVEL, "comment": {"type": "string"}}}},
        },
    },
    "BlocStatus": {
        "type": "object",
        "required": ["bloc", "status", "reasons", "acquired", "total"],
        "properties": {
            "bloc": {"type": "string", "pattern": "^BC[0-9]{2}$"},
            "title": {"type": "string"},
            "status": {"enum": ["not_started", "in_progress", "proposed", "validated", "not_validated"]},
            "reasons": {"type": "array", "items": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"enum": ["competence_not_graded", "competence_not_acquired",
                                                 "double_marking_unsettled", "prerequisite_missing",
                                                 "option_not_chosen", "jury_not_validated"]},
                               "message": {"type": "string"},
                               "competence": {"type": "string"}, "prerequisite": {"type": "string"},
                               "option": {"type": "string"}}}},
            "acquired": {"type": "integer", "description": "competences of the bloc acquired"},
            "total": {"type": "integer", "description": "competences of the bloc"},
        },
    },
})

PATHS.update({
    "/deliverables/{id}/grades": {
        "post": {
            "summary": "Grade the latest submitted version (an assessor assigned to the candidate): a level and a "
                       "comment per competence, a mark, feedback; release it when asked",
            "description": "201 when this opens the caller's marking, 200 when it updates it. 422 for a level not "
                           "on the scale or a competence that is not the deliverable's; 409 for a draft version, a "
                           "released marking or a stale lock_version (nothing is saved).",
            "operationId": "gradeDeliverable",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                           {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
                            "description": "the marking's lock_version last read; a stale one is a 409"}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/GradesInput"}}}},
            "responses": {"200": _ok("Marking"), "201": _ok("Marking", "Created"),
                          **_errors(400, 401, 403, 404, 409, 422)},
        }
    },
    "/enrolments/{id}/blocs": {
        "get": {
            "summary": "The status of each bloc the enrolment needs, with the reasons it is not proposed yet",
            "operationId": "listEnrolmentBlocs",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
                "type": "array", "items": {"$ref": "#/components/schemas/BlocStatus"}}}}},
                **_errors(401, 404)},
        }
    },
})


# --- jury documents: evidence bundle (ZIP), minutes, attestation, certification decision -------------

_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_BINARY = {"type": "string", "format": "binary"}
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}

PATHS.update({
    "/jury-sessions/{id}/candidates/{enrolment}/bundle": {
        "get": {
            "summary": "A candidate's evidence bundle: a ZIP of every submitted version's files "
                       "(BC05/<deliverable>/v2/<file>, proofs/...) with a Word index (index.docx)",
            "description": "Streamed as it is written (chunked, no Content-Length). The session's members and "
                           "admins; 404 for a candidate who is not in the session.",
            "operationId": "getJuryCandidateBundle",
            "parameters": [_ID, {"name": "enrolment", "in": "path", "required": True,
                                 "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "The ZIP", "content": {"application/zip": {"schema": _BINARY}}},
                          **_errors(401, 404)},
        }
    },
    "/jury-sessions/{id}/minutes": {
        "get": {
            "summary": "The minutes (procès-verbal) of the session as a Word document",
            "description": "The session's members and admins. A draft while the session is not closed; numbered "
                           "(PV-YYYY-NNNN) and kept once it is closed.",
            "operationId": "getJurySessionMinutes",
            "parameters": [_ID],
            "responses": {"200": {"description": "The DOCX", "content": {_DOCX: {"schema": _BINARY}}},
                          **_errors(401, 404)},
        }
    },
    "/enrolments/{id}/attestation": {
        "get": {
            "summary": "The attestation of the blocs the candidate holds (ATT-YYYY-NNNN), as a Word document",
            "description": "The candidate, admins and the members of a session examining the candidate; 409 "
                           "while no bloc is validated by a closed session.",
            "operationId": "getAttestation",
            "parameters": [_ID],
            "responses": {"200": {"description": "The DOCX", "content": {_DOCX: {"schema": _BINARY}}},
                          **_errors(401, 404, 409)},
        }
    },
    "/enrolments/{id}/certification-decision": {
        "get": {
            "summary": "The certification decision (DEC-YYYY-NNNN), as a Word document",
            "description": "Once every required bloc and the internship are met; 409 otherwise, naming what is "
                           "missing. The candidate, admins and the members of a session examining the candidate.",
            "operationId": "getCertificationDecision",
            "parameters": [_ID],
            "responses": {"200": {"description": "The DOCX", "content": {_DOCX: {"schema": _BINARY}}},
                          **_errors(401, 404, 409)},
        }
    },
})


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
