"""Annotations out: W3C Web Annotation JSON, a deliverable's JSON-LD collection, a film's notes as CSV and EDL.

The EDL is CMX 3600 with one event per note and a ``* LOC: HH:MM:SS:FF COLOR comment`` marker line, the
form DaVinci Resolve (Timeline > Import > Timeline Markers from EDL) and Premiere read as markers.
Timecodes are the file's own, from 00:00:00:00, at its frame rate (non-drop-frame; 25 when unknown).
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata

from flask import url_for

from .models import Annotation
from .selectors import format_timecode, timecode_base

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
LOC_COLORS = ("RED", "BLUE", "GREEN", "CYAN", "MAGENTA", "YELLOW", "WHITE")
CSV_HEADER = ("timecode_in", "timecode_out", "author", "competence", "comment")


def _time(value) -> str | None:
    return value.isoformat() if value else None


def annotation_json(annotation: Annotation, *, external: bool = False) -> dict:
    """One annotation in the W3C Web Annotation model, plus its ``competence`` code and ``lock_version``.

    ``external``: absolute IRIs for the annotation, the file and the creator (for a document read
    outside the platform); otherwise the file is ``/api/v1/files/{id}/content`` and the creator's id
    the user id.
    """
    source = url_for("api.file_content", file_id=annotation.attachment_id, _external=external)
    creator: dict = {"id": annotation.author_id, "type": "Person", "name": annotation.author.name}
    if external:
        creator["id"] = f"urn:x-portfolio:user:{annotation.author_id}"
    return {
        "@context": CONTEXT,
        "id": url_for("api.get_annotation", annotation_id=annotation.id, _external=True),
        "type": "Annotation",
        "motivation": annotation.motivation,
        "body": {"type": "TextualBody", "value": annotation.body, "format": "text/plain"},
        "target": {"source": source, "selector": annotation.selector},
        "creator": creator,
        "created": _time(annotation.created_at),
        "modified": _time(annotation.updated_at or annotation.created_at),
        "competence": annotation.competence.code if annotation.competence else None,
        "lock_version": annotation.lock_version,
    }


def collection_jsonld(deliverable, annotations: list[Annotation]) -> dict:
    """A deliverable's annotations as one W3C AnnotationCollection holding a single AnnotationPage."""
    collection_id = url_for("annotations.export_jsonld", deliverable_id=deliverable.id, _external=True)
    items = []
    for annotation in annotations:
        item = annotation_json(annotation, external=True)
        item.pop("@context")
        item.pop("lock_version")
        items.append(item)
    return {
        "@context": CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": deliverable.title,
        "total": len(items),
        "first": {"id": f"{collection_id}#page1", "type": "AnnotationPage", "startIndex": 0, "items": items},
    }


def timed_notes(annotations: list[Annotation]) -> list[Annotation]:
    """The annotations that carry a time, in time order."""
    notes = [a for a in annotations if a.start_seconds is not None]
    return sorted(notes, key=lambda a: (a.start_seconds, a.end_seconds or a.start_seconds, a.id))


def note_out(annotation: Annotation, fps: float | None) -> float:
    """The end of a note; a point note lasts one frame."""
    if annotation.end_seconds is not None:
        return annotation.end_seconds
    return annotation.start_seconds + 1 / (fps or 25)


def _csv_cell(value: str) -> str:
    # A cell starting with = + - @ would be run as a formula by a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def notes_csv(annotations: list[Annotation], fps: float | None) -> str:
    """Timecode in, timecode out, author, competence and comment of each timed note (UTF-8 with a BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for note in timed_notes(annotations):
        writer.writerow([
            format_timecode(note.start_seconds, fps), format_timecode(note_out(note, fps), fps),
            _csv_cell(note.author.name), note.competence.code if note.competence else "", _csv_cell(note.body),
        ])
    return "\ufeff" + buffer.getvalue()


def _edl_text(value: str, limit: int | None = None) -> str:
    """One line of plain text: no line breaks or control characters."""
    value = unicodedata.normalize("NFC", value)
    value = " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())
    return value[:limit] if limit else value


def notes_edl(title: str, clip_name: str, annotations: list[Annotation], fps: float | None) -> str:
    """A CMX 3600 EDL: one event per timed note, each with a ``* LOC:`` marker (colour per author)."""
    lines = [f"TITLE: {_edl_text(title, 70) or 'Notes'}", "FCM: NON-DROP FRAME", ""]
    colours: dict[int, str] = {}
    reel = re.sub(r"[^A-Z0-9]", "", _edl_text(clip_name).upper())[:8] or "AX"
    for number, note in enumerate(timed_notes(annotations), 1):
        start = format_timecode(note.start_seconds, fps)
        end = format_timecode(note_out(note, fps), fps)
        if end == start:  # a note shorter than a frame still spans one
            end = format_timecode(note.start_seconds + 1 / timecode_base(fps), fps)
        colour = colours.setdefault(note.author_id, LOC_COLORS[len(colours) % len(LOC_COLORS)])
        comment = _edl_text(note.body)
        details = note.author.name + (f", {note.competence.code}" if note.competence else "")
        lines.append(f"{number:03d}  {reel:<8} V     C        {start} {end} {start} {end}")
        lines.append(f"* FROM CLIP NAME: {_edl_text(clip_name)}")
        lines.append(f"* LOC: {start} {colour:<7} {comment} ({_edl_text(details)})")
        lines.append("")
    return "\r\n".join(lines) + "\r\n"
