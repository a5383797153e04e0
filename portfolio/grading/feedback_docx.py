"""The feedback document: a deliverable's released grades, comments and annotations as a Word file.

Annotations are placed by page number (PDF) or by timecode HH:MM:SS:FF at the file's frame rate
(video and sound; ``media_info["fps"]``, 25 when unknown). The reader sees what they may see on the
pages: a candidate, the released markings once any double marking is no longer blind.
"""
from __future__ import annotations

import io
import math

from docx import Document
from docx.shared import Pt
from flask_babel import format_datetime
from flask_babel import gettext as _

from ..evidence.models import Deliverable
from .labels import level_label, marking_role_label
from .services import grading_for, released_annotations

DEFAULT_FPS = 25


def timecode(seconds: float | None, fps: float | None = DEFAULT_FPS) -> str:
    """``HH:MM:SS:FF`` (non-drop frame) of a time in seconds at ``fps`` frames per second."""
    if seconds is None:
        return ""
    rate = fps if fps and fps > 0 and math.isfinite(fps) else DEFAULT_FPS
    nominal = max(1, round(rate))
    frames = max(0, round(seconds * rate))
    ff = frames % nominal
    total_seconds = frames // nominal
    return f"{total_seconds // 3600:02d}:{total_seconds // 60 % 60:02d}:{total_seconds % 60:02d}:{ff:02d}"


def file_fps(attachment) -> float:
    info = (attachment.stored_file.media_info or {}) if attachment is not None else {}
    try:
        fps = float(info.get("fps") or DEFAULT_FPS)
    except (TypeError, ValueError):
        fps = DEFAULT_FPS
    return fps if fps > 0 and math.isfinite(fps) else DEFAULT_FPS


def annotation_position(annotation) -> str:
    """Where the annotation sits: a page, a time range as timecodes, a quoted passage or a region."""
    if annotation.start_seconds is not None:
        fps = file_fps(annotation.attachment)
        start = timecode(annotation.start_seconds, fps)
        if annotation.end_seconds is not None and annotation.end_seconds != annotation.start_seconds:
            return _("%(start)s to %(end)s", start=start, end=timecode(annotation.end_seconds, fps))
        return start
    parts = []
    if annotation.page is not None:
        parts.append(_("page %(page)d", page=annotation.page))
    selector = annotation.selector or {}
    if annotation.selector_type == "TextQuoteSelector" and selector.get("exact"):
        parts.append(_("“%(quote)s”", quote=str(selector["exact"])[:200]))
    elif annotation.page is None:
        parts.append(_("region of the image"))
    return ", ".join(parts)


def _table(document, headers: list[str], rows: list[list[str]]):
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text or ""
    return table


def feedback_document(deliverable: Deliverable, viewer) -> bytes:
    """The .docx bytes of the released feedback on ``deliverable`` that ``viewer`` may read."""
    gradings = [vg for vg in grading_for(deliverable, viewer) if vg.released]
    annotations = released_annotations(deliverable, viewer, gradings)
    enrolment = deliverable.enrolment

    document = Document()
    document.styles["Normal"].font.size = Pt(10.5)
    document.add_heading(_("Feedback on “%(title)s”", title=deliverable.title), level=0)
    facts = [(_("Candidate"), enrolment.candidate.name), (_("Certification"), enrolment.certification.code)]
    if deliverable.assessment is not None:
        facts.append((_("Assessment"), f"{deliverable.assessment.code} · {deliverable.assessment.title}"))
    for label, value in facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
    if not gradings:
        document.add_paragraph(_("No feedback has been released yet."))

    for vg in gradings:
        version = vg.version
        document.add_heading(_("Version %(number)d", number=version.number), level=1)
        document.add_paragraph(_("Submitted on %(date)s.", date=format_datetime(version.submitted_at, "medium")))
        if vg.is_double and vg.divergences:
            document.add_heading(_("Double marking"), level=2)
            _table(document, [_("Competence"), _("First assessor"), _("Second assessor"), _("Third assessor"),
                              _("Agreed grade"), _("Level retained")],
                   [[d.competence.code, level_label(d.first), level_label(d.second),
                     level_label(d.third) if d.third else "—", level_label(d.agreed.level) if d.agreed else "—",
                     level_label(d.settled_level) if d.is_settled else _("not settled yet")]
                    for d in vg.divergences])
        for marking in vg.released:
            document.add_heading(_("%(name)s, %(role)s", name=marking.assessor.name,
                                   role=marking_role_label(marking.role)) if vg.is_double
                                 else marking.assessor.name, level=2)
            document.add_paragraph(_("Released on %(date)s.", date=format_datetime(marking.released_at, "medium")))
            if marking.mark is not None:
                document.add_paragraph(_("Mark: %(mark)s / 20", mark=f"{marking.mark:.2f}".rstrip("0").rstrip(".")))
            if marking.feedback:
                document.add_paragraph(_("Overall feedback")).runs[0].bold = True
                for block in marking.feedback.split("\n\n"):
                    document.add_paragraph(block)
            _table(document, [_("Competence"), _("Level"), _("Comment")],
                   [[f"{g.competence.code} {g.competence.label}", level_label(g.level), g.comment]
                    for g in sorted(marking.grades, key=lambda g: (g.competence.bloc.rank, g.competence.rank))])
            notes = [a for a, m in annotations if m.id == marking.id]
            if notes:
                document.add_heading(_("Annotations"), level=3)
                _table(document, [_("File"), _("Where"), _("Competence"), _("Comment")],
                       [[a.attachment.name, annotation_position(a), a.competence.code if a.competence else "—",
                         a.body] for a in notes])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
