"""Bloc status at scale: 10,000 candidates with their grades, in a temporary SQLite database.

Builds the candidates with bulk inserts (one executemany per table): each has an enrolment assigned
to one assessor, one deliverable per assessment of BC01–BC07 (BC05 double-marked), markings released
or in draft, a grade per competence, and a language certificate for some. Prints:

- the time of ``bloc_statuses`` for all of them (target: under 5 s);
- the statements run by the assessor's queue page and progress page with 100 candidates and with
  10,000 (target: the same count).

``BENCH_STATUS_CANDIDATES`` overrides the large number.
"""
from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

LARGE = int(os.environ.get("BENCH_STATUS_CANDIDATES", "10000"))
SMALL = 100
TARGET_SECONDS = 5.0
LEVELS = ("not_acquired", "in_progress", "acquired", "mastered", "acquired", "mastered")


def _app(tmp: Path):
    from portfolio import create_app

    return create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}", "SECRET_KEY": "bench",
        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "SERVER_NAME": "localhost",
        "UPLOAD_DIR": str(tmp / "uploads"), "PASSWORD_HASH_PROFILE": "fast",
    })


class World:
    """The referential, one cohort, the assessments, the assessor and their partner for double marking."""

    def __init__(self):
        from portfolio.accounts.services import create_user
        from portfolio.assessments.models import Assessment
        from portfolio.enrolments.services import get_or_create_cohort
        from portfolio.extensions import db
        from portfolio.referential.services import current_certification, load_builtin

        load_builtin()
        self.certification = current_certification("RNCP41241")
        self.cohort = get_or_create_cohort("Bench cohort", self.certification)
        self.assessor = create_user("assessor@bench.example.org", "Bench Assessor", ["assessor"], password=None)
        self.partner = create_user("partner@bench.example.org", "Bench Partner", ["assessor"], password=None)
        self.assessments = []
        now = datetime.now(UTC)
        for bloc in self.certification.blocs:
            if bloc.code == "BC08":
                continue
            assessment = Assessment(certification=self.certification, cohort=self.cohort, bloc=bloc,
                                    code=f"BENCH-{bloc.code}", title=f"Bench {bloc.code}", kind="written",
                                    deliverable_types=["production_dossier"], competences=list(bloc.competences),
                                    markers=2 if bloc.code == "BC05" else 1, due_at=now + timedelta(days=bloc.rank))
            db.session.add(assessment)
            self.assessments.append(assessment)
        db.session.commit()
        # Plain values from here on: the pages measured run with an empty session.
        self.competences = {a.id: [c.id for c in a.competences] for a in self.assessments}
        self.assessments = [(a.id, a.markers, a.due_at) for a in self.assessments]
        self.certification_id, self.cohort_id = self.certification.id, self.cohort.id
        self.assessor_id, self.partner_id = self.assessor.id, self.partner.id
        self.assessor_key = self.assessor.get_id()
        self.next_user = 1000
        self.next_enrolment = self.next_deliverable = self.next_marking = 1
        self.candidates = 0


