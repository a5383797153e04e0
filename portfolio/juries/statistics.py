"""Graduates, their follow-up surveys and the statistics the certifier publishes (fiche, "Statistiques").

A graduate is a candidate whose enrolment is certified: all required blocs validated by closed jury
sessions and the internship (``certification_status``), or a certification decision issued for it. The
certification date is the earliest certification decision's date, else the date of the jury that
validated the last required bloc. Graduates answer a short survey 6 months and 2 years after that date
(or staff record it): employed or not, and in which job, one of the fiche's targeted jobs or another.

Per year of certification: number certified, certified through VAE, employment rate at 6 months, rate in
the targeted jobs at 6 months and at 2 years. Rates are over the graduates who answered, rounded half up
to a whole percent, and ``None`` (shown "-") when nobody answered. Every figure comes from a handful of
set-based queries, whatever the number of enrolments.
"""
from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from .. import audit
from ..accounts.models import User
from ..db import utcnow
from ..enrolments.models import Enrolment
from ..extensions import db
from ..records.models import Internship
from ..referential.models import Bloc, Certification
from .models import BlocDecision, FollowUpSurvey, IssuedDocument, JurySession

CERTIFICATION_CODE = "RNCP41241"
SURVEY_MONTHS = (6, 24)
OTHER_JOB = "other"
CHUNK = 500
PARIS = ZoneInfo("Europe/Paris")


# --- the fiche's targeted jobs ("Type d'emplois accessibles") ---------------------------------------

@dataclass(frozen=True)
class TargetJob:
    code: str
    label_fr: str  # the fiche's wording
    label: object  # English msgid (lazy), for the other languages
    option: str | None  # None: common to both options
    after_experience: bool = False  # reached after 2 to 5 years of professional experience


TARGET_JOBS: tuple[TargetJob, ...] = (
    TargetJob("assistant_director", "Assistant réalisateur", _l("Assistant director"), None),
    TargetJob("script_reader", "Lecteur", _l("Script reader"), None),
    TargetJob("screenwriter", "Scénariste", _l("Screenwriter"), "scenario-realisation"),
    TargetJob("director", "Réalisateur", _l("Director"), "scenario-realisation"),
    TargetJob("script_doctor", "Script doctor", _l("Script doctor"), "scenario-realisation"),
    TargetJob("stage_director", "Metteur en scène", _l("Stage director"), "scenario-realisation"),
    TargetJob("videographer", "Vidéaste", _l("Videographer"), "scenario-realisation"),
    TargetJob("production_assistant", "Assistant de production", _l("Production assistant"),
              "production-distribution"),
    TargetJob("production_administrator", "Administrateur de production", _l("Production administrator"),
              "production-distribution"),
    TargetJob("producer", "Producteur", _l("Producer"), "production-distribution"),
    TargetJob("programming_assistant", "Assistant de programmation", _l("Programming assistant"),
              "production-distribution"),
    TargetJob("assistant_unit_manager", "Régisseur adjoint", _l("Assistant unit manager"),
              "production-distribution"),
    TargetJob("production_company_manager", "Gérant de société de production", _l("Production company manager"),
              "production-distribution"),
    TargetJob("regulator_analyst", "Chargé d’études pour une autorité de régulation",
              _l("Analyst for a regulatory authority"), "production-distribution"),
    TargetJob("editorial_manager", "Responsable éditorial", _l("Editorial manager"), None, True),
    TargetJob("artistic_director", "Directeur artistique", _l("Artistic director"), None, True),
    TargetJob("showrunner", "Showrunner (directeur de série ou auteur-producteur)",
              _l("Showrunner (series director or writer-producer)"), "scenario-realisation", True),
    TargetJob("programming_manager", "Responsable de programmation", _l("Programming manager"),
              "production-distribution", True),
    TargetJob("marketing_manager", "Responsable marketing", _l("Marketing manager"), "production-distribution", True),
    TargetJob("acquisitions_director", "Directeur des acquisitions", _l("Acquisitions director"),
              "production-distribution", True),
    TargetJob("exhibition_manager", "Responsable exploitation", _l("Exhibition manager"),
              "production-distribution", True),
    TargetJob("production_director", "Directeur de production", _l("Production director"),
              "production-distribution", True),
    TargetJob("sales_manager", "Responsable des ventes", _l("Sales manager"), "production-distribution", True),
)
TARGET_JOB_CODES = frozenset(job.code for job in TARGET_JOBS)
_JOBS_BY_CODE = {job.code: job for job in TARGET_JOBS}


