"""Bloc status: computed from the referential and the released grades, never stored per bloc.

A competence is acquired when its most recent released grade (for a double-marked version: the
common level of the two independent markings, else the agreed grade, else the third assessor's) is
``acquired`` or ``mastered``; a later ``not_acquired`` after an ``acquired`` means not acquired, and
an unsettled divergence counts as not acquired. A bloc is ``proposed`` (ready for the jury) when all
its competences are acquired and its prerequisites are met (read from ``bloc.prerequisites``, e.g.
a CEFR language certificate at B2 or above for BC03); otherwise ``in_progress`` when one of its
competences has a released grade, else ``not_started``. ``validated`` and ``not_validated`` come
only from a jury decision.

Set-based: ``bloc_statuses`` answers for any number of enrolments in five statements (enrolments,
referential, latest effective grades, language certificates, jury decisions), the latest grade per
(enrolment, competence) chosen by a window function in the database (SQLite and PostgreSQL).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, func, literal, select, union_all

from ..assessments.models import Assessment
from ..enrolments.models import Enrolment
from ..evidence.models import Deliverable, DeliverableVersion
from ..extensions import db
from ..labels import option_label
from ..records.models import CEFR_LEVELS, LanguageCertificate
from ..referential.models import Bloc, Competence
from .models import ACQUIRED_LEVELS, AgreedGrade, Grade, Marking

STATUSES = ("not_started", "in_progress", "proposed", "validated", "not_validated")


@dataclass(slots=True)
class CompetenceState:
    code: str
    label: str
    level: str | None  # the latest effective level; None: no released grade, or an unsettled divergence
    has_grade: bool  # a released grade exists (settled or not)
    is_unsettled: bool = False

    @property
    def is_acquired(self) -> bool:
        return self.level in ACQUIRED_LEVELS


class BlocStatus:
    """One bloc of one enrolment: its status and counts; its reasons and competences are built when read
    (a cohort's statuses are counted by the thousand, their texts are read for a page at a time)."""

    __slots__ = ("bloc", "status", "acquired", "total", "title", "kind", "option", "_levels", "_def", "_extra",
                 "_decision", "_texts", "_reasons", "_competences")

    def __init__(self, bloc_def: _BlocDef, status: str, acquired: int, levels: dict, extra: list[dict],
                 decision: str | None, texts: _Texts):
        self.bloc, self.title, self.kind, self.option = bloc_def.code, bloc_def.title, bloc_def.kind, bloc_def.option
        self.status, self.acquired, self.total = status, acquired, len(bloc_def.competences)
        self._def, self._levels, self._extra, self._decision, self._texts = bloc_def, levels, extra, decision, texts
        self._reasons = self._competences = None

    @property
    def competences(self) -> list[CompetenceState]:
        if self._competences is None:
            levels = self._levels
            self._competences = [
                CompetenceState(code, label, levels.get(cid), cid in levels, cid in levels and levels[cid] is None)
                for cid, code, label in self._def.competences
            ]
        return self._competences

    @property
    def reasons(self) -> list[dict]:
        """``[{code, message, ...}]``: why the bloc is not proposed (nothing once validated by a jury)."""
        if self._reasons is None:
            if self._decision == "validated":
                self._reasons = []
            else:
                reasons = [_competence_reason(c, self._texts) for c in self.competences if not c.is_acquired]
                reasons += self._extra
                if self._decision == "not_validated":
                    reasons.insert(0, {"code": "jury_not_validated", "message": self._texts.jury})
                self._reasons = reasons
        return self._reasons

    @property
    def percent(self) -> int:
        return round(100 * self.acquired / self.total) if self.total else 0

    def as_json(self) -> dict:
        return {"bloc": self.bloc, "status": self.status, "reasons": self.reasons, "acquired": self.acquired,
                "total": self.total}

    def __repr__(self) -> str:
        return f"<BlocStatus {self.bloc} {self.status} {self.acquired}/{self.total}>"


def jury_bloc_decisions(enrolment_ids) -> dict[int, dict[str, str]]:
    """``{enrolment_id: {bloc_code: "validated" | "not_validated"}}``: the juries' standing decisions.

    Read from the juries' ledger (decisions of closed sessions) when the juries feature is present;
    without it, no bloc has a decision.
    """
    try:
        from ..juries.ledger import current_bloc_decisions
    except ImportError:
        return {}
    return current_bloc_decisions(enrolment_ids)


def _id_filter(column, enrolment_ids):
    return column.in_(enrolment_ids) if isinstance(enrolment_ids, Select) else column.in_(list(enrolment_ids))


def latest_levels_query(enrolment_ids) -> Select:
    """(enrolment_id, competence_id, level) of the latest released, effective grade per pair.

    ``level`` is NULL for an unsettled double-marking divergence. Events: each released grade of a
    single-marked version (dated by its release), and each competence of a double-marked version
    whose two independent markings are released (dated by the later release).
    """
    markers = func.coalesce(Assessment.markers, 1)
    single = (
        select(Deliverable.enrolment_id.label("enrolment_id"), Grade.competence_id.label("competence_id"),
               Grade.level.label("level"), Marking.released_at.label("at"),
               Marking.version_id.label("version_id"), Marking.id.label("marking_id"))
        .select_from(Grade)
        .join(Marking, Marking.id == Grade.marking_id)
        .join(DeliverableVersion, DeliverableVersion.id == Marking.version_id)
        .join(Deliverable, Deliverable.id == DeliverableVersion.deliverable_id)
        .outerjoin(Assessment, Assessment.id == Deliverable.assessment_id)
        .where(Marking.released_at.is_not(None), markers == 1, _id_filter(Deliverable.enrolment_id, enrolment_ids))
    )
    pairs = (
        select(Marking.version_id.label("version_id"), Deliverable.enrolment_id.label("enrolment_id"),
               func.max(Marking.released_at).label("at"))
        .join(DeliverableVersion, DeliverableVersion.id == Marking.version_id)
        .join(Deliverable, Deliverable.id == DeliverableVersion.deliverable_id)
        .join(Assessment, Assessment.id == Deliverable.assessment_id)
        .where(Assessment.markers == 2, Marking.role.in_(("first", "second")), Marking.released_at.is_not(None),
               _id_filter(Deliverable.enrolment_id, enrolment_ids))
        .group_by(Marking.version_id, Deliverable.enrolment_id)
        .having(func.count(Marking.id) == 2)
    ).cte("pairs")  # used three times: computed once
    pair_levels = (
        select(Marking.version_id.label("version_id"), Grade.competence_id.label("competence_id"),
               func.min(Grade.level).label("lo"), func.max(Grade.level).label("hi"))
        .select_from(Grade)
        .join(Marking, Marking.id == Grade.marking_id)
        .join(pairs, pairs.c.version_id == Marking.version_id)
        .where(Marking.role.in_(("first", "second")))
        .group_by(Marking.version_id, Grade.competence_id)
    ).subquery("pair_levels")
    third = (
        select(Marking.version_id.label("version_id"), Grade.competence_id.label("competence_id"),
               Grade.level.label("level"))
        .select_from(Grade)
        .join(Marking, Marking.id == Grade.marking_id)
        .join(pairs, pairs.c.version_id == Marking.version_id)
        .where(Marking.role == "third", Marking.released_at.is_not(None))
    ).subquery("third")
    settled = case(
        (pair_levels.c.lo == pair_levels.c.hi, pair_levels.c.lo),
        else_=func.coalesce(AgreedGrade.level, third.c.level),
    )
    double = (
        select(pairs.c.enrolment_id, pair_levels.c.competence_id, settled.label("level"), pairs.c.at,
               pairs.c.version_id, literal(0).label("marking_id"))
        .select_from(pair_levels)
        .join(pairs, pairs.c.version_id == pair_levels.c.version_id)
        .outerjoin(AgreedGrade, and_(AgreedGrade.version_id == pair_levels.c.version_id,
                                     AgreedGrade.competence_id == pair_levels.c.competence_id))
        .outerjoin(third, and_(third.c.version_id == pair_levels.c.version_id,
                               third.c.competence_id == pair_levels.c.competence_id))
    )
    events = union_all(single, double).subquery("events")
    ranked = select(
        events.c.enrolment_id, events.c.competence_id, events.c.level,
        func.row_number().over(
            partition_by=(events.c.enrolment_id, events.c.competence_id),
            order_by=(events.c.at.desc(), events.c.version_id.desc(), events.c.marking_id.desc()),
        ).label("rank"),
    ).subquery("ranked")
    return select(ranked.c.enrolment_id, ranked.c.competence_id, ranked.c.level).where(ranked.c.rank == 1)


@dataclass
class _BlocDef:
    id: int
    code: str
    title: str
    kind: str
    option: str | None
    prerequisites: list
    competences: list[tuple[int, str, str]]  # (id, code, label)


def _referential(certification_ids: set[int]) -> dict[int, list[_BlocDef]]:
    rows = db.session.execute(
        select(Bloc.certification_id, Bloc.id, Bloc.code, Bloc.title, Bloc.kind, Bloc.option, Bloc.prerequisites,
               Competence.id, Competence.code, Competence.label)
        .outerjoin(Competence, Competence.bloc_id == Bloc.id)
        .where(Bloc.certification_id.in_(certification_ids))
        .order_by(Bloc.certification_id, Bloc.rank, Competence.rank)
    ).all() if certification_ids else []
    result: dict[int, list[_BlocDef]] = defaultdict(list)
    blocs: dict[int, _BlocDef] = {}
    for cert_id, bloc_id, code, title, kind, option, prerequisites, comp_id, comp_code, comp_label in rows:
        bloc = blocs.get(bloc_id)
        if bloc is None:
            bloc = blocs[bloc_id] = _BlocDef(bloc_id, code, title, kind, option, prerequisites or [], [])
            result[cert_id].append(bloc)
        if comp_id is not None:
            bloc.competences.append((comp_id, comp_code, comp_label))
    return result


def _cefr_rank(level: str | None) -> int:
    return CEFR_LEVELS.index(level) if level in CEFR_LEVELS else -1


class _Texts:
    """The reasons' messages, translated once per computation (thousands of reasons, one lookup each)."""

    def __init__(self):
        from .labels import LEVEL_LABELS

        # gettext without variables gives the translated template; it is filled in with ``%`` below.
        self.language = _("A %(framework)s language certificate at level %(level)s or above is required.")
        self.prerequisite = _("A prerequisite of this bloc is not met.")
        self.unsettled = _("The two assessors gave %(code)s different levels; a third assessor or an agreed "
                           "grade must settle it.")
        self.not_graded = _("%(code)s has no released grade yet.")
        self.not_acquired = _("%(code)s is not acquired yet (latest level: %(level)s).")
        self.option = _("This bloc belongs to the option %(option)s, which has not been chosen yet.")
        self.jury = _("The jury did not validate this bloc.")
        self.levels = {code: str(label) for code, label in LEVEL_LABELS.items()}


def _prerequisite_reason(prerequisite: dict, certificates: list[tuple[str, str, str]], texts: _Texts) -> dict | None:
    """None when met; otherwise the reason it is not. ``certificates``: (framework, language, best level)."""
    if prerequisite.get("type") == "language":
        framework = prerequisite.get("framework", "CEFR")
        needed = prerequisite.get("level", "B2")
        language = prerequisite.get("language")
        best = max((_cefr_rank(level) for fw, lang, level in certificates
                    if fw == framework and (language is None or lang == language)), default=-1)
        if best >= _cefr_rank(needed):
            return None
        return {"code": "prerequisite_missing", "prerequisite": "language",
                "message": texts.language % {"framework": framework, "level": needed}}
    return {"code": "prerequisite_missing", "prerequisite": prerequisite.get("type") or "other",
            "message": prerequisite.get("text") or texts.prerequisite}


def _competence_reason(state: CompetenceState, texts: _Texts) -> dict:
    if state.is_unsettled:
        return {"code": "double_marking_unsettled", "competence": state.code,
                "message": texts.unsettled % {"code": state.code}}
    if not state.has_grade:
        return {"code": "competence_not_graded", "competence": state.code,
                "message": texts.not_graded % {"code": state.code}}
    return {"code": "competence_not_acquired", "competence": state.code,
            "message": texts.not_acquired % {"code": state.code,
                                             "level": texts.levels.get(state.level, state.level)}}


def bloc_statuses(enrolment_ids: Iterable[int] | Select) -> dict[int, list[BlocStatus]]:
    """``{enrolment_id: [BlocStatus, ...]}`` for the blocs each enrolment needs (every common bloc and
    the option's; both option blocs while no option is chosen), in the referential's order.

    ``enrolment_ids``: ids, or a SELECT of ids. Five statements whatever their number.
    """
    if not isinstance(enrolment_ids, Select):
        enrolment_ids = sorted(set(enrolment_ids))
        if not enrolment_ids:
            return {}
    enrolments = db.session.execute(
        select(Enrolment.id, Enrolment.certification_id, Enrolment.option)
        .where(_id_filter(Enrolment.id, enrolment_ids)).order_by(Enrolment.id)
    ).all()
    referential = _referential({cert_id for _e, cert_id, _o in enrolments})
    levels: dict[int, dict[int, str | None]] = defaultdict(dict)
    for enrolment_id, competence_id, level in db.session.execute(latest_levels_query(enrolment_ids)):
        levels[enrolment_id][competence_id] = level
    certificates: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for enrolment_id, framework, language, best in db.session.execute(
        select(LanguageCertificate.enrolment_id, LanguageCertificate.framework, LanguageCertificate.language,
               func.max(LanguageCertificate.level))
        .where(_id_filter(LanguageCertificate.enrolment_id, enrolment_ids))
        .group_by(LanguageCertificate.enrolment_id, LanguageCertificate.framework, LanguageCertificate.language)
    ):
        certificates[enrolment_id].append((framework, language, best))  # CEFR codes sort as they rank
    decisions = jury_bloc_decisions([e for e, _c, _o in enrolments])
    texts = _Texts()

    result: dict[int, list[BlocStatus]] = {}
    for enrolment_id, cert_id, option in enrolments:
        statuses = []
        for bloc in referential.get(cert_id, []):
            if bloc.kind != "common" and option not in (None, bloc.option):
                continue
            statuses.append(_bloc_status(bloc, option, levels.get(enrolment_id, {}),
                                         certificates.get(enrolment_id, []),
                                         decisions.get(enrolment_id, {}).get(bloc.code), texts))
        result[enrolment_id] = statuses
    return result


def _bloc_status(bloc: _BlocDef, option: str | None, levels: dict[int, str | None],
                 certificates: list[tuple[str, str, str]], decision: str | None, texts: _Texts) -> BlocStatus:
    acquired = graded = 0
    for comp_id, _code, _label in bloc.competences:
        if comp_id in levels:
            graded += 1
            if levels[comp_id] in ACQUIRED_LEVELS:
                acquired += 1
    extra = []  # the reasons that are not about a competence
    for prerequisite in bloc.prerequisites:
        reason = _prerequisite_reason(prerequisite, certificates, texts)
        if reason is not None:
            extra.append(reason)
    if bloc.kind == "option" and option is None:
        extra.append({"code": "option_not_chosen", "option": bloc.option,
                      "message": texts.option % {"option": option_label(bloc.option)}})
    if decision in ("validated", "not_validated"):
        status = decision
    elif bloc.competences and acquired == len(bloc.competences) and not extra:
        status = "proposed"
    elif graded:
        status = "in_progress"
    else:
        status = "not_started"
    return BlocStatus(bloc, status, acquired, levels, extra, decision, texts)


def bloc_status_map(enrolment_ids) -> dict[int, dict[str, BlocStatus]]:
    """``{enrolment_id: {bloc_code: BlocStatus}}``, for templates."""
    return {eid: {s.bloc: s for s in statuses} for eid, statuses in bloc_statuses(enrolment_ids).items()}
