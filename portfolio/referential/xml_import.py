"""Importing the France Compétences open-data export of RNCP fiches (XML, versions 3 and 4.x).

The export is large (about 470 MB), so it is streamed: each ``FICHE`` is converted to the plain
mapping that ``upsert_fiche`` takes as soon as its end tag is read, then dropped from the tree, so
memory stays flat whatever the size of the file. The whole import runs inside a savepoint of the
caller's transaction: a malformed file (or a fiche that cannot be loaded) leaves the database as it
was, and the caller commits once when everything went through.

The export may also be given as the ``.zip`` that data.gouv.fr publishes; its XML member is read
without being extracted.
"""
from __future__ import annotations

import html
import logging
import re
import threading
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from lxml import etree

from ..extensions import db
from .services import ReferentialError, current_certification, upsert_fiche

log = logging.getLogger(__name__)

ROOT_TAG = "FICHES"
FICHE_TAG = "FICHE"
VERSION_TAG = "VERSION_FLUX"

# Element of the export → route of the platform, in a fixed order so that the content hash is stable.
ROUTE_ELEMENTS = (
    ("SI_JURY_FI", "training"),
    ("SI_JURY_CA", "apprenticeship"),
    ("SI_JURY_FC", "continuing"),
    ("SI_JURY_CQ", "professionalisation"),
    ("SI_JURY_CL", "individual"),
    ("SI_JURY_VAE", "vae"),
)
PUBLICATION_DATE_TAGS = ("DATE_DE_PUBLICATION", "DATE_PUBLICATION")
MAX_WARNINGS = 1000  # kept in the result; the rest only go to the log, so memory stays flat


@dataclass
class ImportResult:
    """What an import did: fiches read, new versions created, fiches left as they were."""

    fiches: int = 0
    created: int = 0
    unchanged: int = 0
    format_version: str | None = None
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        log.warning(message)
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)


def import_xml(path: str) -> ImportResult:
    """Import every fiche (active or not) of a France Compétences XML export.

    Runs inside the caller's transaction, which the caller commits. Raises ReferentialError, having
    changed nothing, when the file is not well-formed XML (the message names the line and column),
    when its root is not ``FICHES``, or when a fiche cannot be loaded (the message names its line).
    """
    result = ImportResult()
    seen: set[str] = set()
    try:
        with db.session.begin_nested():
            with _open_export(path) as stream:
                _check_root(stream)
            with _open_export(path) as stream:
                for element in _iter_fiches(stream, result):
                    _import_fiche(element, result, seen)
                    _release(element)
    except etree.XMLSyntaxError as exc:
        raise ReferentialError(_syntax_message(exc)) from exc
    except (OSError, zipfile.BadZipFile, zlib.error) as exc:
        raise ReferentialError(f"cannot read {path}: {exc}") from exc
    return result


# --- reading the file -------------------------------------------------------------------------------

@contextmanager
def _open_export(path: str) -> Iterator[IO[bytes]]:
    """A binary stream on the XML: the file itself, or the XML member of a zip archive."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith(".xml")]
            if len(members) != 1:
                raise ReferentialError(f"{path}: expected one XML file in the archive, found {len(members)}")
            with archive.open(members[0]) as stream:
                yield stream
    else:
        with open(path, "rb") as stream:
            yield stream


def _parser_options() -> dict:
    # Never fetch or expand anything the file refers to (XXE, entity bombs); allow very large text nodes.
    return {"resolve_entities": False, "no_network": True, "huge_tree": True, "load_dtd": False}


def _check_root(stream: IO[bytes]) -> None:
    """Read just the first start tag and refuse a document that is not an export of fiches."""
    for _event, root in etree.iterparse(stream, events=("start",), **_parser_options()):
        if root.tag != ROOT_TAG:
            raise ReferentialError(
                f"not a France Compétences export: the root element at line {root.sourceline} is "
                f"<{root.tag}>, expected <{ROOT_TAG}>"
            )
        return


def _iter_fiches(stream: IO[bytes], result: ImportResult) -> Iterator[etree._Element]:
    events = etree.iterparse(stream, events=("end",), tag=(FICHE_TAG, VERSION_TAG), **_parser_options())
    for _event, element in events:
        if element.tag == VERSION_TAG:
            result.format_version = _text(element) or None
            continue
        yield element


def _release(element: etree._Element) -> None:
    """Drop a processed fiche and everything before it, so the tree never grows."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _syntax_message(exc: etree.XMLSyntaxError) -> str:
    line, column = exc.position if exc.position else (exc.lineno, exc.offset)
    line, column = max(line or 1, 1), max(column or 1, 1)  # an empty file reports line 0
    reason = re.sub(r",\s*line \d+, column \d+\s*$", "", exc.msg or str(exc)).strip()
    return f"malformed XML at line {line}, column {column}: {reason}"


