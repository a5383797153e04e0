"""The composition of a jury session checked against the fiche's rules, and the members' conflicts.

The rules come from the referential: the ``jury_rules`` of the session's route (``president_academic``,
``secretary``, ``min_members``, ``min_professionals``, ``gender_balance_warning``). Two rules hold for
every session: exactly one president, and no member sits for a candidate they assessed (an assessor
assigned to them or who marked their work), accompanied, or declared a link with. An unbalanced jury
between women and men is a warning, never a refusal.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ..enrolments.models import Assignment, Enrolment
from ..evidence.models import Deliverable, DeliverableVersion
from ..extensions import db
from ..grading.models import Marking
from .models import JuryConflict, JuryMember, JurySession

CONFLICT_KINDS = ("assessed", "accompanied", "declared")


@dataclass(frozen=True)
class Conflict:
    """A member who may not sit for a candidate. ``row`` is the recorded JuryConflict, if any."""

    member: JuryMember
    enrolment: Enrolment
    kind: str  # assessed | accompanied | declared | candidate
    row: JuryConflict | None = None

    @property
    def message(self) -> str:
        names = {"member": self.member.user.name, "candidate": self.enrolment.candidate.name}
        if self.kind == "assessed":
            return _("%(member)s may not sit for %(candidate)s: they assessed this candidate.", **names)
        if self.kind == "accompanied":
            return _("%(member)s may not sit for %(candidate)s: they accompanied this candidate.", **names)
        if self.kind == "candidate":
            return _("%(member)s may not sit for %(candidate)s: they are this candidate.", **names)
        return _("%(member)s may not sit for %(candidate)s: they declared a link with this candidate.", **names)


@dataclass(frozen=True)
class RuleResult:
    code: str
    ok: bool
    rule: str  # the rule, in words
    detail: str = ""  # why it is broken


@dataclass(frozen=True)
class Warning:
    code: str
    message: str


@dataclass
class CompositionReport:
    rules: list[RuleResult] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rules)

    @property
    def failures(self) -> list[RuleResult]:
        return [r for r in self.rules if not r.ok]


def jury_rules(session: JurySession) -> dict:
    row = session.certification.route(session.route)
    return dict(row.jury_rules or {}) if row is not None else {}


# --- conflicts ------------------------------------------------------------------------------------

def conflicts_between(members: Iterable[JuryMember], enrolments: Iterable[Enrolment]) -> list[Conflict]:
    """Every conflict between these members and these enrolments, in three queries whatever the size:
    assignments, markings on the candidate's deliverables, and recorded rows."""
    members = list(members)
    enrolments = {e.id: e for e in enrolments}
    if not members or not enrolments:
        return []
    by_user = {m.user_id: m for m in members}
    by_id = {m.id: m for m in members}
    found: dict[tuple[int, int, str], Conflict] = {}

    def add(member: JuryMember, enrolment_id: int, kind: str, row: JuryConflict | None = None) -> None:
        key = (member.id, enrolment_id, kind)
        if key not in found or (row is not None and found[key].row is None):
            found[key] = Conflict(member, enrolments[enrolment_id], kind, row)

    for enrolment in enrolments.values():
        if enrolment.user_id in by_user:
            add(by_user[enrolment.user_id], enrolment.id, "candidate")
    assigned = db.session.execute(
        select(Assignment.assessor_id, Assignment.enrolment_id)
        .where(Assignment.assessor_id.in_(by_user), Assignment.enrolment_id.in_(enrolments))
    )
    for user_id, enrolment_id in assigned:
        add(by_user[user_id], enrolment_id, "assessed")
    marked = db.session.execute(
        select(Marking.assessor_id, Deliverable.enrolment_id).distinct()
        .join(DeliverableVersion, Marking.version_id == DeliverableVersion.id)
        .join(Deliverable, DeliverableVersion.deliverable_id == Deliverable.id)
        .where(Marking.assessor_id.in_(by_user), Deliverable.enrolment_id.in_(enrolments))
    )
    for user_id, enrolment_id in marked:
        add(by_user[user_id], enrolment_id, "assessed")
    rows = db.session.scalars(
        select(JuryConflict).where(JuryConflict.member_id.in_(by_id), JuryConflict.enrolment_id.in_(enrolments))
        .order_by(JuryConflict.id)
    )
    for row in rows:
        add(by_id[row.member_id], row.enrolment_id, row.kind, row)
    order = {"candidate": 0, "assessed": 1, "accompanied": 2, "declared": 3}
    return sorted(found.values(), key=lambda c: (c.member.id, c.enrolment.id, order[c.kind]))


