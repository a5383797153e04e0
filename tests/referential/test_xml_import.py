"""`flask referential import FILE`: the France Compétences XML export (v3 and v4.x), streamed, all or nothing."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portfolio.referential.models import Bloc, Certification, Competence
from portfolio.referential.services import ReferentialError, builtin_fiche, current_certification
from portfolio.referential.xml_import import (
    bloc_kind,
    competence_labels,
    import_xml,
    language_prerequisites,
    plain_text,
    slugify,
)

DATA = Path(__file__).resolve().parents[1] / "data"
V4 = DATA / "fc_export_v4.xml"
V3 = DATA / "fc_export_v3.xml"
MALFORMED = DATA / "fc_export_malformed.xml"


def count(session, model=Certification) -> int:
    return session.scalar(select(func.count()).select_from(model))


def versions(session, code: str) -> list[Certification]:
    return session.scalars(select(Certification).where(Certification.code == code)
                           .order_by(Certification.version)).all()


def bloc_of(cert: Certification, code: str) -> Bloc:
    return next(b for b in cert.blocs if b.code == code)


# --- v4.x ---------------------------------------------------------------------------------------------

def test_v4_export_imports_every_fiche_active_or_not(db_session):
    before = count(db_session)

    result = import_xml(str(V4))

    assert (result.fiches, result.created, result.unchanged) == (3, 3, 0)
    assert result.format_version == "4.0.1"
    assert count(db_session) == before + 3
    inactive = current_certification("RNCP38742")
    assert inactive.is_active is False and inactive.source == "import"
    assert current_certification("RNCP40001").is_active is True
    assert current_certification("RNCP40001").blocs == []


def test_v4_rncp41241_matches_the_builtin_referential(db_session):
    """The sample writes each bloc's competences differently (escaped <p>, CDATA <ul>, "- " lines with
    <br> and HTML entities, "•" lines with &nbsp;): all must give back the fiche's exact competences."""
    import_xml(str(V4))

    builtin = builtin_fiche()
    cert = current_certification("RNCP41241")
    assert cert.version == 2 and cert.source == "import"
    assert cert.title == builtin["title"] and cert.level == 7
    assert cert.certifiers == builtin["certifiers"]
    assert cert.registered_on.isoformat() == "2025-08-13" and cert.expires_on.isoformat() == "2029-08-31"
    assert [b.code for b in cert.blocs] == [f"BC0{i}" for i in range(1, 9)]
    for expected in builtin["blocs"]:
        bloc = bloc_of(cert, expected["code"])
        assert [c.label for c in bloc.competences] == expected["competences"], expected["code"]
        assert [c.code for c in bloc.competences] == [
            f"{expected['code']}.{k}" for k in range(1, len(expected["competences"]) + 1)]
        assert (bloc.title, bloc.kind, bloc.option) == (expected["title"], expected["kind"], expected["option"])
    assert bloc_of(cert, "BC02").evaluation_methods == builtin["blocs"][1]["evaluation_methods"]
    assert bloc_of(cert, "BC03").prerequisites == builtin["blocs"][2]["prerequisites"]
    assert [b.code for b in cert.blocs if b.prerequisites] == ["BC03"]
    assert cert.options == ["production-distribution", "scenario-realisation"]


def test_v4_routes_and_what_the_platform_adds_are_kept(db_session):
    import_xml(str(V4))

    cert = current_certification("RNCP41241")
    builtin = {r["route"]: r for r in builtin_fiche()["routes"]}
    assert {r.route: r.is_open for r in cert.routes} == {k: v["is_open"] for k, v in builtin.items()}
    assert cert.route("training").jury_composition == builtin["training"]["jury_composition"]
    assert cert.route("individual").jury_composition is None
    # The export carries neither the internship length nor machine-readable jury rules: kept from v1.
    assert cert.internship_min_weeks == 16
    assert cert.route("vae").jury_rules == builtin["vae"]["jury_rules"]

    older = current_certification("RNCP38742")
    assert older.route("training").jury_composition == (
        "- Un président professionnel du secteur\n- Deux formateurs de l'école")
    assert older.route("apprenticeship").is_open is False
    assert older.internship_min_weeks is None


