"""The jury's Word documents (python-docx): the minutes (procès-verbal) of a session, a candidate's
attestation of validated blocs, the certification decision, and the index of an evidence bundle.

These are official documents of a French certification: they are written in French whatever the
reader's language (their wording is the document, so it does not go through the translation catalog),
and carry the certification's identity (RNCP code, title, level, certifiers).

Numbering: ``PV-2026-0001``, ``ATT-2026-0001``, ``DEC-2026-0001``, one sequence per kind and year. A
document is stored once with its ``IssuedDocument`` row and downloaded again as it is, until what it
records changes (a later decision): then a new one is issued with a new number. The minutes of a session
that is not closed yet are a draft, generated on demand, neither numbered nor stored.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import audit
from ..db import utcnow
from ..enrolments.models import Enrolment
from ..enrolments.services import certification_status, required_bloc_codes
from ..extensions import db
from ..files.models import StoredFile
from ..files.services import store_derived
from ..records.services import longest_internship
from ..referential.models import Certification
from ..storage import get_storage
from .models import BlocDecision, IssuedDocument, JuryCandidate, JuryMember, JurySession

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PREFIXES = {"minutes": "PV", "attestation": "ATT", "certification_decision": "DEC"}
PARIS = ZoneInfo("Europe/Paris")

ROLES = {"president": "Président(e) du jury", "secretary": "Secrétaire du jury", "member": "Membre du jury"}
ATTENDANCE = {"expected": "attendu(e)", "present": "présent(e)", "absent": "absent(e)", "excused": "excusé(e)"}
DECISIONS = {"validated": "Validé", "not_validated": "Non validé"}
SESSION_ROUTES = {"training": "Formation (statut d'élève ou d'étudiant, apprentissage, formation continue, "
                              "contrat de professionnalisation)",
                  "vae": "Validation des acquis de l'expérience (VAE)"}
ROUTES = {"training": "formation (statut d'élève ou d'étudiant)", "apprenticeship": "contrat d'apprentissage",
          "continuing": "formation continue", "professionalisation": "contrat de professionnalisation",
          "vae": "validation des acquis de l'expérience (VAE)", "individual": "candidature individuelle"}
OPTIONS = {"scenario-realisation": "Scénario / Réalisation", "production-distribution": "Production / Distribution"}


class DocumentUnavailable(Exception):
    """The document cannot be issued in the present state (answered 409); the message says why."""


# --- French formatting --------------------------------------------------------------------------------

def long_date(day: date | datetime | None) -> str:
    if day is None:
        return "—"
    if isinstance(day, datetime):
        day = day.astimezone(PARIS).date() if day.tzinfo else day.date()
    return format_date(day, "d MMMM y", locale="fr")


def moment(value: datetime | None) -> str:
    return format_datetime(value, "dd/MM/y HH:mm", tzinfo=PARIS, locale="fr") if value else "—"


def size_fr(size: int) -> str:
    units = [(1024 ** 3, "Go"), (1024 ** 2, "Mo"), (1024, "Ko")]
    exact = f"{size:,}".replace(",", "\u202f") + " octets"
    for factor, unit in units:
        if size >= factor:
            return f"{size / factor:.1f}".replace(".", ",") + f" {unit} ({exact})"
    return exact


def _weeks(weeks: float) -> str:
    return f"{weeks:.1f}".replace(".", ",")


def today_in_paris() -> date:
    return utcnow().astimezone(PARIS).date()


# --- Word building blocks -----------------------------------------------------------------------------

def _new_document(title: str) -> Document:
    document = Document()
    document.core_properties.title = title
    document.core_properties.language = "fr-FR"
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    if run_defaults is not None and run_defaults.find(qn("w:rPr")) is not None:
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "fr-FR")
        run_defaults.find(qn("w:rPr")).append(lang)
    for section in document.sections:
        section.left_margin = section.right_margin = Cm(2)
        section.top_margin = section.bottom_margin = Cm(1.8)
    return document


def _field(run, instruction: str, placeholder: str = "") -> None:
    """A Word field (PAGE, TOC...) in ``run``; ``placeholder`` is shown until Word updates it."""
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = placeholder
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, text, separate, shown, end):
        run._r.append(element)


def _footer(document, reference: str) -> None:
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(f"{reference} · page ")
    _field(paragraph.add_run(), "PAGE", "1")
    paragraph.add_run(" / ")
    _field(paragraph.add_run(), "NUMPAGES", "1")


# Paragraphs and tables are appended as ready-made XML: python-docx's object API costs milliseconds per
# table cell, too slow for the minutes of a large session (60 candidates, hundreds of decisions).
_W = nsdecls("w")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _runs(parts: list[tuple[str, bool]]) -> str:
    xml = []
    for text, bold in parts:
        lines = _NOT_XML.sub("", str(text)).split("\n")
        body = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in lines)
        xml.append(f"<w:r>{'<w:rPr><w:b/></w:rPr>' if bold else ''}{body}</w:r>")
    return "".join(xml)


def _paragraph_xml(parts: list[tuple[str, bool]], style: str | None = None, space_before: int | None = None) -> str:
    properties = (f'<w:pStyle w:val="{style}"/>' if style else "") + \
        (f'<w:spacing w:before="{space_before}"/>' if space_before else "")
    return f"<w:p>{f'<w:pPr>{properties}</w:pPr>' if properties else ''}{_runs(parts)}</w:p>"


def _append(document, xml: str) -> None:
    element = parse_xml(xml)
    body = document.element.body
    if body.sectPr is not None:
        body.sectPr.addprevious(element)
    else:
        body.append(element)


def _p(document, text: str = "", *, style: str | None = None, bold: bool = False,
       space_before: int | None = None) -> None:
    """A paragraph (``style`` a style id: Heading1, ListBullet...); ``space_before`` in twentieths of a point."""
    _append(document, f"<w:p {_W}>" + _paragraph_xml([(text, bold)], style, space_before)[5:])


def _p_runs(document, parts: list[tuple[str, bool]]) -> None:
    _append(document, f"<w:p {_W}>" + _paragraph_xml(parts)[5:])


def _h(document, text: str, level: int) -> None:
    _p(document, text, style=f"Heading{level}")


def _cell(text: str, width: int | None, bold: bool = False) -> str:
    properties = f'<w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>' if width else ""
    return f"<w:tc>{properties}{_paragraph_xml([(text, bold)])}</w:tc>"


def _table(document, headers: list[str] | None, rows: list[list[str]], widths: list[float] | None = None,
           bold_first_column: bool = False) -> None:
    """A grid table; its header row (bold) is repeated on each page. ``widths`` in centimetres."""
    columns = len(headers) if headers else len(rows[0]) if rows else 1
    twips = [int(w * 567) for w in widths] if widths else [None] * columns
    xml = [f'<w:tbl {_W}><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
           '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
           'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>']
    xml += [f'<w:gridCol w:w="{w}"/>' if w else "<w:gridCol/>" for w in twips]
    xml.append("</w:tblGrid>")
    if headers:
        xml.append("<w:tr><w:trPr><w:tblHeader/></w:trPr>")
        xml += [_cell(text, w, bold=True) for text, w in zip(headers, twips, strict=True)]
        xml.append("</w:tr>")
    for values in rows:
        xml.append("<w:tr>")
        xml += [_cell(text, w, bold=bold_first_column and i == 0)
                for i, (text, w) in enumerate(zip(values, twips, strict=True))]
        xml.append("</w:tr>")
    xml.append("</w:tbl>")
    _append(document, "".join(xml))


def _pairs(document, pairs: list[tuple[str, str]]) -> None:
    _table(document, None, [[label, value] for label, value in pairs], widths=[5, 12], bold_first_column=True)


def certification_identity(certification: Certification) -> list[tuple[str, str]]:
    level = f"Niveau {certification.level} du cadre national des certifications professionnelles" \
        if certification.level else "—"
    return [("Certification", certification.title), ("Code RNCP", certification.code), ("Niveau", level),
            ("Certificateur(s)", " ; ".join(certification.certifiers or []) or "—")]


def _heading_block(document, title: str, reference: str) -> None:
    _p(document, title, style="Title")
    _p(document, reference, bold=True)


def _signature(document, lines: list[str]) -> None:
    for line in lines:
        _p(document, line, space_before=360)
        _p(document, "Signature : ____________________________")


def to_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- what the documents record ------------------------------------------------------------------------

def session_decisions(session: JurySession) -> list[BlocDecision]:
    """Every decision recorded in the session, in the order they were taken."""
    return list(db.session.scalars(
        select(BlocDecision).where(BlocDecision.session_id == session.id)
        .order_by(BlocDecision.decided_at, BlocDecision.id)))


def ledger(enrolment: Enrolment) -> list[BlocDecision]:
    """The blocs the candidate holds (validated by a closed session, for life), in bloc order."""
    from .ledger import acquired_blocs

    return sorted(acquired_blocs(enrolment).values(), key=lambda d: d.bloc.rank)


def _last_change(enrolment: Enrolment) -> datetime | None:
    """When the candidate's final decisions last changed: a decision taken, or a session closed."""
    decided, closed = db.session.execute(
        select(func.max(BlocDecision.decided_at), func.max(JurySession.closed_at))
        .join(JurySession, BlocDecision.session_id == JurySession.id)
        .where(BlocDecision.enrolment_id == enrolment.id, JurySession.status == "closed")).one()
    moments = [m for m in (decided, closed) if m is not None]
    return max(moments) if moments else None


