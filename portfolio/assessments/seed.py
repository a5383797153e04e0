"""The DHEC (RNCP41241) assessments, from the fiche's evaluation methods, for a 2025-2027 cohort.

Each bloc's épreuves with the deliverables they expect and the competences they cover; dates are
Paris time over the two years of the cohort (September 2025 to June 2027).
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..enrolments.models import Cohort
from ..extensions import db
from .models import Assessment
from .services import AssessmentData, save_assessment

PARIS = ZoneInfo("Europe/Paris")


def _at(day: str, hour: int, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=PARIS)


def _opens(day: str) -> datetime:
    return _at(day, 9)


def _due(day: str) -> datetime:
    return _at(day, 23, 59)


# code, bloc, competence ranks (None: all of the bloc), kind, types, opens, due, markers, title, description.
# Titles and descriptions are the school's data, in French like the fiche they come from.
DHEC_ASSESSMENTS = [
    ("BC01-1", "BC01", None, "written", ["production_dossier", "budget", "technical_breakdown"],
     "2025-10-06", "2026-01-16", 1,
     "Dossier de production individuel",
     "Dans le contexte d'un projet audiovisuel ou cinématographique, le candidat rédige un dossier de "
     "production individuel en mobilisant des outils numériques avancés."),
    ("BC01-2", "BC01", None, "internship", ["internship_report"],
     "2027-01-04", "2027-06-11", 1,
     "Rapport de stage : les outils numériques en situation professionnelle",
     "En situation réelle (stage) dans une entreprise du secteur audiovisuel ou cinématographique, le "
     "candidat rédige un rapport de stage individuel sur les usages et outils numériques de l'entreprise."),
    ("BC02-1", "BC02", None, "written_oral", ["thesis"],
     "2026-09-14", "2027-03-26", 2,
     "Mémoire de recherche et soutenance",
     "Rédaction d'un mémoire de recherche individuel sur un sujet d'actualité du secteur audiovisuel ou "
     "cinématographique, présenté à l'oral."),
    ("BC03-1", "BC03", None, "written", ["coproduction_dossier"],
     "2026-01-05", "2026-04-17", 1,
     "Dossier de co-production européenne en anglais",
     "Rédaction individuelle d'un dossier de co-production européenne en langue anglaise. "
     "Prérequis : niveau B2 du CECRL."),
    ("BC04-1", "BC04", None, "internship", ["internship_report"],
     "2027-01-04", "2027-06-11", 1,
     "Rapport de stage et restitution orale",
     "Dans le contexte d'une expérience professionnelle (stage), le candidat rédige un rapport de stage "
     "individuel et restitue à l'oral son expérience."),
    ("BC05-1", "BC05", None, "written_oral",
     ["production_dossier", "moodboard", "technical_breakdown", "rights_estimate"],
     "2025-10-06", "2026-01-30", 1,
     "Dossier de production avec moodboard, et oral",
     "À partir du contexte fictif d'un projet, le candidat prépare la production en groupe et rédige un "
     "dossier de production individuel (moodboard, dépouillement, estimation des droits), puis présente et "
     "argumente ses pratiques à l'oral."),
    ("BC06-1", "BC06", None, "written_oral", ["production_dossier", "other"],
     "2026-02-23", "2026-06-05", 1,
     "Posture de manager des équipes de tournage et de postproduction : écrit et oral",
     "À partir du contexte fictif d'un projet, le candidat, dans un rôle de chef de projet, évalue sa "
     "posture de manager d'équipes (production et postproduction), puis la présente et l'argumente à l'oral."),
    ("BC07-1", "BC07", [1, 2, 3, 4, 5], "written_oral",
     ["synopsis", "treatment", "series_bible", "screenplay", "technical_breakdown"],
     "2026-09-14", "2027-01-22", 2,
     "Livrables d'écriture et oral",
     "À partir du contexte fictif d'un projet, le candidat rédige un synopsis, un traitement ou une bible de "
     "série, la continuité dialoguée et le découpage technique, puis les présente et les argumente à l'oral."),
    ("BC07-2", "BC07", [6, 7, 8], "written_oral", ["film", "storyboard", "other"],
     "2027-01-25", "2027-05-21", 2,
     "Direction du tournage et de la postproduction, et oral",
     "Dans un rôle de chef de projet, le candidat dirige le tournage et la postproduction du projet et livre "
     "le film, puis présente et argumente ses pratiques à l'oral."),
    ("BC08-1", "BC08", [1, 2, 3, 4], "written_oral",
     ["production_dossier", "financing_plan", "budget", "rights_estimate", "carbon_plan"],
     "2026-09-14", "2027-01-22", 2,
     "Dossier de production et oral",
     "À partir de l'étude de cas d'un projet proposé par l'établissement, le candidat rédige un dossier de "
     "production (plan de financement, devis, droits, plan carbone et éléments administratifs), puis le "
     "présente et l'argumente à l'oral."),
    ("BC08-2", "BC08", [5, 6, 7, 8, 9], "written_oral",
     ["distribution_dossier", "release_plan", "line_up", "media_plan"],
     "2027-01-25", "2027-05-21", 2,
     "Dossier de distribution et oral",
     "À partir de l'étude de cas d'un projet proposé par l'établissement, le candidat rédige un dossier de "
     "distribution (rétroplanning de sortie, line-up, plan média, mandat de distribution, indicateurs), puis "
     "le présente et l'argumente à l'oral."),
]


def seed_dhec_assessments(cohort: Cohort, actor=None) -> list[Assessment]:
    """Create the DHEC assessments of ``cohort`` that are missing (idempotent); return them all.

    An assessment that exists already (same code in the cohort) is left as an administrator left it.
    """
    certification = cohort.certification
    blocs = {b.code: b for b in certification.blocs}
    existing = {a.code: a for a in db.session.scalars(select(Assessment).where(Assessment.cohort_id == cohort.id))}
    result = []
    for code, bloc_code, ranks, kind, types, opens, due, markers, title, description in DHEC_ASSESSMENTS:
        if code in existing:
            result.append(existing[code])
            continue
        bloc = blocs.get(bloc_code)
        if bloc is None:
            continue
        competences = [c for c in bloc.competences if ranks is None or c.rank in ranks]
        data = AssessmentData(
            bloc=bloc, code=code, title=title, kind=kind, deliverable_types=types, competences=competences,
            description=description, opens_at=_opens(opens), due_at=_due(due), markers=markers,
        )
        result.append(save_assessment(data, certification=certification, cohort=cohort, actor=actor))
    return result
