"""Roster import: a cohort's list of candidates as a school really keeps it, in CSV.

Schools export their lists from Excel or from their student information system, so the parser is
lenient about the form and strict about the content:

- encoding: UTF-8 with or without a byte order mark, else Windows-1252 (Excel's "CSV" on a French
  Windows); UTF-16 with a byte order mark (Excel's "Unicode text") is read too;
- delimiter: comma, semicolon or tab, chosen from the header line;
- headers in French or English, in any case, with or without accents, in any order; extra columns
  are ignored;
- routes and options as people write them ("formation initiale", "Scénario / Réalisation") or as the
  contract's codes.

Every row is checked before anything is written: ``parse_roster`` raises ``RosterError`` listing every
bad row by its line in the file (the header is line 1), and ``import_roster`` is only ever given a
clean file. Neither function touches the request.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from .. import audit
from ..accounts.models import User
from ..accounts.services import create_user, normalise_email
from ..enrolments.models import ENROLMENT_ROUTES, OPTIONS, Cohort, Enrolment
from ..enrolments.services import EnrolmentError, enrol
from ..extensions import db
from ..referential.models import Certification

MAX_ROSTER_BYTES = 5 * 1024 * 1024
MAX_ROSTER_ROWS = 5000

_EMAIL = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"'.]{2,}$")


def _words(text: str) -> list[str]:
    """Lower-case words without accents: "Prénom" and "PRENOM" alike, "E-mail" as "e mail"."""
    text = unicodedata.normalize("NFKD", text.replace("\ufeff", ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return [w for w in re.split(r"[^a-z0-9]+", text) if w]


def _key(text: str) -> str:
    """The words run together, so that "E-mail", "e mail" and "email", or "V.A.E." and "VAE", match."""
    return "".join(_words(text))


_HEADERS = {
    "last_name": ("nom", "nom de famille", "last name", "lastname", "surname", "family name", "nom usuel"),
    "first_name": ("prenom", "prenoms", "first name", "firstname", "given name", "given names"),
    "email": ("email", "e mail", "courriel", "mail", "adresse email", "adresse e mail", "adresse mail",
              "adresse electronique", "email address", "e mail address"),
    "route": ("voie", "voie d acces", "parcours", "route", "modalite", "modalite d acces", "access route"),
    "option": ("option", "option choisie", "specialisation", "specialite"),
}
HEADER_ALIASES = {_key(alias): column for column, aliases in _HEADERS.items() for alias in aliases}
REQUIRED_COLUMNS = ("last_name", "first_name", "email", "route")

_ROUTES = {
    "training": ("training", "formation initiale", "initiale", "fi", "etudiant", "etudiante", "eleve",
                 "statut etudiant", "statut d etudiant", "sous statut etudiant",
                 "formation sous statut d eleve ou d etudiant", "student", "student training"),
    "apprenticeship": ("apprenticeship", "apprentissage", "apprenti", "apprentie", "contrat d apprentissage",
                       "apprenticeship contract"),
    "continuing": ("continuing", "formation continue", "fc", "continuing education"),
    "professionalisation": ("professionalisation", "professionnalisation", "professionalization",
                            "contrat de professionnalisation", "contrat pro", "professionalisation contract"),
    "vae": ("vae", "validation des acquis de l experience", "validation of prior experience",
            "validation of prior experience vae"),
    "individual": ("individual", "individuel", "individuelle", "candidature individuelle", "candidat libre",
                   "individual application"),
}
ROUTE_ALIASES = {_key(alias): route for route, aliases in _ROUTES.items() for alias in aliases}

_OPTION_STOPWORDS = {"et", "and", "option"}
_OPTIONS = {
    "scenario-realisation": ({"scenario", "realisation"}, {"screenwriting", "directing"}),
    "production-distribution": ({"production", "distribution"},),
}
OPTION_ALIASES = {frozenset(words): option for option, sets in _OPTIONS.items() for words in sets}


@dataclass(frozen=True)
class RosterProblem:
    """What is wrong with one line of the file (``line`` is None for the file as a whole)."""

    line: int | None
    message: str


class RosterError(ValueError):
    """The file cannot be imported; ``problems`` names every bad line."""

    def __init__(self, problems: list[RosterProblem]):
        super().__init__("; ".join(f"line {p.line}: {p.message}" if p.line else p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class RosterRow:
    line: int
    email: str
    first_name: str
    last_name: str
    route: str
    option: str | None

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


@dataclass
class ImportSummary:
    users_created: int = 0
    enrolments_created: int = 0
    enrolments_updated: int = 0
    new_users: list[User] = field(default_factory=list)


def decode_roster(data: bytes) -> str:
    """The file's text: UTF-16 or UTF-8 when marked or valid, else Windows-1252. Raises RosterError."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterError([RosterProblem(None, _(
            "This file is a spreadsheet workbook, not CSV. Save it as CSV (comma or semicolon separated) first."
        ))])
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise RosterError([RosterProblem(None, _(
            "The file could not be read as text (UTF-8 or Windows-1252); byte %(position)d is not valid.",
            position=exc.start + 1,
        ))]) from exc


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def route_code(value: str) -> str | None:
    """The route code for what a school writes ("formation initiale", "VAE", "training"...), or None."""
    return ROUTE_ALIASES.get(_key(value))