# --- the minutes --------------------------------------------------------------------------------------

def render_minutes(session: JurySession, number: str | None, issued_on: date) -> bytes:
    """The procès-verbal of a session; ``number`` None for a draft (session not closed)."""
    certification = session.certification
    members = list(db.session.scalars(
        select(JuryMember).where(JuryMember.session_id == session.id).order_by(JuryMember.id)))
    order = {"president": 0, "secretary": 1, "member": 2}
    members.sort(key=lambda m: (order.get(m.role, 3), m.user.name))
    candidates = list(db.session.scalars(
        select(JuryCandidate).where(JuryCandidate.session_id == session.id)
        .options(selectinload(JuryCandidate.enrolment).selectinload(Enrolment.candidate))
        .order_by(JuryCandidate.id)))
    candidates.sort(key=lambda c: c.enrolment.candidate.name.casefold())
    decisions = session_decisions(session)
    by_candidate: dict[int, list[BlocDecision]] = {}
    for decision in decisions:
        by_candidate.setdefault(decision.enrolment_id, []).append(decision)
    ids = {d.id for d in decisions}

    reference = number or "PROJET — session non close, document non numéroté"
    document = _new_document(f"Procès-verbal du jury de certification {certification.code}")
    _footer(document, number or "Projet de procès-verbal")
    _heading_block(document, "Procès-verbal du jury de certification",
                   f"N° {reference} — établi le {long_date(issued_on)}" if number else reference)
    _pairs(document, certification_identity(certification) + [
        ("Date de la session", long_date(session.date)),
        ("Lieu", session.place or "—"),
        ("Voie d'accès", SESSION_ROUTES.get(session.route, session.route)),
        ("État de la session", f"close le {long_date(session.closed_at)}" if session.is_closed
         else "ouverte" if session.status == "open" else "en préparation"),
    ])

    _h(document, "Composition du jury", 1)
    _table(document, ["Nom", "Fonction", "Qualité"], [
        [m.user.name, ROLES.get(m.role, m.role), _quality(m)] for m in members], widths=[6, 5, 6])

    _h(document, "Décisions du jury", 1)
    if not candidates:
        _p(document, "Aucun candidat n'a été examiné au cours de cette session.")
    validated_total = 0
    for candidate in candidates:
        enrolment = candidate.enrolment
        _h(document, enrolment.candidate.name, 2)
        details = [f"Présence : {ATTENDANCE.get(candidate.attendance, candidate.attendance)}",
                   f"voie : {ROUTES.get(enrolment.route, enrolment.route)}"]
        if enrolment.option:
            details.append(f"option : {OPTIONS.get(enrolment.option, enrolment.option)}")
        if candidate.slot_at:
            details.append(f"soutenance : {moment(candidate.slot_at)}")
        _p(document, " · ".join(details))
        rows = by_candidate.get(enrolment.id, [])
        # Within this session a revised decision gives way to the one that replaced it.
        current = [d for d in rows if d.superseded_by_id not in ids]
        revised = [d for d in rows if d.superseded_by_id in ids]
        current.sort(key=lambda d: d.bloc.rank)
        validated_total += sum(d.decision == "validated" for d in current)
        if current:
            _table(document, ["Bloc", "Intitulé", "Décision", "Commentaire", "Préconisations", "Voix prép."], [
                [d.bloc.code, d.bloc.title, DECISIONS.get(d.decision, d.decision), d.comment or "—",
                 d.recommendations or "—", "Oui" if d.is_casting_vote else "Non"] for d in current],
                widths=[1.5, 4.5, 2, 4, 3.5, 1.5])
        else:
            _p(document, "Aucune décision enregistrée pour ce candidat.")
        for old in revised:
            new = next((d for d in rows if d.id == old.superseded_by_id), None)
            _p(document, f"Décision révisée — {old.bloc.code} : {DECISIONS.get(old.decision, old.decision)} remplacée "
                         f"par {DECISIONS.get(new.decision, new.decision) if new else '—'}"
                         f" ; motif : {old.revocation_reason or '—'}", style="ListBullet")

    _h(document, "Récapitulatif", 1)
    _p(document, f"{len(candidates)} candidat(s) examiné(s) ; {validated_total} bloc(s) validé(s) ; "
                 f"{len(members)} membre(s) du jury.")

    _h(document, "Signatures", 1)
    _p(document, f"Fait à {session.place or '__________'}, le {long_date(session.date)}.")
    _table(document, ["Nom", "Fonction", "Signature"],
           [[m.user.name, ROLES.get(m.role, m.role), ""] for m in members], widths=[6, 5, 6])
    president = next((m for m in members if m.role == "president"), None)
    secretary = next((m for m in members if m.role == "secretary"), None)
    _signature(document, [f"Le président ou la présidente du jury : {president.user.name if president else '—'}"]
               + ([f"Le ou la secrétaire du jury : {secretary.user.name}"] if secretary else []))
    return to_bytes(document)