def target_job_label(code: str | None) -> str:
    """The job's label: the fiche's French wording in French, the translated msgid otherwise; a job
    outside the list (free text) as it was typed."""
    job = _JOBS_BY_CODE.get(code or "")
    if job is None:
        return code or ""
    return job.label_fr if str(get_locale() or "fr").startswith("fr") else str(job.label)


def job_groups() -> list[tuple[str, list[TargetJob]]]:
    """The targeted jobs grouped as the fiche lists them, for a form's choices."""
    return [
        (_("On obtaining the certification, both options"),
         [j for j in TARGET_JOBS if j.option is None and not j.after_experience]),
        (_("On obtaining the certification, Screenwriting / Directing option"),
         [j for j in TARGET_JOBS if j.option == "scenario-realisation" and not j.after_experience]),
        (_("On obtaining the certification, Production / Distribution option"),
         [j for j in TARGET_JOBS if j.option == "production-distribution" and not j.after_experience]),
        (_("After 2 to 5 years of professional experience"), [j for j in TARGET_JOBS if j.after_experience]),
    ]


# --- the figures the certifier published on the fiche ------------------------------------------------

@dataclass(frozen=True)
class YearFigures:
    """One row of the fiche's table. Rates are whole percents, or None ("-") when nobody answered."""

    year: int
    certified: int
    certified_vae: int
    employed_6_months: int | None
    target_job_6_months: int | None
    target_job_2_years: int | None
    answers_6_months: int | None = None  # None: not known (published figures)
    answers_2_years: int | None = None


PUBLISHED_HISTORY: tuple[YearFigures, ...] = (
    YearFigures(2023, 48, 0, 48, 44, None),
    YearFigures(2022, 58, 0, 78, 73, 66),
    YearFigures(2021, 41, 2, 84, 77, 85),
    YearFigures(2020, 43, 1, 64, 61, 83),
)


def rate(count: int, total: int) -> int | None:
    """``count`` out of ``total`` as a whole percent, rounded half up; None when ``total`` is 0."""
    if total <= 0:
        return None
    return (200 * count + total) // (2 * total)


# --- graduates ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Graduate:
    enrolment_id: int
    certified_on: date
    route: str
    by_document: bool  # a certification decision was issued (else: the rule, from the jury decisions)


def today() -> date:
    return utcnow().astimezone(PARIS).date()


def _of_certification(code: str):
    return Enrolment.certification_id.in_(select(Certification.id).where(Certification.code == code))


def _final_validated():
    """Conditions of a current validated decision of a closed session (join JurySession and Bloc)."""
    return (BlocDecision.decision == "validated", BlocDecision.superseded_by_id.is_(None),
            JurySession.status == "closed")


