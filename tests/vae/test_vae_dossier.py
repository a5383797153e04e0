"""The VAE proof dossier through its pages: experiences, proofs, competences, self-positioning and
admissibility."""
from __future__ import annotations

import io
import re

import pytest

from portfolio.audit.models import AuditEntry
from portfolio.extensions import db
from portfolio.referential.models import Bloc, Competence
from portfolio.vae.models import AdmissibilityDecision, Experience, ExperienceProof, SelfPositioning

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _english(client):
    client.set_cookie("lang", "en", domain="localhost")
    return client


def _competence(certification, code: str) -> Competence:
    return db.session.scalar(db.select(Competence).join(Bloc).where(
        Bloc.certification_id == certification.id, Competence.code == code))


@pytest.fixture
def vae(make_user, make_enrolment):
    assessor = make_user("assessor")
    enrolment = make_enrolment(route="vae", option="production-distribution", assessors=[assessor])
    return enrolment, assessor


def _experience(client, enrolment, **overrides) -> Experience:
    data = {"organisation": "Les Films du Lendemain", "job_title": "Chargée de production",
            "start": "2018-09-01", "end": "2023-06-30", "hours": "", "fte_percent": "100",
            "activities": "Budgets, plans de financement.\nSuivi de tournage."}
    data.update(overrides)
    response = client.post(f"/enrolments/{enrolment.id}/vae/experiences/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    experience_id = int(re.search(r"/experiences/(\d+)$", response.headers["Location"]).group(1))
    return db.session.get(Experience, experience_id)


def test_the_whole_dossier_flow(vae, certification, make_user, client_for):
    enrolment, assessor = vae
    candidate = _english(client_for(enrolment.candidate))
    base = f"/enrolments/{enrolment.id}/vae"

    assert candidate.get(base).status_code == 200
    assert candidate.get(f"{base}/experiences/new").status_code == 200
    experience = _experience(candidate, enrolment)
    assert (experience.organisation, experience.fte_percent, experience.end_date.isoformat()) == (
        "Les Films du Lendemain", 100, "2023-06-30")

    # A proof with a PDF file, and a published work by its link.
    url = f"{base}/experiences/{experience.id}/proofs/new"
    assert candidate.get(url).status_code == 200
    response = candidate.post(url, data={
        "kind": "employer_attestation", "title": "Attestation d'employeur 2018-2023", "url": "",
        "files": [(io.BytesIO(PDF), "attestation.pdf"), (io.BytesIO(PDF + b"%2"), "contrat.pdf")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    response = candidate.post(url, data={"kind": "published_work", "title": "Fiche du film",
                                         "url": "https://www.imdb.com/title/tt0000001/"},
                              content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    proofs = sorted(experience.proofs, key=lambda p: p.id)
    assert [(p.kind, len(p.files)) for p in proofs] == [("employer_attestation", 2), ("published_work", 0)]
    assert sorted(f.name for f in proofs[0].files) == ["attestation.pdf", "contrat.pdf"]
    assert {f.media_type for f in proofs[0].files} == {"application/pdf"}

    # Competences, grouped by bloc, with a justification.
    bc08_1, bc05_2 = _competence(certification, "BC08.1"), _competence(certification, "BC05.2")
    url = f"{base}/experiences/{experience.id}/competences"
    page = candidate.get(url).get_data(as_text=True)
    assert "<legend>BC08" in page and "<legend>BC07" not in page  # the chosen option's bloc only
    response = candidate.post(url, data={"competence": [str(bc08_1.id), str(bc05_2.id)],
                                         f"justification-{bc08_1.id}": "Plans de financement de 4 longs métrages.",
                                         f"justification-{bc05_2.id}": ""})
    assert response.status_code == 302
    db.session.expire_all()
    mapped = {link.competence.code: link.justification for link in experience.competences}
    assert mapped == {"BC08.1": "Plans de financement de 4 longs métrages.", "BC05.2": ""}

    detail = candidate.get(f"{base}/experiences/{experience.id}").get_data(as_text=True)
    assert "attestation.pdf" in detail and "https://www.imdb.com/title/tt0000001/" in detail
    assert "Plans de financement de 4 longs métrages." in detail

    # Self-positioning on one page.
    url = f"{base}/positioning"
    page = candidate.get(url).get_data(as_text=True)
    assert f'name="level-{bc08_1.id}"' in page and f'name="level-{bc05_2.id}"' in page
    response = candidate.post(url, data={f"level-{bc08_1.id}": "yes", f"comment-{bc08_1.id}": "Mon métier.",
                                         f"level-{bc05_2.id}": "partly"})
    assert response.status_code == 302
    rows = {row.competence.code: (row.level, row.comment) for row in db.session.scalars(
        db.select(SelfPositioning).where(SelfPositioning.enrolment_id == enrolment.id))}
    assert rows == {"BC08.1": ("yes", "Mon métier."), "BC05.2": ("partly", None)}
    response = candidate.post(url, data={f"level-{bc08_1.id}": "no", f"comment-{bc08_1.id}": ""})
    rows = {row.competence.code: row.level for row in db.session.scalars(
        db.select(SelfPositioning).where(SelfPositioning.enrolment_id == enrolment.id))}
    assert rows == {"BC08.1": "no"}

    # Admissibility: only an admin records it; every decision is kept; the latest is shown.
    url = f"{base}/admissibility"
    assert candidate.get(url).status_code == 403
    assert candidate.post(url, data={"decision": "admissible", "decided_on": "2025-01-10"}).status_code == 403
    admin_user = make_user("admin", name="Claire Admin")
    admin = _english(client_for(admin_user))
    assert admin.get(url).status_code == 200
    response = admin.post(url, data={"decision": "incomplete", "decided_on": "2025-01-10", "reason": ""})
    assert response.status_code == 422 and "Say why" in response.get_data(as_text=True)
    assert admin.post(url, data={"decision": "incomplete", "decided_on": "2025-01-10",
                                 "reason": "Il manque les bulletins de salaire."}).status_code == 302
    assert admin.post(url, data={"decision": "admissible", "decided_on": "2025-02-14"}).status_code == 302
    history = db.session.scalars(db.select(AdmissibilityDecision).where(
        AdmissibilityDecision.enrolment_id == enrolment.id).order_by(AdmissibilityDecision.id)).all()
    assert [(d.decision, d.decided_by_id) for d in history] == [("incomplete", admin_user.id),
                                                                ("admissible", admin_user.id)]
    overview = candidate.get(base).get_data(as_text=True)
    status = re.search(r'id="admissibility-status">(.*?)</p>', overview, re.S).group(1)
    assert "Admissible" in status and "Claire Admin" in status and "manque" not in status
    assert "Record an admissibility decision" not in overview
    history_page = admin.get(url).get_data(as_text=True)
    assert "Il manque les bulletins de salaire." in history_page
    # The candidate keeps editing after the decision.
    _experience(candidate, enrolment, organisation="Arte France", start="2024-01-01", end="", hours="800",
                fte_percent="")

    # Readers read everything and change nothing.
    reader = client_for(assessor)
    for page_url in (base, f"{base}/experiences/{experience.id}", f"{base}/positioning"):
        assert reader.get(page_url).status_code == 200, page_url
    proof_file = proofs[0].files[0]
    assert f"/files/{proof_file.id}" in reader.get(f"{base}/experiences/{experience.id}").get_data(as_text=True)
    assert reader.get(f"/files/{proof_file.id}").status_code == 200
    assert client_for(make_user("candidate")).get(f"/files/{proof_file.id}").status_code == 404
    assert reader.get(f"{base}/experiences/new").status_code == 403
    assert reader.post(f"{base}/positioning", data={f"level-{bc08_1.id}": "yes"}).status_code == 403
    assert reader.post(f"{base}/experiences/{experience.id}/delete").status_code == 403
    assert reader.post(f"{base}/proofs/{proofs[0].id}/delete").status_code == 403
    assert reader.get(url).status_code == 403

    actions = set(db.session.scalars(db.select(AuditEntry.action).where(AuditEntry.action.like("vae.%"))))
    assert {"vae.experience.create", "vae.proof.create", "vae.experience.competences", "vae.positioning",
            "vae.admissibility"} <= actions


def test_delete_a_proof_and_an_experience(vae, client_for):
    enrolment, _ = vae
    candidate = client_for(enrolment.candidate)
    base = f"/enrolments/{enrolment.id}/vae"
    experience = _experience(candidate, enrolment)
    candidate.post(f"{base}/experiences/{experience.id}/proofs/new", data={
        "kind": "payslip", "title": "Bulletins", "files": [(io.BytesIO(PDF), "bulletins.pdf")]},
        content_type="multipart/form-data")
    proof = db.session.scalar(db.select(ExperienceProof).where(ExperienceProof.experience_id == experience.id))
    assert candidate.post(f"{base}/proofs/{proof.id}/delete").status_code == 302
    assert db.session.get(ExperienceProof, proof.id) is None
    assert candidate.post(f"{base}/experiences/{experience.id}/delete").status_code == 302
    assert db.session.get(Experience, experience.id) is None


def test_edit_an_experience(vae, client_for):
    enrolment, _ = vae
    candidate = client_for(enrolment.candidate)
    experience = _experience(candidate, enrolment)
    url = f"/enrolments/{enrolment.id}/vae/experiences/{experience.id}/edit"
    assert "Les Films du Lendemain" in candidate.get(url).get_data(as_text=True)
    response = candidate.post(url, data={"organisation": "Haut et Court", "job_title": "Productrice",
                                         "start": "2018-09-01", "end": "", "hours": "", "fte_percent": "50"})
    assert response.status_code == 302
    db.session.refresh(experience)
    assert (experience.organisation, experience.end_date, experience.fte_percent) == ("Haut et Court", None, 50)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"end": "2017-01-01"}, "The end date cannot be before the start date."),
    ({"hours": "", "fte_percent": ""}, "Give the hours worked or the share of full time."),
    ({"fte_percent": "150"}, "Number must be between 1 and 100."),
    ({"organisation": ""}, "This field is required."),
    ({"start": "01/09/2018"}, "Not a valid date value."),
])
def test_bad_experiences_are_form_errors(vae, client_for, overrides, message):
    enrolment, _ = vae
    candidate = _english(client_for(enrolment.candidate))
    data = {"organisation": "X", "job_title": "Y", "start": "2018-09-01", "end": "", "hours": "1000",
            "fte_percent": ""}
    data.update(overrides)
    response = candidate.post(f"/enrolments/{enrolment.id}/vae/experiences/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Experience.id))
                             .where(Experience.enrolment_id == enrolment.id)) == 0


@pytest.mark.parametrize(("data", "status", "message"), [
    ({"kind": "published_work", "title": "Film", "url": ""}, 422, "A published work needs the link"),
    ({"kind": "contract", "title": "Contrat", "url": ""}, 422, "Add a file or a link."),
    ({"kind": "contract", "title": "Contrat", "url": "javascript:alert(1)"}, 422, "http:// or https://"),
    ({"kind": "burglary", "title": "Contrat", "url": "https://example.org"}, 422, "Not a valid choice"),
    ({"kind": "contract", "title": "Contrat", "files": [(io.BytesIO(b"MZ\x90\x00"), "contrat.pdf")]}, 415,
     "This file was not accepted"),
])
def test_bad_proofs_are_form_errors_and_leave_nothing(vae, client_for, data, status, message):
    enrolment, _ = vae
    candidate = _english(client_for(enrolment.candidate))
    experience = _experience(candidate, enrolment)
    response = candidate.post(f"/enrolments/{enrolment.id}/vae/experiences/{experience.id}/proofs/new",
                              data=data, content_type="multipart/form-data")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ExperienceProof.id))
                             .where(ExperienceProof.experience_id == experience.id)) == 0