# --- one fiche ----------------------------------------------------------------------------------------

def _import_fiche(element: etree._Element, result: ImportResult, seen: set[str]) -> None:
    line = element.sourceline
    result.fiches += 1
    fiche = fiche_from_element(element, result)
    if fiche["code"] in seen:
        result.warn(f"{fiche['code']} at line {line}: repeated in the file; only its first occurrence is imported")
        return
    seen.add(fiche["code"])
    _keep_platform_settings(fiche)
    try:
        _cert, created = upsert_fiche(fiche, source="import")
    except ReferentialError as exc:
        raise ReferentialError(f"fiche at line {line}: {exc}") from exc
    if created:
        result.created += 1
    else:
        result.unchanged += 1


def fiche_from_element(element: etree._Element, result: ImportResult | None = None) -> dict:
    """Convert one ``FICHE`` element to the mapping ``upsert_fiche`` takes."""
    result = result or ImportResult()
    line = element.sourceline
    code = _text(element.find("NUMERO_FICHE")).upper()
    if not code:
        raise ReferentialError(f"fiche without NUMERO_FICHE at line {line}")
    if len(code) > 32 or not re.fullmatch(r"[A-Z0-9]+", code):
        raise ReferentialError(f"fiche at line {line}: unusable NUMERO_FICHE {code!r}")

    active = element.find("ACTIF")
    return {
        "code": code,
        "title": _text(element.find("INTITULE")),
        "level": _level(_text(element.find("NOMENCLATURE_EUROPE/NIVEAU"))),
        "is_active": True if active is None else _yes(_text(active)),
        "certifiers": _certifiers(element),
        "registered_on": _date(element, PUBLICATION_DATE_TAGS, code, result),
        "expires_on": _date(element, ("DATE_FIN_ENREGISTREMENT",), code, result),
        "internship_min_weeks": None,
        "routes": [_route(el, route) for tag, route in ROUTE_ELEMENTS if (el := element.find(tag)) is not None],
        "blocs": [_bloc(el, code) for el in element.iterfind("BLOCS_COMPETENCES/BLOC_COMPETENCES")],
    }


def _keep_platform_settings(fiche: dict) -> None:
    """Keep what the platform adds and the export does not carry (internship length, jury rules).

    Without this, importing the export over the built-in RNCP41241 would silently drop the rules the
    platform enforces for that certification.
    """
    current = current_certification(fiche["code"])
    if current is None:
        return
    if fiche.get("internship_min_weeks") is None:
        fiche["internship_min_weeks"] = current.internship_min_weeks
    for route in fiche["routes"]:
        previous = current.route(route["route"])
        if previous is not None and not route["jury_rules"]:
            route["jury_rules"] = dict(previous.jury_rules or {})


def _level(value: str) -> int | None:
    match = re.search(r"(\d+)", value or "")
    level = int(match.group(1)) if match else None
    return level if level is not None and 1 <= level <= 8 else None


def _certifiers(element: etree._Element) -> list[str]:
    names = (_text(el) for el in element.iterfind("CERTIFICATEURS/CERTIFICATEUR/NOM_CERTIFICATEUR"))
    return list(dict.fromkeys(name for name in names if name))


def _date(element: etree._Element, tags: tuple[str, ...], code: str, result: ImportResult) -> str | None:
    for tag in tags:
        child = element.find(tag)
        value = _text(child)
        if not value:
            continue
        for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return datetime.strptime(value[:10], pattern).date().isoformat()
            except ValueError:
                continue
        result.warn(f"{code} at line {child.sourceline}: unreadable date {value!r} in {tag}, left empty")
    return None


def _route(element: etree._Element, route: str) -> dict:
    """v4.x: ``<SI_JURY_FI><ACTIF>Oui</ACTIF><COMPOSITION>…</COMPOSITION></SI_JURY_FI>``; v3: ``Oui``/``Non``."""
    if len(element):
        is_open = _yes(_text(element.find("ACTIF")))
        composition = plain_text(_markup(element.find("COMPOSITION")))
    else:
        is_open, composition = _yes(_text(element)), None
    return {"route": route, "is_open": is_open, "jury_composition": composition, "jury_rules": {}}


