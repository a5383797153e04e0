# ruff: noqa: F821
"""Access-matrix rows for the jury sessions' pages and endpoints.

The matrix's jury user is president of two sessions of candidates of their own, none of the matrix's
actors (so the foundation's enrolment rows keep their expectations): a draft session (with a second
member who declared a link with its candidate) and an open one. Admins compose and open (the draft
cannot open: 409 naming the rule); only the president decides and closes (admins 403: the jury is
sovereign); everyone else gets 404. Bodies that need ids are filled in by ``extend_world``.
"""
from datetime import date

SPARE_JUROR = "jury-matrix-spare@dhec.example.org"
ADMIN_ONLY = {"admin": 200}
READERS = {"admin": 200, "jury": 200}
COMPOSERS_PAGE = {"admin": 302, "jury": 403}
DECIDERS_PAGE = {"admin": 403, "jury": 302}

# Filled in by extend_world: these dicts are the very objects the cases below post.
CANDIDATE_FORM: dict = {}
CANDIDATE_JSON: dict = {}
DECISION_JSON: dict = {"bloc": "BC01", "decision": "validated", "comment": "Matrix."}
CONFLICT_FORM: dict = {"kind": "declared", "note": "Matrix."}


def extend_world(users, objects, ids):
    from portfolio.accounts.services import create_user
    from portfolio.db import utcnow
    from portfolio.enrolments.services import enrol
    from portfolio.extensions import db
    from portfolio.juries.models import JuryCandidate, JuryConflict, JuryMember, JurySession
    from portfolio.referential.services import current_certification

    certification = current_certification("RNCP41241")

    def enrolment(tag):
        user = create_user(f"jury-matrix-{tag}@dhec.example.org", f"Jury Matrix {tag}", ["candidate"])
        return enrol(user, certification, "training", option="scenario-realisation")

    in_draft, in_open, free = enrolment("a"), enrolment("b"), enrolment("c")
    second = create_user("jury-matrix-member@dhec.example.org", "Jury Matrix Member", ["jury"])
    create_user(SPARE_JUROR, "Jury Matrix Spare", ["jury"])
    draft = JurySession(certification=certification, route="training", date=date(2026, 6, 12), place="Paris")
    president = JuryMember(user=users["jury"], role="president", is_academic=True)
    other = JuryMember(user=second, role="member")
    draft.members = [president, other]
    draft.candidates = [JuryCandidate(enrolment=in_draft)]
    opened = JurySession(certification=certification, route="training", date=date(2026, 6, 13), status="open",
                         opened_at=utcnow())
    opened.members = [JuryMember(user=users["jury"], role="president", is_academic=True)]
    opened.candidates = [JuryCandidate(enrolment=in_open)]
    db.session.add_all([draft, opened])
    db.session.flush()
    conflict = JuryConflict(member_id=other.id, enrolment_id=in_draft.id, kind="declared")
    db.session.add(conflict)
    db.session.flush()
    ids.update(jury_draft=draft.id, jury_open=opened.id, jury_draft_enrolment=in_draft.id,
               jury_open_enrolment=in_open.id, jury_member=other.id, jury_conflict=conflict.id)
    objects.update(jury_president_seat=president.id, jury_draft_enrolment_id=in_draft.id)
    CANDIDATE_FORM["enrolment"] = str(free.id)
    CANDIDATE_JSON["enrolment"] = free.id
    DECISION_JSON["enrolment"] = in_open.id
    CONFLICT_FORM.update(member=str(president.id), enrolment=str(in_draft.id))


def _withdraw_declared_links(objects):
    from portfolio.extensions import db
    from portfolio.juries.models import JuryConflict

    db.session.execute(db.delete(JuryConflict).where(JuryConflict.member_id == objects["jury_president_seat"]))


DRAFT = "/jury-sessions/{jury_draft}"
OPEN = "/jury-sessions/{jury_open}"
API_DRAFT = "/api/v1/jury-sessions/{jury_draft}"
API_OPEN = "/api/v1/jury-sessions/{jury_open}"
SESSION_JSON = {"certification": "RNCP41241", "date": "2026-07-01", "route": "vae"}