def test_competences_outside_the_required_blocs_are_refused(vae, certification, client_for):
    enrolment, _ = vae
    candidate = client_for(enrolment.candidate)
    experience = _experience(candidate, enrolment)
    other_option = _competence(certification, "BC07.1")
    url = f"/enrolments/{enrolment.id}/vae/experiences/{experience.id}/competences"
    assert candidate.post(url, data={"competence": [str(other_option.id)]}).status_code == 400
    assert candidate.post(url, data={"competence": ["abc"]}).status_code == 400
    db.session.expire_all()
    assert experience.competences == []


def test_non_vae_enrolments_have_no_dossier(make_enrolment, make_user, client_for):
    enrolment = make_enrolment(route="training")
    base = f"/enrolments/{enrolment.id}/vae"
    for user in (enrolment.candidate, make_user("admin")):
        client = client_for(user)
        for url in (base, f"{base}/experiences/new", f"{base}/positioning", f"{base}/admissibility",
                    f"{base}/experiences/1", f"{base}/experiences/1/competences"):
            assert client.get(url).status_code == 404, url
        assert client.post(f"{base}/experiences/new", data={"organisation": "X"}).status_code == 404


def test_strangers_do_not_see_a_dossier(vae, make_user, client_for):
    enrolment, _ = vae
    for role in ("candidate", "assessor", "jury", "referent"):
        assert client_for(make_user(role)).get(f"/enrolments/{enrolment.id}/vae").status_code == 404


def test_an_experience_of_another_dossier_is_not_found(vae, make_enrolment, client_for):
    enrolment, _ = vae
    other = make_enrolment(route="vae")
    theirs = _experience(client_for(other.candidate), other)
    client = client_for(enrolment.candidate)
    assert client.get(f"/enrolments/{enrolment.id}/vae/experiences/{theirs.id}").status_code == 404
    assert client.post(f"/enrolments/{enrolment.id}/vae/experiences/{theirs.id}/delete").status_code == 404
    assert db.session.get(Experience, theirs.id) is not None
