"""The evidence bundle page: by bloc, competence and evidence; released grades only; divergences; links
to the exact page of an annotation; the effect of accommodations, never their reason; proofs."""
from __future__ import annotations

import html
import re

from sqlalchemy import event

from portfolio.extensions import db


def _text(response, start: str | None = None) -> str:
    """The page's visible text (from the element ``start`` on, when given)."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    body = response.get_data(as_text=True)
    if start:
        body = body[body.index(start):]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))).replace(" ,", ",")


def _page(client, w):
    client.set_cookie("lang", "en")
    return client.get(f"/jury-sessions/{w.session.id}/candidates/{w.enrolment.id}/bundle")


def test_the_bundle_reads_by_bloc_competence_and_evidence(jury_world, client_for):
    w = jury_world
    page = _text(_page(client_for(w.member), w), start='<h2 id="bloc-BC05">')  # past the table of contents
    assert page.index("BC05 · ") < page.index("BC05.1 · ") < page.index("Dossier de production") \
        < page.index("BC07 · ") < page.index("BC07.1 · ") < page.index("Synopsis: long métrage")
    assert "Shows BC05.1" in page  # the candidate's justification
    assert "Version 2, submitted on" in page and "Version 1, submitted on" in page
    assert "Version 3" not in page  # a draft
    assert "Brouillon jamais soumis" not in page
    # Released grades and comments; a marking not released stays out.
    assert "Hélène First" in page and "Budget cohérent" in page and "Plan de financement fragile" in page
    assert "SECRET-DRAFT-GRADE" not in page and "SECRET-DRAFT-NOTE" not in page
    # The divergence and how it was settled.
    assert "the two assessors' levels diverge" in page and "Agreed level: acquired" in page
    # This session's decisions.
    assert "Dossier convaincant" in page


def test_annotations_link_to_their_exact_page(jury_world, client_for):
    w = jury_world
    body = _page(client_for(w.member), w).get_data(as_text=True)
    attachment = w.v2.files[0]
    assert "Le devis page 3 est incomplet" in body
    assert f"/files/{attachment.id}#page=3&amp;viewrect=10,20,100,50" in body
    assert re.search(rf"/deliverables/{w.dossier.id}/files/{attachment.id}/annotations\?page=3#annotation-\d+", body)


def test_accommodations_show_their_effect_never_their_reason(jury_world, client_for):
    w = jury_world
    page = _text(_page(client_for(w.member), w))
    assert "Due date for this candidate:" in page
    assert "adjusted for this candidate; the cohort's due date is" in page
    assert "SECRET-REASON" not in page and "wheelchair" not in page and "disability" not in page


def test_proofs_and_files_are_linked(jury_world, client_for):
    w = jury_world
    page = _page(client_for(w.member), w).get_data(as_text=True)
    assert "Les Films du Nord" in page and "TOEIC" in page
    for attachment in w.v2.files:
        assert f'href="/files/{attachment.id}"' in page
    assert f"/jury-sessions/{w.session.id}/candidates/{w.enrolment.id}/bundle.zip" in page


def test_the_vae_bundle_shows_experiences_and_self_positioning(certification, make_user, make_enrolment,
                                                               make_session, client_for):
    import io
    from datetime import date

    from portfolio.files.services import attach, receive_upload
    from portfolio.vae.models import Experience, ExperienceCompetence, ExperienceProof, SelfPositioning

    president = make_user("jury", name="Anne Martin")
    candidate = make_user("candidate", name="Victor VAE")
    enrolment = make_enrolment(candidate=candidate, route="vae")
    competence = next(c for b in certification.blocs if b.code == "BC06" for c in b.competences if c.rank == 1)
    experience = Experience(enrolment_id=enrolment.id, organisation="Studio Lumière",
                            job_title="Directeur de production", start_date=date(2015, 1, 1),
                            end_date=date(2022, 12, 31), activities="Pilotage de tournages")
    db.session.add(experience)
    db.session.flush()
    proof = ExperienceProof(experience_id=experience.id, kind="employer_attestation", title="Attestation employeur")
    db.session.add_all([proof, ExperienceCompetence(experience_id=experience.id, competence_id=competence.id,
                                                    justification="Trois longs métrages pilotés"),
                        SelfPositioning(enrolment_id=enrolment.id, competence_id=competence.id, level="partly",
                                        comment="Moins sur la postproduction")])
    db.session.flush()
    stored, name = receive_upload(io.BytesIO(b"%PDF-1.4\n% vae proof\n%%EOF\n"), "attestation.pdf")
    attach(stored, name, proof=proof)
    db.session.commit()
    session = make_session(members=[(president, "president", True, False)], enrolments=[enrolment], route="vae")
    client = client_for(president)
    client.set_cookie("lang", "en")
    page = _text(client.get(f"/jury-sessions/{session.id}/candidates/{enrolment.id}/bundle"))
    assert "Directeur de production, Studio Lumière" in page and "Trois longs métrages pilotés" in page
    assert "Self-positioning: Partly — Moins sur la postproduction" in page
    assert "Attestation employeur" in page
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(client.get(
        f"/jury-sessions/{session.id}/candidates/{enrolment.id}/bundle.zip").get_data()))
    assert "proofs/vae/Studio Lumière - Directeur de production/Attestation employeur/attestation.pdf" \
        in archive.namelist()


def test_the_bundle_takes_a_bounded_number_of_queries(jury_world, client_for, add_version):
    """Ten more deliverables do not add queries."""
    from portfolio.evidence.models import CompetenceTag, Deliverable
    from portfolio.juries.bundle import build_bundle, find_candidate

    w = jury_world

    def count() -> int:
        statements = []
        listener = lambda *args: statements.append(1)  # noqa: E731
        engine = db.session.get_bind()
        event.listen(engine, "before_cursor_execute", listener)
        try:
            db.session.expire_all()
            build_bundle(find_candidate(w.session.id, w.enrolment.id))
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    before = count()
    tag_competence = w.dossier.tags[0].competence_id
    for n in range(10):
        deliverable = Deliverable(enrolment_id=w.enrolment.id, title=f"Extra {n}", type="other")
        db.session.add(deliverable)
        db.session.flush()
        db.session.add(CompetenceTag(deliverable_id=deliverable.id, competence_id=tag_competence))
        add_version(deliverable, 1, [(f"%PDF-1.4\n% extra {n}\n%%EOF\n".encode(), f"extra{n}.pdf")],
                    submitted_at=w.v2.submitted_at)
    db.session.commit()
    assert count() == before