def test_v4_entities_intro_lines_and_prerequisites(db_session):
    result = import_xml(str(V4))

    cert = current_certification("RNCP38742")
    bc01, bc02 = cert.blocs
    assert bc01.title == "Concevoir un projet de production & en évaluer la faisabilité"
    # "Compétences évaluées :" is a heading and the &nbsp; paragraph is empty: neither is a competence.
    assert [c.label for c in bc01.competences] == [
        "Analyser le marché de l’audiovisuel & ses tendances", "Construire le budget prévisionnel d’un film"]
    assert bc01.evaluation_methods == "Étude de cas écrite.\n- Note de synthèse\n- Soutenance orale"
    assert [c.label for c in bc02.competences] == [
        "Négocier un accord de coproduction en anglais", "Rédiger un contrat de cession de droits"]
    assert bc02.prerequisites == [{
        "type": "language", "framework": "CEFR", "level": "C1",
        "text": "Niveau C1 du CECRL en anglais, attesté par une certification de moins de deux ans."}]
    assert cert.level == 7 and cert.registered_on.isoformat() == "2024-03-28"
    # An unreadable date is left empty and reported, it does not stop the import.
    assert current_certification("RNCP40001").registered_on is None
    assert any("RNCP40001" in w and "inconnue" in w for w in result.warnings)


# --- v3 ------------------------------------------------------------------------------------------------

def test_v3_export_with_plain_routes_options_and_bullets(db_session):
    result = import_xml(str(V3))

    assert (result.fiches, result.created, result.format_version) == (2, 2, "3.0")
    cert = current_certification("RNCP35185")
    assert cert.title == "Réalisateur & monteur audiovisuel" and cert.level == 6
    assert cert.certifiers == ["ÉCOLE DES MÉTIERS DE L'IMAGE"]  # repeated certifier kept once
    assert cert.registered_on.isoformat() == "2021-01-14" and cert.expires_on.isoformat() == "2026-01-14"
    assert {r.route: r.is_open for r in cert.routes} == {
        "training": True, "apprenticeship": True, "continuing": False, "professionalisation": False,
        "individual": False, "vae": True}
    assert all(r.jury_composition is None for r in cert.routes)

    bc01, bc02, bc03 = cert.blocs
    assert [c.label for c in bc01.competences] == [
        "Rédiger une note d’intention", "Établir un plan de tournage", "Repérer les décors « naturels »"]
    assert (bc01.kind, bc01.option) == ("common", None)
    assert [c.label for c in bc02.competences] == [
        "Dérusher les images tournées", "Construire la narration au montage", "Exporter les livrables de diffusion"]
    assert (bc02.kind, bc02.option) == ("option", "montage")
    assert (bc03.kind, bc03.option) == ("option", "production-distribution")
    assert bc03.prerequisites == [{"type": "language", "framework": "CEFR", "level": "B1",
                                   "text": "Niveau B1 du CECRL en anglais."}]

    inactive = current_certification("RNCP28001")
    assert inactive.is_active is False and inactive.level == 5
    assert {r.route: r.is_open for r in inactive.routes} == {"training": True, "vae": False}
    # "Le niveau B2 n'est pas demandé" names a level but no language framework and no requirement.
    assert inactive.blocs[0].prerequisites == []


# --- re-import and new versions -------------------------------------------------------------------------

def test_reimporting_the_same_file_creates_nothing(db_session):
    import_xml(str(V4))
    import_xml(str(V3))
    counts = (count(db_session), count(db_session, Bloc), count(db_session, Competence))
    ids = {c.code: c.id for c in db_session.scalars(select(Certification).where(Certification.is_current))}

    again = import_xml(str(V4))
    again_v3 = import_xml(str(V3))

    assert (again.fiches, again.created, again.unchanged) == (3, 0, 3)
    assert (again_v3.created, again_v3.unchanged) == (0, 2)
    assert (count(db_session), count(db_session, Bloc), count(db_session, Competence)) == counts
    assert {c.code: c.id for c in db_session.scalars(select(Certification).where(Certification.is_current))} == ids


def test_a_changed_fiche_becomes_a_new_version_beside_the_old(db_session, tmp_path):
    import_xml(str(V4))
    v2 = current_certification("RNCP41241")
    old_bc05 = [(c.id, c.code, c.label) for c in bloc_of(v2, "BC05").competences]
    v1_labels = [c.label for c in bloc_of(versions(db_session, "RNCP41241")[0], "BC05").competences]
    old_label = old_bc05[0][2]
    changed = tmp_path / "changed.xml"
    changed.write_text(V4.read_text(encoding="utf-8").replace(
        "Analyser un scénario (court ou long métrage", "Analyser un scénario (court, moyen ou long métrage"),
        encoding="utf-8")

    result = import_xml(str(changed))

    assert (result.fiches, result.created, result.unchanged) == (3, 1, 2)
    v1, v2_again, v3 = versions(db_session, "RNCP41241")
    assert (v1.version, v2_again.version, v3.version) == (1, 2, 3)
    assert [v.is_current for v in (v1, v2_again, v3)] == [False, False, True]
    db_session.expire_all()
    assert [(c.id, c.code, c.label) for c in bloc_of(v2_again, "BC05").competences] == old_bc05
    assert [c.label for c in bloc_of(v1, "BC05").competences] == v1_labels
    new_bc05 = bloc_of(v3, "BC05").competences
    assert new_bc05[0].label.startswith("Analyser un scénario (court, moyen ou long métrage")
    assert new_bc05[0].id not in {row[0] for row in old_bc05} and old_label != new_bc05[0].label
    assert v3.internship_min_weeks == 16  # carried over from the version it replaces