def graduates(certification_code: str = CERTIFICATION_CODE) -> list[Graduate]:
    """Every certified enrolment of the certification (all its versions) with its certification date.

    Five queries whatever the number of enrolments; the rule is ``certification_status``'s, applied to
    sets: every required bloc (the common blocs and the chosen option's) validated by a closed session,
    an option chosen, and one internship of the certification's minimum length.
    """
    in_certification = _of_certification(certification_code)
    documents = dict(db.session.execute(
        select(IssuedDocument.enrolment_id, func.min(IssuedDocument.issued_on))
        .join(Enrolment, IssuedDocument.enrolment_id == Enrolment.id)
        .where(IssuedDocument.kind == "certification_decision", in_certification)
        .group_by(IssuedDocument.enrolment_id)
    ).all())

    validated: dict[int, dict[str, date]] = defaultdict(dict)
    for enrolment_id, code, day in db.session.execute(
        select(BlocDecision.enrolment_id, Bloc.code, func.max(JurySession.date))
        .join(Bloc, BlocDecision.bloc_id == Bloc.id)
        .join(JurySession, BlocDecision.session_id == JurySession.id)
        .join(Enrolment, BlocDecision.enrolment_id == Enrolment.id)
        .where(*_final_validated(), in_certification)
        .group_by(BlocDecision.enrolment_id, Bloc.code)
    ):
        validated[enrolment_id][code] = day

    has_validated = exists().where(
        BlocDecision.enrolment_id == Enrolment.id, BlocDecision.decision == "validated",
        BlocDecision.superseded_by_id.is_(None))
    has_document = exists().where(IssuedDocument.enrolment_id == Enrolment.id,
                                  IssuedDocument.kind == "certification_decision")
    enrolments = db.session.execute(
        select(Enrolment.id, Enrolment.route, Enrolment.option, Enrolment.certification_id)
        .where(in_certification, has_validated | has_document)
    ).all()

    blocs: dict[int, list[tuple[str, str, str | None]]] = defaultdict(list)
    minimum_weeks: dict[int, int | None] = {}
    for certification_id, minimum, code, kind, option in db.session.execute(
        select(Certification.id, Certification.internship_min_weeks, Bloc.code, Bloc.kind, Bloc.option)
        .join(Bloc, Bloc.certification_id == Certification.id)
        .where(Certification.code == certification_code)
    ):
        blocs[certification_id].append((code, kind, option))
        minimum_weeks[certification_id] = minimum

    longest_days: dict[int, int] = defaultdict(int)
    for enrolment_id, start, end in db.session.execute(
        select(Internship.enrolment_id, Internship.start_date, Internship.end_date)
        .join(Enrolment, Internship.enrolment_id == Enrolment.id)
        .where(in_certification, has_validated)
    ):
        longest_days[enrolment_id] = max(longest_days[enrolment_id], (end - start).days + 1)

    result = []
    for enrolment_id, route, option, certification_id in enrolments:
        certified_on = documents.get(enrolment_id)
        if certified_on is None and option is not None:
            required = [code for code, kind, bloc_option in blocs[certification_id]
                        if kind == "common" or bloc_option == option]
            decided = validated.get(enrolment_id, {})
            minimum = minimum_weeks.get(certification_id)
            internship_met = not minimum or longest_days[enrolment_id] >= 7 * minimum
            if required and internship_met and all(code in decided for code in required):
                certified_on = max(decided[code] for code in required)
        if certified_on is not None:
            result.append(Graduate(enrolment_id, certified_on, route, enrolment_id in documents))
    result.sort(key=lambda g: (g.certified_on, g.enrolment_id))
    return result


def certification_date(enrolment: Enrolment) -> date | None:
    """The date the enrolment was certified, or None while it is not.

    Certified: ``certification_status`` says so, or a certification decision was issued. The date is
    the earliest certification decision's, else the jury date of the last required bloc validated.
    """
    from ..enrolments.services import certification_status, required_bloc_codes

    issued = db.session.scalar(
        select(func.min(IssuedDocument.issued_on))
        .where(IssuedDocument.enrolment_id == enrolment.id, IssuedDocument.kind == "certification_decision"))
    if issued is not None:
        return issued
    if certification_status(enrolment)["status"] != "certified":
        return None
    return db.session.scalar(
        select(func.max(JurySession.date))
        .select_from(BlocDecision)
        .join(Bloc, BlocDecision.bloc_id == Bloc.id)
        .join(JurySession, BlocDecision.session_id == JurySession.id)
        .where(BlocDecision.enrolment_id == enrolment.id, *_final_validated(),
               Bloc.code.in_(required_bloc_codes(enrolment))))