CASES = {
    "juries.index": [Case("GET", "/jury-sessions/", only(READERS, 403))],
    "juries.create": [
        Case("GET", "/jury-sessions/new", only(ADMIN_ONLY, 403)),
        Case("POST", "/jury-sessions/new", only({"admin": 302}, 403),
             data={"certification": "RNCP41241", "route": "training", "date": "2026-07-01"}),
        Case("POST", "/jury-sessions/new", only({"admin": 422}, 403),
             data={"certification": "RNCP41241", "route": "training", "date": "soon"}),
    ],
    "juries.detail": [
        Case("GET", DRAFT, only(READERS, 404)),
        Case("GET", OPEN, only(READERS, 404)),
        Case("GET", "/jury-sessions/999999", only({}, 404)),
    ],
    "juries.add_member": [
        Case("POST", DRAFT + "/members", only(COMPOSERS_PAGE, 404), data={"user": SPARE_JUROR, "role": "member"}),
        Case("POST", OPEN + "/members", only({"admin": 409, "jury": 403}, 404),
             data={"user": SPARE_JUROR, "role": "member"}),
    ],
    "juries.remove_member": [Case("POST", DRAFT + "/members/{jury_member}/remove", only(COMPOSERS_PAGE, 404))],
    "juries.add_candidate": [Case("POST", DRAFT + "/candidates", only(COMPOSERS_PAGE, 404), data=CANDIDATE_FORM)],
    "juries.remove_candidate": [
        Case("POST", DRAFT + "/candidates/{jury_draft_enrolment}/remove", only(COMPOSERS_PAGE, 404)),
        Case("POST", DRAFT + "/candidates/{enrolment}/remove", only({"admin": 404, "jury": 403}, 404)),
    ],
    "juries.set_slot": [Case("POST", DRAFT + "/candidates/{jury_draft_enrolment}/slot", only(COMPOSERS_PAGE, 404))],
    "juries.add_conflict": [
        Case("POST", DRAFT + "/conflicts", only({"admin": 302, "jury": 302}, 404), data=CONFLICT_FORM,
             reset=_withdraw_declared_links),
    ],
    "juries.remove_conflict": [
        Case("POST", DRAFT + "/conflicts/{jury_conflict}/remove", only(COMPOSERS_PAGE, 404)),
    ],
    "juries.open": [Case("POST", DRAFT + "/open", only({"admin": 409, "jury": 403}, 404))],
    "juries.convocations": [Case("POST", DRAFT + "/convocations", only(COMPOSERS_PAGE, 404))],
    "juries.close": [Case("POST", OPEN + "/close", only(DECIDERS_PAGE, 404))],
    "juries.deliberation": [
        Case("GET", OPEN + "/candidates/{jury_open_enrolment}", only(READERS, 404)),
        Case("GET", OPEN + "/candidates/{jury_draft_enrolment}", only({}, 404)),
    ],
    "juries.decide": [
        Case("POST", OPEN + "/candidates/{jury_open_enrolment}/blocs/BC01/decision", only(DECIDERS_PAGE, 404),
             data={"BC01-decision": "validated", "BC01-comment": "Matrix."}),
    ],
    "juries.attendance": [
        Case("POST", OPEN + "/candidates/{jury_open_enrolment}/attendance", only(DECIDERS_PAGE, 404),
             data={"attendance": "present"}),
    ],
    "juries.enrolment_decisions": [
        Case("GET", "/enrolments/{enrolment}/decisions", only(ENROLMENT_VIEWERS, 404)),
        Case("GET", "/enrolments/{jury_open_enrolment}/decisions", only(READERS, 404)),
    ],
    "api.list_jury_sessions": [Case("GET", "/api/v1/jury-sessions", everyone(200, anonymous=UNAUTH))],
    "api.create_jury_session": [
        Case("POST", "/api/v1/jury-sessions", only({"admin": 201}, 403, anonymous=UNAUTH), json=SESSION_JSON),
    ],
    "api.get_jury_session": [
        Case("GET", API_DRAFT, only(READERS, 404, anonymous=UNAUTH)),
        Case("GET", "/api/v1/jury-sessions/999999", only({}, 404, anonymous=UNAUTH)),
    ],
    "api.add_jury_member": [
        Case("POST", API_DRAFT + "/members", only({"admin": 201, "jury": 403}, 404, anonymous=UNAUTH),
             json={"user": SPARE_JUROR, "role": "member", "is_professional": True, "is_academic": False}),
    ],
    "api.add_jury_candidate": [
        Case("POST", API_DRAFT + "/candidates", only({"admin": 201, "jury": 403}, 404, anonymous=UNAUTH),
             json=CANDIDATE_JSON),
    ],
    "api.open_jury_session": [
        Case("POST", API_DRAFT + "/open", only({"admin": 409, "jury": 403}, 404, anonymous=UNAUTH)),
    ],
    "api.send_jury_convocations": [
        Case("POST", API_DRAFT + "/convocations", only({"admin": 200, "jury": 403}, 404, anonymous=UNAUTH)),
    ],
    "api.record_jury_decision": [
        Case("POST", API_OPEN + "/decisions", only({"admin": 403, "jury": 201}, 404, anonymous=UNAUTH),
             json=DECISION_JSON),
    ],
    "api.close_jury_session": [
        Case("POST", API_OPEN + "/close", only({"admin": 403, "jury": 200}, 404, anonymous=UNAUTH)),
    ],
}