def option_code(value: str) -> str | None:
    """The option code for "Scénario / Réalisation", "Production/Distribution" or a code, or None."""
    words = frozenset(_words(value)) - _OPTION_STOPWORDS
    return OPTION_ALIASES.get(words)


def _map_headers(header: list[str]) -> tuple[dict[str, int], list[RosterProblem]]:
    columns: dict[str, int] = {}
    problems = []
    for index, title in enumerate(header):
        column = HEADER_ALIASES.get(_key(title))
        if column is None:
            continue  # an extra column: ignored
        if column in columns:
            problems.append(RosterProblem(1, _("The column “%(title)s” appears twice.", title=title.strip())))
        columns[column] = index
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        expected = {"last_name": "nom", "first_name": "prénom", "email": "email", "route": "voie"}
        problems.append(RosterProblem(1, _(
            "Missing columns: %(columns)s. The header line needs nom, prénom, email and voie "
            "(or last name, first name, email and route).",
            columns=", ".join(expected[c] for c in missing),
        )))
    return columns, problems


def _check_route(route: str, certification: Certification | None) -> bool:
    if route not in ENROLMENT_ROUTES:
        return False
    if certification is None:
        return True
    row = certification.route(route)
    return row is not None and row.is_open


def parse_roster(data: bytes, certification: Certification | None = None) -> list[RosterRow]:
    """Read and check a roster file; return its rows, or raise RosterError naming every bad line.

    With ``certification``, routes and options are checked against that fiche (a route it closes is
    refused); without, against the contract's codes.
    """
    if len(data) > MAX_ROSTER_BYTES:
        raise RosterError([RosterProblem(None, _("The file is too large (at most %(mb)d MB).",
                                                 mb=MAX_ROSTER_BYTES // (1024 * 1024)))])
    text = decode_roster(data)
    lines = text.splitlines(keepends=True)
    if not lines or not lines[0].strip():
        raise RosterError([RosterProblem(1, _("The file is empty; the first line must name the columns."))])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(lines[0]))
    try:
        header = next(reader)
    except csv.Error as exc:
        raise RosterError([RosterProblem(1, _("The header line cannot be read: %(error)s", error=str(exc)))]) from exc
    columns, problems = _map_headers(header)
    if problems:
        raise RosterError(problems)
    options = set(certification.options) if certification is not None else set(OPTIONS)
    code = certification.code if certification is not None else ""

    rows: list[RosterRow] = []
    seen: dict[str, int] = {}
    line = reader.line_num
    while True:
        start = line + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(RosterProblem(start, _("This line cannot be read: %(error)s", error=str(exc))))
            break
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue  # blank lines and Excel's trailing ";;;;"
        if len(rows) + len(problems) >= MAX_ROSTER_ROWS:
            problems.append(RosterProblem(start, _("Too many rows: at most %(n)d per file.", n=MAX_ROSTER_ROWS)))
            break

        def cell(column: str, record=record) -> str:
            index = columns.get(column)
            return record[index].strip() if index is not None and index < len(record) else ""

        row_problems = []
        email = normalise_email(cell("email"))
        if not email:
            row_problems.append(_("the email is missing"))
        elif not _EMAIL.match(email):
            row_problems.append(_("“%(email)s” is not a valid email address", email=cell("email")))
        elif email in seen:
            row_problems.append(_("the email %(email)s is already on line %(line)d", email=email, line=seen[email]))
        else:
            seen[email] = start
        first_name, last_name = cell("first_name"), cell("last_name")
        if not first_name and not last_name:
            row_problems.append(_("the name is missing"))
        raw_route = cell("route")
        route = route_code(raw_route) if raw_route else None
        if not raw_route:
            row_problems.append(_("the route is missing"))
        elif route is None:
            row_problems.append(_("unknown route “%(route)s”", route=raw_route))
        elif not _check_route(route, certification):
            row_problems.append(_("the route “%(route)s” is not open for %(code)s", route=raw_route,
                                  code=code or _("this certification")))
        raw_option = cell("option")
        option = option_code(raw_option) if raw_option else None
        if raw_option and (option is None or option not in options):
            row_problems.append(_("unknown option “%(option)s”", option=raw_option))
        if row_problems:
            problems.append(RosterProblem(start, "; ".join(row_problems)))
            continue
        rows.append(RosterRow(start, email, first_name, last_name, route, option))

    if problems:
        raise RosterError(problems)
    if not rows:
        raise RosterError([RosterProblem(None, _("The file has a header line but no candidate."))])
    return rows


def import_roster(cohort: Cohort, rows: list[RosterRow], actor=None) -> ImportSummary:
    """Create the missing users and enrol every row in the cohort's certification, with route and option.

    Existing users (by email) are enrolled, never duplicated; an existing enrolment in the same
    certification is updated and moved to this cohort. New users get the candidate role and no
    password: the caller commits, then sends each of ``summary.new_users`` a password-setting link
    (so no link is mailed for an import that did not commit). Raises RosterError when a row breaks a
    rule the parser could not see; the caller then rolls back.
    """
    certification = cohort.certification
    emails = [row.email for row in rows]
    users: dict[str, User] = {}
    for start in range(0, len(emails), 500):
        chunk = emails[start:start + 500]
        users.update((u.email, u) for u in db.session.scalars(select(User).where(User.email.in_(chunk))))
    enrolled = set(db.session.scalars(
        select(Enrolment.user_id).where(Enrolment.certification_id == certification.id,
                                        Enrolment.user_id.in_([u.id for u in users.values()]))
    )) if users else set()

    summary = ImportSummary()
    for row in rows:
        user = users.get(row.email)
        try:
            if user is None:
                user = create_user(row.email, row.name, ["candidate"], actor=actor)
                summary.users_created += 1
                summary.new_users.append(user)
            elif user.id in enrolled:
                summary.enrolments_updated += 1
            if user.id not in enrolled:
                summary.enrolments_created += 1
            enrol(user, certification, row.route, option=row.option, cohort=cohort, actor=actor)
        except (EnrolmentError, ValueError) as exc:
            raise RosterError([RosterProblem(row.line, str(exc))]) from exc
        enrolled.add(user.id)
    audit.record(actor, "cohort.roster_import", "cohort", cohort.id, after={
        "rows": len(rows), "users_created": summary.users_created,
        "enrolments_created": summary.enrolments_created, "enrolments_updated": summary.enrolments_updated,
    })
    return summary