# --- statistics per year -----------------------------------------------------------------------------

def figures_by_year(certification_code: str = CERTIFICATION_CODE) -> list[YearFigures]:
    """The platform's own figures, one row per year of certification, the latest year first (as the
    fiche lists them)."""
    by_year: dict[int, list[Graduate]] = defaultdict(list)
    graduates_ = graduates(certification_code)
    for graduate in graduates_:
        by_year[graduate.certified_on.year].append(graduate)
    year_of = {g.enrolment_id: g.certified_on.year for g in graduates_}

    answers: dict[tuple[int, int], list[tuple[bool, bool]]] = defaultdict(list)
    for enrolment_id, months, employed, in_target in db.session.execute(
        select(FollowUpSurvey.enrolment_id, FollowUpSurvey.months_after, FollowUpSurvey.is_employed,
               FollowUpSurvey.is_in_target_job)
        .join(Enrolment, FollowUpSurvey.enrolment_id == Enrolment.id)
        .where(_of_certification(certification_code))
    ):
        year = year_of.get(enrolment_id)
        if year is not None:  # a survey of someone no longer certified (a revoked decision) is left out
            answers[(year, months)].append((employed, employed and in_target))

    rows = []
    for year in sorted(by_year, reverse=True):
        six, two = answers[(year, 6)], answers[(year, 24)]
        rows.append(YearFigures(
            year=year,
            certified=len(by_year[year]),
            certified_vae=sum(1 for g in by_year[year] if g.route == "vae"),
            employed_6_months=rate(sum(1 for employed, _t in six if employed), len(six)),
            target_job_6_months=rate(sum(1 for _e, target in six if target), len(six)),
            target_job_2_years=rate(sum(1 for _e, target in two if target), len(two)),
            answers_6_months=len(six),
            answers_2_years=len(two),
        ))
    return rows


def table_headings() -> list[str]:
    """The fiche's column headings (English msgids of the French headings)."""
    return [
        _("Year of certification"),
        _("Number certified"),
        _("Number certified through VAE"),
        _("Overall employment rate at 6 months (%)"),
        _("Employment rate in the targeted jobs at 6 months (%)"),
        _("Employment rate in the targeted jobs at 2 years (%)"),
    ]


def table_cells(row: YearFigures) -> list[int | str]:
    """A row as the fiche shows it: whole numbers, "-" for a rate without answers."""
    return [row.year, row.certified, row.certified_vae,
            *("-" if value is None else value
              for value in (row.employed_6_months, row.target_job_6_months, row.target_job_2_years))]


# --- the follow-up survey ----------------------------------------------------------------------------

class SurveyError(ValueError):
    """An answer that cannot be recorded; ``field`` names the input, the message is safe to show."""

    def __init__(self, message: str, field: str | None = None, status: int = 422):
        super().__init__(message)
        self.field = field
        self.status = status