def test_a_zipped_export_is_read_without_extracting_it(db_session, tmp_path):
    archive = tmp_path / "export-fiches-rncp-v4-1-2025-09-01.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(V3, "export-fiches-rncp-v4-1-2025-09-01.xml")

    result = import_xml(str(archive))

    assert (result.fiches, result.created) == (2, 2)
    assert current_certification("RNCP35185") is not None


# --- malformed files change nothing -----------------------------------------------------------------------

def test_malformed_file_names_line_and_column_and_changes_nothing(db_session):
    before = (count(db_session), count(db_session, Competence))

    with pytest.raises(ReferentialError) as error:
        import_xml(str(MALFORMED))

    message = str(error.value)
    assert message.startswith("malformed XML at line 12, column ")
    assert "INTITULE" in message
    # The first fiche was read and stored before the error: it must have been undone.
    assert (count(db_session), count(db_session, Competence)) == before
    assert current_certification("RNCP40002") is None


def test_cli_import_of_a_malformed_file_fails_and_changes_nothing(app, db_session):
    before = count(db_session)

    result = app.test_cli_runner().invoke(args=["referential", "import", str(MALFORMED)])

    assert result.exit_code != 0
    assert "malformed XML at line 12, column" in result.output
    assert count(db_session) == before
    assert current_certification("RNCP40002") is None


def test_cli_import_reports_new_and_unchanged_fiches(app, db_session):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["referential", "import", str(V4)])
    second = runner.invoke(args=["referential", "import", str(V4)])

    assert first.exit_code == 0, first.output
    assert "imported 3 fiches" in first.output and "3 new versions, 0 unchanged" in first.output
    assert second.exit_code == 0 and "0 new versions, 3 unchanged" in second.output
    assert current_certification("RNCP38742").is_active is False


@pytest.mark.parametrize("content, message", [
    (b"", r"^malformed XML at line 1, column 1: "),
    (b"PK\x03\x04 not really a zip", r"^malformed XML at line 1, column 1: "),
    (b'<?xml version="1.0"?>\n<FICHES>\n<FICHE><NUMERO_FICHE>RNCP90004</NUMERO_FICHE><INTITULE>T</INTITULE>'
     b"</FICHE>\n", r"^malformed XML at line 4, column \d+: "),
])
def test_empty_truncated_or_binary_files_are_malformed(db_session, tmp_path, content, message):
    path = tmp_path / "broken.xml"
    path.write_bytes(content)

    with pytest.raises(ReferentialError, match=message):
        import_xml(str(path))
    assert current_certification("RNCP90004") is None


def test_a_root_other_than_fiches_is_refused(db_session, tmp_path):
    path = tmp_path / "other.xml"
    path.write_text('<?xml version="1.0"?>\n\n<CERTIFICATIONS><FICHE><NUMERO_FICHE>RNCP1</NUMERO_FICHE>'
                    "<INTITULE>x</INTITULE></FICHE></CERTIFICATIONS>\n", encoding="utf-8")

    with pytest.raises(ReferentialError, match=r"root element at line 3 is <CERTIFICATIONS>"):
        import_xml(str(path))
    assert current_certification("RNCP1") is None


def test_a_fiche_without_numero_names_its_line_and_changes_nothing(db_session, tmp_path):
    path = tmp_path / "no-number.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<FICHES>\n'
        "<FICHE><NUMERO_FICHE>RNCP90001</NUMERO_FICHE><INTITULE>Premier</INTITULE></FICHE>\n"
        "<FICHE>\n<INTITULE>Sans numéro</INTITULE>\n</FICHE>\n</FICHES>\n", encoding="utf-8")
    before = count(db_session)

    with pytest.raises(ReferentialError, match=r"fiche without NUMERO_FICHE at line 4"):
        import_xml(str(path))
    assert count(db_session) == before