def _bloc(element: etree._Element, fiche_code: str) -> dict:
    line = element.sourceline
    raw_code = _text(element.find("CODE")).upper().replace(" ", "")
    code = raw_code[len(fiche_code):] if raw_code.startswith(fiche_code) else raw_code
    if not re.fullmatch(r"[A-Z0-9]{1,8}", code):
        raise ReferentialError(f"{fiche_code}: bloc at line {line} has a missing or unusable CODE {raw_code!r}")
    title = _text(element.find("LIBELLE")) or code
    kind, option = bloc_kind(title, code)
    evaluation = plain_text(_markup(element.find("MODALITES_EVALUATION")))
    return {
        "code": code,
        "title": title,
        "kind": kind,
        "option": option,
        "evaluation_methods": evaluation,
        "prerequisites": language_prerequisites(evaluation),
        "competences": competence_labels(_markup(element.find("LISTE_COMPETENCES"))),
    }


# --- text of elements ----------------------------------------------------------------------------------

def _clean(text: str) -> str:
    if "&" in text:
        text = html.unescape(text)  # the export sometimes escapes its HTML twice
    return " ".join(text.replace("\xa0", " ").split())


def _text(element: etree._Element | None) -> str:
    """The element's text (CDATA included), entities decoded, whitespace collapsed."""
    if element is None:
        return ""
    return _clean("".join(element.itertext()))


def _yes(value: str) -> bool:
    return value.strip().lower() in ("oui", "yes", "true", "1", "o")


def _markup(element: etree._Element | None) -> str:
    """The HTML an element holds: as escaped text or CDATA (usual), or as child elements."""
    if element is None:
        return ""
    inner = element.text or ""
    if len(element):
        inner += "".join(etree.tostring(child, encoding="unicode") for child in element)
    return inner


# --- HTML fragments: competence lists, evaluation methods, jury composition ---------------------------

_BLOCK_TAGS = frozenset(
    "p div li ul ol br h1 h2 h3 h4 h5 h6 tr table thead tbody section article blockquote dl dt dd pre".split()
)
_parsers = threading.local()


def _html_parser() -> etree.HTMLParser:
    """libxml2's HTML parser (forgiving, knows HTML's named entities, fetches nothing), one per thread."""
    parser = getattr(_parsers, "html", None)
    if parser is None:
        parser = _parsers.html = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    return parser


_BULLET = re.compile(r"^[-•–—*·▪◦●►‣⁃✓➢]+\s*")


def html_lines(markup: str) -> list[tuple[str, bool]]:
    """Split an HTML fragment into its lines of text, each with whether it is a list item.

    A line ends at every block element (``p``, ``li``, ``div``, ``br``…) and at every newline. A line
    is a list item when it comes from an ``li`` or starts with a bullet ("-", "•"…), which is removed.
    """
    if not markup or not markup.strip():
        return []
    raw: list[tuple[str, bool]] = []
    root = None
    if "<" in markup:
        try:
            root = etree.fromstring(f"<div>{markup}</div>", _html_parser())
        except etree.LxmlError:
            markup = re.sub(r"<[^>]*>", "\n", markup)  # beyond repair: keep the text between the tags
    if root is not None:
        _walk_html(root, raw)
    else:
        raw.append((markup, False))

    lines = []
    for chunk, in_item in raw:
        for piece in chunk.split("\n"):
            text = _clean(piece)
            bullet = _BULLET.match(text)
            if bullet:
                text = text[bullet.end():]
            if text:
                lines.append((text, in_item or bullet is not None))
    return lines


def _walk_html(root: etree._Element, out: list[tuple[str, bool]]) -> None:
    buffer: list[str] = []
    depth = {"li": 0}

    def flush() -> None:
        if buffer:
            out.append(("".join(buffer), depth["li"] > 0))
            buffer.clear()

    def walk(element) -> None:
        if isinstance(element.tag, str):  # comments and processing instructions have no text to keep
            tag = element.tag.lower()
            is_block = tag in _BLOCK_TAGS
            if is_block:
                flush()
            if tag == "li":
                depth["li"] += 1
            buffer.append(element.text or "")
            for child in element:
                walk(child)
            if is_block:
                flush()
            if tag == "li":
                depth["li"] -= 1
        if element.tail:
            buffer.append(element.tail)

    walk(root)
    flush()