def _quality(member: JuryMember) -> str:
    qualities = []
    if member.is_academic:
        qualities.append("enseignant-chercheur")
    if member.is_professional:
        qualities.append("professionnel du secteur")
    return ", ".join(qualities) or "—"


# --- the attestation and the certification decision -------------------------------------------------

def _candidate_pairs(enrolment: Enrolment) -> list[tuple[str, str]]:
    pairs = [("Candidat(e)", enrolment.candidate.name), ("Voie d'accès", ROUTES.get(enrolment.route, enrolment.route))]
    if enrolment.option:
        pairs.append(("Option", OPTIONS.get(enrolment.option, enrolment.option)))
    pairs.append(("Dossier n°", str(enrolment.id)))
    return pairs


def _bloc_rows(decisions: list[BlocDecision], certification: Certification) -> list[list[str]]:
    return [[f"{certification.code}{d.bloc.code}", d.bloc.title, long_date(d.session.date)] for d in decisions]


def render_attestation(enrolment: Enrolment, decisions: list[BlocDecision], number: str, issued_on: date) -> bytes:
    certification = enrolment.certification
    document = _new_document(f"Attestation de validation de blocs de compétences {certification.code}")
    _footer(document, number)
    _heading_block(document, "Attestation de validation de blocs de compétences",
                   f"N° {number} — délivrée le {long_date(issued_on)}")
    _pairs(document, certification_identity(certification) + _candidate_pairs(enrolment))
    _p(document)
    _p(document, f"Le certificateur atteste que {enrolment.candidate.name} a validé, devant le jury de certification, "
                 f"les blocs de compétences suivants de la certification « {certification.title} » "
                 f"({certification.code}) :")
    _table(document, ["Code du bloc", "Intitulé", "Date du jury"], _bloc_rows(decisions, certification),
           widths=[4, 9.5, 3.5])
    held = {d.bloc.code for d in decisions}
    missing = [code for code in required_bloc_codes(enrolment) if code not in held]
    _p(document)
    _p(document, "Les blocs de compétences validés sont acquis définitivement.")
    if missing:
        _p(document, "Blocs restant à valider pour obtenir la certification : " + ", ".join(missing) + ".")
    _p(document, f"Fait le {long_date(issued_on)}.")
    _signature(document, ["Pour le certificateur :"])
    return to_bytes(document)


