"""`flask referential load`: the built-in RNCP41241 referential, loaded once however often it runs."""
from __future__ import annotations

from sqlalchemy import func, select

from portfolio.referential.models import Bloc, Certification, CertificationRoute, Competence
from portfolio.referential.services import builtin_fiche, current_certification


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def snapshot(session) -> dict:
    cert = current_certification("RNCP41241")
    return {
        "certification": (cert.id, cert.version),
        "competences": [(c.id, c.code, c.label) for b in cert.blocs for c in b.competences],
        "counts": tuple(count(session, m) for m in (Certification, CertificationRoute, Bloc, Competence)),
    }


def empty_referential(session) -> None:
    for cert in session.scalars(select(Certification)).all():
        session.delete(cert)
    session.flush()
    assert count(session, Competence) == 0


def test_load_into_an_empty_referential_then_again_changes_nothing(app, db_session):
    empty_referential(db_session)
    runner = app.test_cli_runner()
    fiche = builtin_fiche()
    n_competences = sum(len(b["competences"]) for b in fiche["blocs"])

    first = runner.invoke(args=["referential", "load"])

    assert first.exit_code == 0, first.output
    assert first.stdout.strip().splitlines()[-1] == (
        f"RNCP41241 v1 loaded: {len(fiche['blocs'])} blocs, {n_competences} competences")
    loaded = snapshot(db_session)
    assert loaded["counts"] == (1, len(fiche["routes"]), len(fiche["blocs"]), n_competences)

    second = runner.invoke(args=["referential", "load"])
    third = runner.invoke(args=["referential", "load"])

    assert second.exit_code == 0 and third.exit_code == 0
    assert "RNCP41241 v1 already up to date" in third.stdout
    db_session.expire_all()
    assert snapshot(db_session) == loaded


def test_the_loaded_referential_is_the_shipped_definition(db_session):
    fiche = builtin_fiche()
    cert = current_certification("RNCP41241")

    assert (cert.code, cert.title, cert.level, cert.source) == ("RNCP41241", fiche["title"], 7, "builtin")
    assert cert.internship_min_weeks == 16 and cert.is_active
    assert [(b.code, b.kind, b.option) for b in cert.blocs] == [
        (b["code"], b["kind"], b["option"]) for b in fiche["blocs"]]
    for bloc, expected in zip(cert.blocs, fiche["blocs"], strict=True):
        assert [c.label for c in bloc.competences] == expected["competences"]
        assert [c.code for c in bloc.competences] == [
            f"{expected['code']}.{k}" for k in range(1, len(expected["competences"]) + 1)]
    assert cert.blocs[2].prerequisites[0]["level"] == "B2"
    assert {r.route for r in cert.routes if r.is_open} == {
        "training", "apprenticeship", "continuing", "professionalisation", "vae"}


def test_load_after_an_import_does_not_bring_the_builtin_version_back(app, certification):
    from portfolio.referential.services import builtin_fiche, current_certification, load_builtin, upsert_fiche

    changed = builtin_fiche()
    changed["title"] = changed["title"] + " (renouvelé)"
    imported, created = upsert_fiche(changed, source="import")
    assert created and imported.version == certification.version + 1
    again, created = load_builtin()
    assert not created
    assert current_certification("RNCP41241").id == imported.id


def test_a_renewal_of_the_dates_only_updates_them_in_place(app, certification):
    from datetime import date

    from portfolio.referential.services import builtin_fiche, upsert_fiche

    renewed = builtin_fiche()
    renewed["expires_on"] = "2031-08-31"
    row, created = upsert_fiche(renewed, source="import")
    assert not created and row.id == certification.id
    assert row.expires_on == date(2031, 8, 31)