def add_months(day: date, months: int) -> date:
    """``day`` plus calendar months; the 31 August plus 6 months is the 28 (or 29) February."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def survey_due_on(certified_on: date, months: int) -> date:
    return add_months(certified_on, months)


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def surveys_of(enrolment_ids) -> dict[int, dict[int, FollowUpSurvey]]:
    """``{enrolment_id: {6: survey, 24: survey}}``, one query per 500 enrolments."""
    result: dict[int, dict[int, FollowUpSurvey]] = defaultdict(dict)
    for chunk in _chunks(sorted(set(enrolment_ids))):
        for survey in db.session.scalars(select(FollowUpSurvey).where(FollowUpSurvey.enrolment_id.in_(chunk))):
            result[survey.enrolment_id][survey.months_after] = survey
    return result


def _survey_json(survey: FollowUpSurvey) -> dict:
    return {"months_after": survey.months_after, "is_employed": survey.is_employed,
            "is_in_target_job": survey.is_in_target_job, "job": survey.job,
            "answered_on": survey.answered_on.isoformat()}


def record_survey(enrolment: Enrolment, months: int, *, is_employed: bool, job: str | None = None,
                  other_job: str | None = None, actor: User, on: date | None = None) -> FollowUpSurvey:
    """Record (or correct) the graduate's answer to the survey ``months`` after certification.

    ``job``: the code of one of the fiche's targeted jobs, or ``"other"`` with ``other_job`` the job's
    name; required when employed, ignored otherwise. Raises SurveyError: not a graduate (409), the
    survey not due yet (409), an unknown survey or job, a missing job (422).
    """
    if months not in SURVEY_MONTHS:
        raise SurveyError(_("There is no survey %(months)d months after certification.", months=months), "months")
    certified_on = certification_date(enrolment)
    if certified_on is None:
        raise SurveyError(_("The follow-up survey opens once the certification is obtained."), status=409)
    on = on or today()
    due_on = survey_due_on(certified_on, months)
    if on < due_on:
        raise SurveyError(_("This survey opens on %(date)s.", date=due_on.isoformat()), status=409)
    in_target = False
    if is_employed:
        job = (job or "").strip()
        if job in TARGET_JOB_CODES:
            in_target = True
        elif job == OTHER_JOB:
            job = " ".join((other_job or "").split())
            if not job:
                raise SurveyError(_("Give the name of your job."), "other_job")
            if len(job) > 120:
                raise SurveyError(_("The job's name is too long (120 characters at most)."), "other_job")
        else:
            raise SurveyError(_("Choose your job in the list, or “another job”."), "job")
    else:
        job = None

    survey = db.session.scalar(select(FollowUpSurvey).where(
        FollowUpSurvey.enrolment_id == enrolment.id, FollowUpSurvey.months_after == months))
    before = _survey_json(survey) if survey is not None else None
    if survey is None:
        survey = FollowUpSurvey(enrolment_id=enrolment.id, months_after=months)
        db.session.add(survey)
    survey.is_employed = bool(is_employed)
    survey.is_in_target_job = in_target
    survey.job = job
    survey.answered_on = on
    survey.recorded_by_id = actor.id
    db.session.flush()
    audit.record(actor, "follow_up_survey.record", "follow_up_survey", survey.id, before=before,
                 after=_survey_json(survey))
    return survey


@dataclass(frozen=True)
class GraduateSurveys:
    """A graduate and where their two surveys stand, for the staff list."""

    graduate: Graduate
    enrolment: Enrolment
    surveys: dict[int, FollowUpSurvey]
    due_on: dict[int, date]

    def state(self, months: int, on: date) -> str:
        """``answered``, ``due`` or ``not_due``."""
        if months in self.surveys:
            return "answered"
        return "due" if on >= self.due_on[months] else "not_due"


def graduate_surveys(year: int | None = None, certification_code: str = CERTIFICATION_CODE) -> list[GraduateSurveys]:
    """The graduates (of ``year``, or all), the latest first, with their surveys (a few queries per 500)."""
    chosen = [g for g in graduates(certification_code) if year is None or g.certified_on.year == year]
    ids = [g.enrolment_id for g in chosen]
    enrolments: dict[int, Enrolment] = {}
    for chunk in _chunks(ids):
        enrolments.update((e.id, e) for e in db.session.scalars(
            select(Enrolment).where(Enrolment.id.in_(chunk)).options(joinedload(Enrolment.candidate))))
    surveys = surveys_of(ids)
    rows = [GraduateSurveys(g, enrolments[g.enrolment_id], surveys.get(g.enrolment_id, {}),
                            {m: survey_due_on(g.certified_on, m) for m in SURVEY_MONTHS}) for g in chosen]
    rows.sort(key=lambda r: (-r.graduate.certified_on.toordinal(), r.enrolment.candidate.name))
    return rows


def years_with_graduates(certification_code: str = CERTIFICATION_CODE) -> list[int]:
    return sorted({g.certified_on.year for g in graduates(certification_code)}, reverse=True)