def render_certification_decision(enrolment: Enrolment, decisions: list[BlocDecision], number: str,
                                  issued_on: date) -> bytes:
    certification = enrolment.certification
    internship = longest_internship(enrolment)
    document = _new_document(f"Décision de certification {certification.code}")
    _footer(document, number)
    _heading_block(document, "Décision de certification", f"N° {number} — du {long_date(issued_on)}")
    _pairs(document, certification_identity(certification) + _candidate_pairs(enrolment))
    _p(document)
    sessions = sorted({d.session.date for d in decisions})
    for line in (
        f"Vu le référentiel de la certification professionnelle « {certification.title} », enregistrée au "
        f"répertoire national des certifications professionnelles sous le code {certification.code} ;",
        "Vu les procès-verbaux des jurys de certification réunis le "
        + ", le ".join(long_date(d) for d in sessions) + " ;",
        (f"Vu le stage effectué auprès de {internship.organisation} du {long_date(internship.start_date)} au "
         f"{long_date(internship.end_date)} ({_weeks(internship.weeks)} semaines) ;")
        if internship else "Vu les conditions de stage de la certification ;",
    ):
        _p(document, line)
    level = f", niveau {certification.level}" if certification.level else ""
    _p_runs(document, [("Décide : ", True), (
        f"{enrolment.candidate.name} est déclaré(e) titulaire de la certification professionnelle "
        f"« {certification.title} » ({certification.code}{level}), ayant validé l'ensemble des blocs de "
        f"compétences requis et satisfait aux conditions de stage.", False)])
    _table(document, ["Code du bloc", "Intitulé", "Date du jury"], _bloc_rows(decisions, certification),
           widths=[4, 9.5, 3.5])
    _p(document)
    _p(document, f"Fait le {long_date(issued_on)}.")
    _signature(document, ["Pour le certificateur :"])
    return to_bytes(document)