def competence_labels(markup: str) -> list[str]:
    """The competences of a ``LISTE_COMPETENCES``, in order.

    List items (``<li>`` or bulleted lines) when there are any, so that an introduction such as
    "Le candidat est capable de :" is left out; otherwise every paragraph or line but headings
    ending with a colon.
    """
    lines = html_lines(markup)
    if any(item for _, item in lines):
        return [text for text, item in lines if item]
    labels = [text for text, _ in lines]
    if len(labels) > 1:
        labels = [text for text in labels if not text.endswith(":")] or labels
    return labels


def plain_text(markup: str) -> str | None:
    """An HTML fragment as plain text: one line per paragraph, list items as "- " lines."""
    lines = [f"- {text}" if item else text for text, item in html_lines(markup)]
    return "\n".join(lines) or None


# --- what a bloc's title and evaluation methods say ----------------------------------------------------

_OPTION_IN_PARENS = re.compile(r"\(\s*option\b\s*:?\s*([^()]*)\)", re.IGNORECASE)
_OPTION_PREFIX = re.compile(r"^\s*option\b\s*:?\s*([^:()]+?)\s*(?:[:–—]|\s-\s|$)", re.IGNORECASE)
_OPTIONAL_BLOC = re.compile(r"[-–—,]?\s*bloc\s+optionnel\b", re.IGNORECASE)
_SLUG_STOPWORDS = frozenset("et ou de du des d la le les l en au aux un une".split())


def slugify(text: str, max_length: int = 64) -> str:
    """``"scénario et réalisation"`` → ``"scenario-realisation"``; ``"production/distribution"`` →
    ``"production-distribution"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = [w for w in re.split(r"[^a-z0-9]+", ascii_text) if w and w not in _SLUG_STOPWORDS]
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug


def bloc_kind(title: str, code: str) -> tuple[str, str | None]:
    """("option", slug) when the bloc's title says it belongs to an option, else ("common", None)."""
    match = _OPTION_IN_PARENS.search(title) or _OPTION_PREFIX.match(title)
    if match:
        name = _OPTIONAL_BLOC.sub("", match.group(1)).strip(" -–—:")
        return "option", slugify(name) or slugify(f"bloc {code}")
    if _OPTIONAL_BLOC.search(title):
        # An optional bloc that does not name its option is an option of its own.
        return "option", slugify(f"bloc {code}")
    return "common", None


_CEFR_LEVEL = re.compile(r"\b([ABC][12])\b")
_PREREQUISITE = re.compile(r"pr[ée]\s*-?\s*requis|\brequis\b|\bexig[ée]e?s?\b", re.IGNORECASE)
_PREREQUISITE_LABEL = re.compile(r"^pr[ée]\s*-?\s*requis\s*:\s*", re.IGNORECASE)
_LANGUAGE = re.compile(
    r"\bCECRL?\b|\bCEFR\b|cadre europ[ée]en commun|\blangues?\b|\banglais\b|\bTOEIC\b|\bTOEFL\b|\bIELTS\b",
    re.IGNORECASE,
)


def language_prerequisites(evaluation_methods: str | None) -> list[dict]:
    """CEFR levels the evaluation methods require, e.g. "Pré-requis : niveau B2 du CECRL en anglais".

    A sentence qualifies when it names a level and a language framework, and it or the sentence just
    before it (a "Pré-requis :" heading) says the level is required.
    """
    if not evaluation_methods:
        return []
    sentences = [
        s.strip()
        for line in evaluation_methods.splitlines()
        for s in re.split(r"(?<=[.;!?])\s+", line.lstrip("- "))
        if s.strip()
    ]
    found: dict[str, dict] = {}
    for index, sentence in enumerate(sentences):
        level = _CEFR_LEVEL.search(sentence)
        if not level or level.group(1) in found:
            continue
        before = sentences[index - 1] if index else ""
        if _LANGUAGE.search(sentence) and (_PREREQUISITE.search(sentence) or _PREREQUISITE.search(before)):
            text = _PREREQUISITE_LABEL.sub("", sentence)
            found[level.group(1)] = {"type": "language", "framework": "CEFR", "level": level.group(1),
                                     "text": text[:1].upper() + text[1:]}
    return list(found.values())