def test_a_fiche_the_referential_refuses_names_its_line(db_session, tmp_path):
    path = tmp_path / "repeated-bloc.xml"
    bloc = ("<BLOC_COMPETENCES><CODE>RNCP90002BC01</CODE><LIBELLE>Bloc</LIBELLE>"
            "<LISTE_COMPETENCES>&lt;p&gt;Faire&lt;/p&gt;</LISTE_COMPETENCES></BLOC_COMPETENCES>")
    path.write_text(f'<?xml version="1.0"?>\n<FICHES>\n<FICHE><NUMERO_FICHE>RNCP90002</NUMERO_FICHE>'
                    f"<INTITULE>T</INTITULE><BLOCS_COMPETENCES>{bloc}{bloc}</BLOCS_COMPETENCES></FICHE>\n"
                    "</FICHES>\n", encoding="utf-8")

    with pytest.raises(ReferentialError, match=r"fiche at line 3: .*repeated bloc code 'BC01'"):
        import_xml(str(path))
    assert current_certification("RNCP90002") is None


def test_external_entities_are_never_resolved(db_session, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    path = tmp_path / "xxe.xml"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE FICHES [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        "<FICHES><FICHE><NUMERO_FICHE>RNCP90003</NUMERO_FICHE><INTITULE>Titre &xxe;</INTITULE>"
        "<ACTIF>Oui</ACTIF></FICHE></FICHES>\n", encoding="utf-8")

    import_xml(str(path))

    title = current_certification("RNCP90003").title
    assert "TOP-SECRET-VALUE" not in title and title.startswith("Titre")


# --- the text rules, one by one ---------------------------------------------------------------------------

@pytest.mark.parametrize("markup, expected", [
    ("<p>Un</p><p>Deux</p>", ["Un", "Deux"]),
    ("<p>Le candidat est capable de :</p><ul><li>Un</li><li><strong>Deux</strong> et demi</li></ul>",
     ["Un", "Deux et demi"]),
    ("Intro\n- Un\n- Deux", ["Un", "Deux"]),
    ("<p>• Un<br>• Deux</p>", ["Un", "Deux"]),
    ("<p>Compétences :</p><p>Analyser l&#39;offre &amp; la demande</p>", ["Analyser l'offre & la demande"]),
    ("<p>&amp;eacute;crire</p>", ["écrire"]),
    ("<ul><li>Un<ul><li>Un bis</li></ul></li><li>Deux</li></ul>", ["Un", "Un bis", "Deux"]),
    ("", []),
    ("<p>&nbsp;</p>", []),
])
def test_competence_labels(markup, expected):
    assert competence_labels(markup) == expected


def test_plain_text_keeps_paragraphs_and_list_items():
    assert plain_text("<p>Épreuve écrite</p><ul><li>Dossier</li></ul>") == "Épreuve écrite\n- Dossier"
    assert plain_text("  ") is None


@pytest.mark.parametrize("title, expected", [
    ("Conduire le développement d’un scénario (option scénario et réalisation - bloc optionnel)",
     ("option", "scenario-realisation")),
    ("Elaborer des stratégies de financement (option production/distribution - bloc optionnel)",
     ("option", "production-distribution")),
    ("Option Son : enregistrer un plateau", ("option", "son")),
    ("Gérer une équipe - bloc optionnel", ("option", "bloc-bc09")),
    ("Proposer des options techniques", ("common", None)),
    ("Mettre en œuvre les usages avancés", ("common", None)),
])
def test_bloc_kind(title, expected):
    assert bloc_kind(title, "BC09") == expected


def test_slugify():
    assert slugify("Scénario et Réalisation") == "scenario-realisation"
    assert slugify("production/distribution") == "production-distribution"
    assert len(slugify("mot " * 40)) <= 64


@pytest.mark.parametrize("text, levels", [
    ("Pré-requis : le niveau B2 du CECRL en anglais est exigé.", ["B2"]),
    ("Prérequis :\nNiveau C1 (CEFR) en anglais.", ["C1"]),
    ("Le niveau de langue B2 du CECRL pour les épreuves écrites est exigé.", ["B2"]),
    ("Épreuve du bloc RNCP41241BC02 en anglais.", []),
    ("Niveau B2 du CECRL recommandé.", []),
    (None, []),
])
def test_language_prerequisites(text, levels):
    assert [p["level"] for p in language_prerequisites(text)] == levels


def test_the_sample_is_the_builtin_shape():
    """Guard for the samples above: they are built from the shipped referential's own texts."""
    builtin = json.loads((Path(__file__).resolve().parents[2] / "portfolio" / "data" / "rncp41241.json")
                         .read_text(encoding="utf-8"))
    text = V4.read_text(encoding="utf-8")
    assert all(f"{builtin['code']}{b['code']}" in text for b in builtin["blocs"])