# --- issuing: numbered, stored once ------------------------------------------------------------------

@dataclass
class IssuedFile:
    """A document to send: stored (``stored``) or generated for this request only (``data``, a draft)."""

    filename: str
    number: str | None
    data: bytes | None = None
    stored: StoredFile | None = None

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        with get_storage().open(self.stored.key) as stream:
            return stream.read()


def next_number(kind: str, year: int) -> str:
    """The next number of the year for a kind of document (``PV-2026-0007``)."""
    prefix = f"{PREFIXES[kind]}-{year}-"
    taken = db.session.scalars(select(IssuedDocument.number).where(IssuedDocument.number.like(prefix + "%")))
    last = max((int(n[len(prefix):]) for n in taken if n[len(prefix):].isdigit()), default=0)
    return f"{prefix}{last + 1:04d}"


def _reusable(kind: str, changed_at: datetime | None, **owner) -> IssuedDocument | None:
    query = select(IssuedDocument).where(IssuedDocument.kind == kind)
    for column, value in owner.items():
        query = query.where(getattr(IssuedDocument, column) == value)
    latest = db.session.scalar(query.order_by(IssuedDocument.created_at.desc(), IssuedDocument.id.desc()).limit(1))
    if latest is None or (changed_at is not None and latest.created_at < changed_at):
        return None
    return latest