def session_conflicts(session: JurySession) -> list[Conflict]:
    return conflicts_between(session.members, [c.enrolment for c in session.candidates])


def member_conflicts(member: JuryMember, enrolment: Enrolment) -> list[Conflict]:
    return conflicts_between([member], [enrolment])


# --- the rules ------------------------------------------------------------------------------------

def check_composition(session: JurySession) -> CompositionReport:
    """Check the session's composition: each rule ✓/✗ with why, warnings, and the conflicts."""
    rules = jury_rules(session)
    report = CompositionReport()
    members = list(session.members)
    add = report.rules.append

    count = len(session.candidates)
    add(RuleResult("candidates", count > 0, _("The session examines at least one candidate."),
                   "" if count else _("No candidate has been added.")))

    presidents = [m for m in members if m.role == "president"]
    if len(presidents) == 1:
        detail = ""
    elif not presidents:
        detail = _("No president is named.")
    else:
        detail = ngettext("%(num)d president is named.", "%(num)d presidents are named.", len(presidents))
    add(RuleResult("president", len(presidents) == 1, _("The jury has exactly one president."), detail))

    if rules.get("president_academic"):
        academic = len(presidents) == 1 and presidents[0].is_academic
        detail = ""
        if len(presidents) == 1 and not academic:
            detail = _("%(name)s, the president, is not recorded as an enseignant-chercheur.",
                       name=presidents[0].user.name)
        elif len(presidents) != 1:
            detail = _("The rule is checked once the jury has exactly one president.")
        add(RuleResult("president_academic", academic,
                       _("The president belongs to a body of enseignants-chercheurs."), detail))

    if rules.get("secretary"):
        secretaries = [m for m in members if m.role == "secretary"]
        add(RuleResult("secretary", bool(secretaries),
                       _("A jury secretary represents the recteur d'académie."),
                       "" if secretaries else _("No secretary is named.")))

    minimum = int(rules.get("min_members") or 0)
    if minimum:
        add(RuleResult("min_members", len(members) >= minimum,
                       ngettext("The jury has at least %(num)d member.", "The jury has at least %(num)d members.",
                                minimum),
                       "" if len(members) >= minimum else
                       ngettext("It has %(num)d member.", "It has %(num)d members.", len(members))))

    minimum = int(rules.get("min_professionals") or 0)
    if minimum:
        professionals = sum(1 for m in members if m.is_professional)
        add(RuleResult("min_professionals", professionals >= minimum,
                       ngettext("The jury has at least %(num)d professional of the field.",
                                "The jury has at least %(num)d professionals of the field.", minimum),
                       "" if professionals >= minimum else
                       ngettext("It has %(num)d professional of the field.",
                                "It has %(num)d professionals of the field.", professionals)))

    report.conflicts = session_conflicts(session)
    add(RuleResult("no_conflict", not report.conflicts,
                   _("No member sits for a candidate they assessed, accompanied or declared a link with."),
                   " ".join(c.message for c in report.conflicts)))

    if rules.get("gender_balance_warning") and members:
        women = sum(1 for m in members if m.gender == "f")
        men = sum(1 for m in members if m.gender == "m")
        unknown = sum(1 for m in members if m.gender is None)
        if unknown:
            report.warnings.append(Warning("gender_unknown", ngettext(
                "The gender of %(num)d member is not recorded: the balance between women and men cannot be "
                "fully checked.",
                "The gender of %(num)d members is not recorded: the balance between women and men cannot be "
                "fully checked.", unknown)))
        if abs(women - men) > 1:
            report.warnings.append(Warning("gender_balance", _(
                "The jury is not balanced between women and men (%(women)d women, %(men)d men).",
                women=women, men=men)))

    from .ledger import blocs_to_examine

    for candidate in session.candidates:
        enrolment = candidate.enrolment
        if enrolment.option is None:
            report.warnings.append(Warning("no_option", _(
                "%(name)s has not chosen an option yet: every option bloc is listed.", name=enrolment.candidate.name)))
        if not blocs_to_examine(session, enrolment):
            report.warnings.append(Warning("nothing_to_examine", _(
                "Every bloc of %(name)s is already validated: there is nothing to examine.",
                name=enrolment.candidate.name)))
    return report