def add_candidates(world: World, count: int) -> None:
    """Bulk-insert ``count`` more candidates with their evidence and grades."""
    from sqlalchemy import insert

    from portfolio.accounts.models import User, UserRole
    from portfolio.enrolments.models import Assignment, Enrolment
    from portfolio.evidence.models import Deliverable, DeliverableVersion
    from portfolio.extensions import db
    from portfolio.grading.models import Grade, Marking
    from portfolio.records.models import LanguageCertificate

    now = datetime.now(UTC)
    rows = {name: [] for name in ("users", "roles", "enrolments", "assignments", "deliverables", "versions",
                                  "markings", "grades", "certificates")}
    for _ in range(count):
        n = world.candidates = world.candidates + 1
        uid, eid = world.next_user, world.next_enrolment
        world.next_user += 1
        world.next_enrolment += 1
        rows["users"].append({"id": uid, "email": f"c{n}@bench.example.org", "name": f"Candidate {n:05d}",
                              "session_nonce": "bench", "is_active_account": True, "created_at": now})
        rows["roles"].append({"user_id": uid, "role": "candidate"})
        rows["enrolments"].append({"id": eid, "user_id": uid, "certification_id": world.certification_id,
                                   "route": "training", "option": "scenario-realisation",
                                   "cohort_id": world.cohort_id, "created_at": now})
        rows["assignments"].append({"enrolment_id": eid, "assessor_id": world.assessor_id, "created_at": now})
        if n % 3 == 0:
            rows["certificates"].append({"enrolment_id": eid, "framework": "CEFR", "language": "en",
                                         "level": ("B1", "B2", "C1")[n % 3], "test": "TOEIC",
                                         "date": date(2025, 1, 10), "created_at": now})
        for k, (assessment_id, markers, due_at) in enumerate(world.assessments):
            did = world.next_deliverable
            world.next_deliverable += 1
            submitted = now - timedelta(days=(n + k) % 20)
            rows["deliverables"].append({"id": did, "enrolment_id": eid, "assessment_id": assessment_id,
                                         "title": f"Deliverable {n}-{k}", "type": "production_dossier",
                                         "lock_version": 1, "created_at": now, "updated_at": now})
            rows["versions"].append({"id": did, "deliverable_id": did, "number": 1, "created_at": now,
                                     "submitted_at": submitted, "due_at": due_at,
                                     "is_late": (n + k) % 11 == 0})
            state = (n + 3 * k) % 10  # 0-1: not graded yet, 2: draft, else released
            if state < 2:
                continue
            markers = [(world.assessor_id, "first"), (world.partner_id, "second")][:markers]
            for m, (assessor_id, role) in enumerate(markers):
                mid = world.next_marking
                world.next_marking += 1
                released = None if state == 2 else submitted + timedelta(days=1, hours=m)
                rows["markings"].append({"id": mid, "version_id": did, "assessor_id": assessor_id, "role": role,
                                         "feedback": "", "created_at": now, "updated_at": now,
                                         "released_at": released, "lock_version": 1})
                for r, competence_id in enumerate(world.competences[assessment_id]):
                    level = LEVELS[(n + r + (m if (n + r) % 4 == 0 else 0)) % len(LEVELS)]
                    rows["grades"].append({"marking_id": mid, "competence_id": competence_id, "level": level,
                                           "comment": "", "updated_at": now})
    for model, key in ((User, "users"), (UserRole, "roles"), (Enrolment, "enrolments"), (Assignment, "assignments"),
                       (Deliverable, "deliverables"), (DeliverableVersion, "versions"), (Marking, "markings"),
                       (Grade, "grades"), (LanguageCertificate, "certificates")):
        if rows[key]:
            db.session.execute(insert(model.__table__), rows[key])
    db.session.commit()


def count_statements(app, user_key: str, url: str) -> int:
    """The statements a signed-in GET of ``url`` runs, in a request of its own (its own session)."""
    from flask_login.utils import _create_identifier
    from sqlalchemy import event

    from portfolio.extensions import db

    with app.app_context():
        engine = db.engine
    client = app.test_client()
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session.update({"_user_id": user_key, "_fresh": True, "_id": identifier})
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return len(statements)


PAGES = ("/assessor/queue", "/assessor/progress")


def _timed(app, key: str, url: str) -> float:
    began = time.perf_counter()
    count_statements(app, key, url)
    return time.perf_counter() - began


def main() -> None:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from portfolio.enrolments.models import Enrolment
    from portfolio.extensions import db
    from portfolio.grading.status import bloc_statuses

    with tempfile.TemporaryDirectory(prefix="bench-status-") as tmp:
        app = _app(Path(tmp))
        started = time.perf_counter()
        with app.app_context():
            upgrade()
            world = World()
            add_candidates(world, SMALL)
        key = world.assessor_key
        for url in PAGES:  # warm up: templates compiled, connections opened
            count_statements(app, key, url)
        small = {url: count_statements(app, key, url) for url in PAGES}
        with app.app_context():
            add_candidates(world, LARGE - SMALL)
        built = time.perf_counter() - started
        large = {url: count_statements(app, key, url) for url in PAGES}
        timings = {url: _timed(app, key, url) for url in PAGES}
        with app.app_context():
            ids = list(db.session.scalars(select(Enrolment.id)))
            began = time.perf_counter()
            result = bloc_statuses(ids)
            elapsed = time.perf_counter() - began
            proposed = sum(1 for statuses in result.values() for s in statuses if s.status == "proposed")

    print(f"built {world.candidates} candidates, {world.next_deliverable - 1} deliverables, "
          f"{world.next_marking - 1} markings in {built:.1f} s")
    verdict = "OK" if elapsed < TARGET_SECONDS else "OVER TARGET"
    print(f"bloc_statuses for {len(result)} enrolments: {elapsed:.2f} s (target < {TARGET_SECONDS:.0f} s) "
          f"{verdict}; {proposed} blocs proposed")
    for url in PAGES:
        same = "equal" if small[url] == large[url] else "DIFFERENT"
        print(f"{url}: {small[url]} statements at {SMALL} candidates, {large[url]} at {world.candidates} "
              f"({same}); {timings[url]:.2f} s per page at {world.candidates}")


if __name__ == "__main__":
    main()