def _issue(kind: str, render, actor, *, session_id: int | None = None, enrolment_id: int | None = None) -> IssuedFile:
    """Number, render, store and record a document; a number taken meanwhile by another request is retried."""
    issued_on = today_in_paris()
    for _attempt in range(5):
        number = next_number(kind, issued_on.year)
        data = render(number, issued_on)
        stored = store_derived(data, DOCX_MEDIA_TYPE)
        row = IssuedDocument(kind=kind, number=number, session_id=session_id, enrolment_id=enrolment_id,
                             stored_file_id=stored.id, issued_on=issued_on, created_by_id=getattr(actor, "id", None))
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            continue
        audit.record(actor, "document.issue", "issued_document", row.id, after={
            "kind": kind, "number": number, "session": session_id, "enrolment": enrolment_id,
            "sha256": stored.sha256})
        return IssuedFile(f"{number}.docx", number, stored=stored)
    raise DocumentUnavailable(_("Another document was numbered at the same time; try again."))


def _from_row(row: IssuedDocument) -> IssuedFile:
    return IssuedFile(f"{row.number}.docx", row.number, stored=row.stored_file)


def _lock(model, object_id: int) -> None:
    """Serialise issuing for one session or enrolment (PostgreSQL row lock; SQLite serialises writers)."""
    db.session.execute(select(model.id).where(model.id == object_id).with_for_update())


def minutes_for(session: JurySession, actor=None) -> IssuedFile:
    """The minutes: a draft while the session is open, numbered and stored once it is closed."""
    if not session.is_closed:
        data = render_minutes(session, None, today_in_paris())
        return IssuedFile(f"PV-projet-session-{session.id}.docx", None, data=data)
    _lock(JurySession, session.id)
    decided = db.session.scalar(select(func.max(BlocDecision.decided_at)).where(BlocDecision.session_id == session.id))
    changed_at = max((m for m in (decided, session.closed_at) if m is not None), default=None)
    existing = _reusable("minutes", changed_at, session_id=session.id)
    if existing is not None:
        return _from_row(existing)
    return _issue("minutes", lambda number, on: render_minutes(session, number, on), actor, session_id=session.id)


def attestation_for(enrolment: Enrolment, actor=None) -> IssuedFile:
    """The attestation of the blocs the candidate holds. Raises DocumentUnavailable when there is none."""
    _lock(Enrolment, enrolment.id)
    decisions = ledger(enrolment)
    if not decisions:
        raise DocumentUnavailable(_("No bloc has been validated yet by a jury whose session is closed: there is "
                                    "nothing to attest."))
    existing = _reusable("attestation", _last_change(enrolment), enrolment_id=enrolment.id)
    if existing is not None:
        return _from_row(existing)
    return _issue("attestation", lambda number, on: render_attestation(enrolment, decisions, number, on), actor,
                  enrolment_id=enrolment.id)


def certification_decision_for(enrolment: Enrolment, actor=None) -> IssuedFile:
    """The certification decision, once every required bloc and the internship are met. Raises
    DocumentUnavailable otherwise (what is missing is named)."""
    status = certification_status(enrolment)
    if status["status"] != "certified":
        raise DocumentUnavailable(_("The certification is not obtained yet; still missing: %(missing)s.",
                                    missing=", ".join(status["missing"])))
    _lock(Enrolment, enrolment.id)
    decisions = ledger(enrolment)
    final = {d.bloc.code for d in decisions}
    pending = [code for code in required_bloc_codes(enrolment) if code not in final]
    if pending:
        raise DocumentUnavailable(_("The decisions on these blocs are not final yet (their session is not "
                                    "closed): %(blocs)s.", blocs=", ".join(pending)))
    existing = _reusable("certification_decision", _last_change(enrolment), enrolment_id=enrolment.id)
    if existing is not None:
        return _from_row(existing)
    return _issue("certification_decision",
                  lambda number, on: render_certification_decision(enrolment, decisions, number, on), actor,
                  enrolment_id=enrolment.id)


def issued_documents(enrolment: Enrolment) -> list[IssuedDocument]:
    """The documents issued for a candidate, newest first."""
    return list(db.session.scalars(
        select(IssuedDocument).where(IssuedDocument.enrolment_id == enrolment.id)
        .order_by(IssuedDocument.created_at.desc(), IssuedDocument.id.desc())))


# --- the index of an evidence bundle -----------------------------------------------------------------

def _toc(document, entries: list[str]) -> None:
    """A table of contents field (headings 1–2), pre-filled with ``entries`` until Word updates it."""
    entries = entries or ["(table des matières)"]
    first = document.add_paragraph()
    run = first.add_run()
    for kind, text in (("begin", None), ("instr", 'TOC \\o "1-2" \\h \\z \\u'), ("separate", None)):
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            if kind == "begin":
                element.set(qn("w:dirty"), "true")
        run._r.append(element)
    first.add_run(entries[0])
    last = first
    for entry in entries[1:]:
        last = document.add_paragraph(entry)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    last.add_run()._r.append(end)
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def render_bundle_index(bundle, rows, held) -> bytes:
    """The Word index of a bundle: every file with its bloc, competences, version, date, size and SHA-256,
    under a heading per bloc, after a table of contents."""
    enrolment, session = bundle.enrolment, bundle.session
    certification = enrolment.certification
    titles = {b.code: b.title for b in certification.blocs}
    sections: dict[str, list] = {}
    for row in rows:
        for code in (row.blocs or [row.section]):
            sections.setdefault(code if row.section != "proofs" else "proofs", []).append(row)
    bloc_order = [b.code for b in sorted(certification.blocs, key=lambda b: b.rank)]
    ordered = [code for code in bloc_order if code in sections]
    ordered += [code for code in ("other", "proofs") if code in sections]

    def heading(code: str) -> str:
        if code == "other":
            return "Autres livrables"
        if code == "proofs":
            return "Justificatifs : stage, langues, expérience"
        return f"{code} — {titles.get(code, '')}"

    document = _new_document(f"Dossier de preuves — {enrolment.candidate.name}")
    _footer(document, f"Dossier de preuves · {enrolment.candidate.name}")
    _heading_block(document, "Dossier de preuves : index des fichiers",
                   f"Jury du {long_date(session.date)} — {SESSION_ROUTES.get(session.route, session.route)}")
    _pairs(document, certification_identity(certification) + _candidate_pairs(enrolment) + [
        ("Fichiers", f"{len(rows)} fichier(s), {size_fr(sum(r.size for r in rows))}"),
        ("Établi le", moment(utcnow())),
    ])
    _p(document)
    _p(document, "Table des matières", bold=True)
    _toc(document, [heading(code) for code in ordered] + (["Fichiers non joints"] if held else []))
    for code in ordered:
        _h(document, heading(code), 1)
        _table(document, ["Fichier", "Compétences", "Version", "Déposé le", "Taille", "SHA-256"], [
            [row.path, ", ".join(row.competences) or "—", f"v{row.version}" if row.version else "—",
             moment(row.submitted_at), size_fr(row.size), row.sha256] for row in sections[code]],
            widths=[4.5, 2.5, 1.3, 2.4, 2.6, 3.7])
    if held:
        _h(document, "Fichiers non joints", 1)
        _p(document, "Ces fichiers sont retenus par l'analyse antivirus et ne figurent pas dans l'archive.")
        _table(document, ["Élément", "Version", "Taille", "SHA-256"], [
            [row.title, f"v{row.version}" if row.version else "—", size_fr(row.size), row.sha256] for row in held])
    return to_bytes(document)
