"""The annotation viewer: a file of a deliverable version with its annotations, and the exports.

``…/annotate`` is the assessor's page (read and create); ``…/annotations`` the same page read-only for
everyone who may see the deliverable (the candidate sees annotations of released markings only).
PDF pages are images rendered on the server with their text layer as JSON (``…/pages/N.png``,
``…/pages/N/text``); images, video and sound come from ``/files/<id>``. The creation form works without
JavaScript; ``static/js/annotate.js`` lets the mouse fill it by drawing, selecting text or marking times.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from ..evidence.models import Deliverable, DeliverableVersion
from ..extensions import db
from ..files.models import Attachment
from ..policy import can, require
from ..storage import content_disposition
from . import exports, media, services
from .forms import AnnotationForm, DeleteAnnotationForm, EditAnnotationForm
from .models import Annotation
from .selectors import DEFAULT_FPS, SelectorError, format_timecode, parse_selector, selector_from_form
from .services import AnnotationConflict, AnnotationError

bp = Blueprint("annotations", __name__)

POSITION_FIELDS = {"page", "x", "y", "w", "h", "points", "quote", "start", "end"}


# --- loading -----------------------------------------------------------------------------------------

def _load_deliverable(deliverable_id: int, action: str = "view") -> Deliverable:
    deliverable = db.session.get(Deliverable, deliverable_id, options=[
        selectinload(Deliverable.versions).selectinload(DeliverableVersion.files), selectinload(Deliverable.tags)])
    return require(action, deliverable)


def _load_file(deliverable_id: int, attachment_id: int, action: str = "view") -> tuple[Deliverable, Attachment]:
    deliverable = _load_deliverable(deliverable_id)
    attachment = services.deliverable_attachment(deliverable, attachment_id)
    if attachment is None:
        abort(404)
    if action != "view":
        require(action, deliverable)
    return deliverable, attachment


def _viewer_url(annotation: Annotation, anchor: str | None = None) -> str:
    endpoint = ".annotate" if can(current_user, "annotate", annotation.deliverable) else ".view"
    return url_for(endpoint, deliverable_id=annotation.deliverable_id, attachment_id=annotation.attachment_id,
                   page=annotation.page, _anchor=anchor or "annotation-list")


# --- presenting ----------------------------------------------------------------------------------------

@dataclass
class Item:
    """An annotation as the viewer shows it."""

    annotation: Annotation
    label: str
    page: int | None = None
    rect: tuple[float, float, float, float] | None = None
    points: str = ""
    quote: str = ""
    timecode_in: str = ""
    timecode_out: str = ""
    media_fragment: str = ""
    boxes: list[tuple[float, float, float, float]] | None = None  # a quote's highlight on the shown page


def quote_boxes(layer: dict, exact: str, prefix: str = "") -> list[tuple[float, float, float, float]]:
    """The boxes highlighting ``exact`` (whitespace-insensitive) on a page's text layer; [] when not found."""
    text = layer["text"]
    collapsed: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isspace():
            if collapsed and collapsed[-1] != " ":
                collapsed.append(" ")
                origin.append(index)
        else:
            collapsed.append(char)
            origin.append(index)
    flat = "".join(collapsed)
    target = " ".join(exact.split())
    context = " ".join(prefix.split())
    if not target:
        return []
    position, chosen = flat.find(target), -1
    while position >= 0:
        if chosen < 0 or flat[:position].rstrip().endswith(context):
            chosen = position
            if flat[:position].rstrip().endswith(context):
                break
        position = flat.find(target, position + 1)
    if chosen < 0:
        return []
    start, end = origin[chosen], origin[chosen + len(target) - 1] + 1
    boxes = []
    for run in layer["runs"]:
        low, high = max(run["o"], start), min(run["o"] + run["n"], end)
        if low >= high:
            continue
        first, last = (low - run["o"]) / run["n"], (high - run["o"]) / run["n"]
        boxes.append((round(run["x"] + run["w"] * first, 2), run["y"], round(run["w"] * (last - first), 2), run["h"]))
    return boxes


def _item(annotation: Annotation, info: dict) -> Item:
    try:
        selector = parse_selector(annotation.selector)
    except SelectorError:
        return Item(annotation, _("Position unknown"))
    if selector.shape in ("pdf_page", "pdf_region", "pdf_quote"):
        if selector.shape == "pdf_quote":
            label = _("Page %(page)s, passage", page=selector.page) if selector.page else _("Passage")
        elif selector.shape == "pdf_region":
            label = _("Page %(page)d, region", page=selector.page)
        else:
            label = _("Page %(page)d", page=selector.page)
        return Item(annotation, label, page=selector.page, rect=selector.rect, quote=selector.exact or "")
    if selector.shape in ("image_region", "image_polygon"):
        rect = selector.rect
        if selector.percent and info.get("width") and info.get("height"):
            x, y, w, h = rect
            rect = (x * info["width"] / 100, y * info["height"] / 100, w * info["width"] / 100,
                    h * info["height"] / 100)
        points = " ".join(f"{x:g},{y:g}" for x, y in selector.points)
        if selector.shape == "image_polygon":
            label = _("Polygon of %(count)d points", count=len(selector.points))
        else:
            label = _("Region %(width)s × %(height)s from (%(x)s, %(y)s)", width=f"{rect[2]:g}",
                      height=f"{rect[3]:g}", x=f"{rect[0]:g}", y=f"{rect[1]:g}")
        return Item(annotation, label, rect=None if selector.percent and rect == selector.rect else rect,
                    points=points)
    fps = info.get("fps")
    tc_in = format_timecode(selector.start, fps)
    tc_out = format_timecode(selector.end, fps) if selector.end is not None else ""
    label = _("%(start)s to %(end)s", start=tc_in, end=tc_out) if tc_out else tc_in
    fragment = f"t={selector.start:g}" + (f",{selector.end:g}" if selector.end is not None else "")
    return Item(annotation, label, timecode_in=tc_in, timecode_out=tc_out, media_fragment=fragment)


def _competence_choices(deliverable: Deliverable) -> list[tuple[str, str]]:
    return [("", _("No competence"))] + [
        (c.code, f"{c.code} · {c.label}") for c in services.competence_choices(deliverable)]


def _field_for(kind: str | None, selection: str | None, field: str | None) -> str:
    """The form field that shows a refused selector's reason."""
    if field in POSITION_FIELDS or field in ("comment", "competence"):
        return field
    if kind == "pdf":
        return "quote" if selection == "passage" else "page"
    if kind == "image":
        return "points" if selection == "polygon" else "x"
    return "start"


def _selection_choices(kind: str | None) -> list[tuple[str, str]]:
    if kind == "pdf":
        return [("region", _("A region of a page (or the whole page)")), ("passage", _("A text passage"))]
    if kind == "image":
        return [("region", _("A rectangle")), ("polygon", _("A polygon"))]
    return []


def _render_viewer(deliverable: Deliverable, attachment: Attachment, *, editable: bool,
                   form: AnnotationForm | None = None, status: int = 200):
    kind, info = services.file_facts(attachment)
    version = services.version_of(deliverable, attachment)
    fps = info.get("fps") or DEFAULT_FPS
    annotations = services.visible_annotations(current_user, deliverable, attachment)
    items = [_item(a, info) for a in annotations]
    page_count = info.get("pages") if kind == "pdf" else None
    page = request.args.get("page", type=int) or 1
    if form is not None and form.page.data and request.method == "POST":
        page = form.page.data
    if page_count:
        page = min(max(page, 1), page_count)
        quotes = [item for item in items if item.page == page and item.quote]
        layer = media.page_text_layer(attachment.stored_file, page) if quotes else None
        for item in quotes if layer else []:
            item.boxes = quote_boxes(layer, item.quote, item.annotation.selector.get("prefix") or "")
    page_size = None
    if kind == "pdf" and page_count:
        sizes = info.get("page_sizes") or []
        page_size = sizes[page - 1] if page <= len(sizes) else None
    if editable and form is None:
        form = AnnotationForm(prefix="annotation")
        form.competence.choices = _competence_choices(deliverable)
        if kind == "pdf":
            form.page.data = page
    if kind is None:
        editable = False  # nothing to point at: the file is offered for download only
    if editable and version is not None and not version.is_frozen:
        editable = False
        flash(_("This version is a draft: it can be annotated once the candidate submits it."), "info")
    lock_forms = {item.annotation.id: DeleteAnnotationForm(prefix=f"delete-{item.annotation.id}",
                                                           lock_version=item.annotation.lock_version)
                  for item in items if item.annotation.author_id == current_user.id}
    return render_template(
        "annotations/viewer.html", deliverable=deliverable, attachment=attachment, version=version, kind=kind,
        info=info, fps=fps, items=items, page=page, page_count=page_count, page_size=page_size, form=form,
        editable=editable, selection_choices=_selection_choices(kind), delete_forms=lock_forms,
        can_annotate=can(current_user, "annotate", deliverable), duration_tc=format_timecode(info.get("duration"), fps)
        if info.get("duration") is not None else "",
    ), status


# --- the viewer -------------------------------------------------------------------------------------------

@bp.route("/deliverables/<int:deliverable_id>/files/<int:attachment_id>/annotations")
@login_required
def view(deliverable_id: int, attachment_id: int):
    deliverable, attachment = _load_file(deliverable_id, attachment_id)
    response = _render_viewer(deliverable, attachment, editable=False)
    db.session.commit()  # media facts read for the first time are kept
    return response


@bp.route("/deliverables/<int:deliverable_id>/files/<int:attachment_id>/annotate", methods=["GET", "POST"])
@login_required
def annotate(deliverable_id: int, attachment_id: int):
    deliverable, attachment = _load_file(deliverable_id, attachment_id, "annotate")
    if request.method == "GET":
        response = _render_viewer(deliverable, attachment, editable=True)
        db.session.commit()
        return response
    form = AnnotationForm(prefix="annotation")
    form.competence.choices = _competence_choices(deliverable)
    kind, info = services.file_facts(attachment)
    selection = form.selection.data if form.selection.data in ("region", "passage", "polygon") else "region"
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in POSITION_FIELDS | {"prefix", "suffix"}}
        try:
            raw = selector_from_form(kind, selection, fields, info.get("fps"))
            annotation = services.create_annotation(
                deliverable, attachment, author=current_user, selector=raw, body=form.comment.data,
                competence=form.competence.data or None)
        except AnnotationConflict as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for(".view", deliverable_id=deliverable.id, attachment_id=attachment.id))
        except (SelectorError, AnnotationError) as exc:
            db.session.rollback()
            getattr(form, _field_for(kind, selection, exc.field)).errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The annotation has been added."), "success")
            return redirect(url_for(".annotate", deliverable_id=deliverable.id, attachment_id=attachment.id,
                                    page=annotation.page, _anchor=f"annotation-{annotation.id}"))
    # Reload what a rollback expired before showing the form again with its errors.
    deliverable, attachment = _load_file(deliverable_id, attachment_id, "annotate")
    return _render_viewer(deliverable, attachment, editable=True, form=form)


# --- editing and deleting -------------------------------------------------------------------------------------

def _load_annotation(annotation_id: int, action: str = "view") -> Annotation:
    return require(action, db.session.get(Annotation, annotation_id))


@bp.route("/annotations/<int:annotation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(annotation_id: int):
    annotation = _load_annotation(annotation_id, "edit")
    form = EditAnnotationForm()
    form.competence.choices = _competence_choices(annotation.deliverable)
    if annotation.competence is not None and annotation.competence.code not in dict(form.competence.choices):
        form.competence.choices.append((annotation.competence.code, annotation.competence.code))
    if request.method == "GET":
        form.comment.data = annotation.body
        form.competence.data = annotation.competence.code if annotation.competence else ""
        form.lock_version.data = annotation.lock_version
    elif form.validate_on_submit():
        try:
            services.update_annotation(annotation, actor=current_user, body=form.comment.data,
                                       competence=form.competence.data or None,
                                       expected_version=form.lock_version.data)
        except AnnotationError as exc:
            db.session.rollback()
            (form.competence if exc.field == "competence" else form.comment).errors.append(str(exc))
            annotation = _load_annotation(annotation_id, "edit")
        else:
            db.session.commit()
            flash(_("The annotation has been saved."), "success")
            return redirect(_viewer_url(annotation, f"annotation-{annotation.id}"))
    item = _item(annotation, services.file_facts(annotation.attachment)[1])
    return render_template("annotations/edit.html", annotation=annotation, item=item, form=form,
                           back=_viewer_url(annotation, f"annotation-{annotation.id}"))


@bp.route("/annotations/<int:annotation_id>/delete", methods=["POST"])
@login_required
def delete(annotation_id: int):
    annotation = _load_annotation(annotation_id, "edit")
    form = DeleteAnnotationForm(prefix=f"delete-{annotation.id}")
    back = _viewer_url(annotation)
    if not form.validate_on_submit():
        flash(_("The form expired; please submit it again."), "error")
        return redirect(back)
    try:
        services.delete_annotation(annotation, actor=current_user, expected_version=form.lock_version.data)
    except AnnotationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(back)
    db.session.commit()
    flash(_("The annotation has been deleted."), "success")
    return redirect(back)


# --- PDF pages -------------------------------------------------------------------------------------------------

def _pdf(deliverable_id: int, attachment_id: int, page: int) -> Attachment:
    _deliverable, attachment = _load_file(deliverable_id, attachment_id)
    kind, info = services.file_facts(attachment)
    if kind != "pdf" or page < 1 or (info.get("pages") is not None and page > info["pages"]):
        abort(404)
    from ..files.serving import ensure_available

    ensure_available(attachment.stored_file)
    return attachment


@bp.route("/deliverables/<int:deliverable_id>/files/<int:attachment_id>/pages/<int:page>.png")
@login_required
def page_image(deliverable_id: int, attachment_id: int, page: int):
    attachment = _pdf(deliverable_id, attachment_id, page)
    stem = attachment.name.rsplit(".", 1)[0]
    preview = None
    try:
        from ..files.previews import get_or_build_preview
        from ..files.services import StorageUnavailable

        try:
            preview = get_or_build_preview(attachment.stored_file, "page", page)
        except StorageUnavailable:
            db.session.rollback()
            abort(503, description=_("The file store is unavailable; try again later."))
    except ImportError:  # pragma: no cover - previews are part of the files feature
        preview = None
    if preview is not None:
        db.session.commit()
        from ..files.serving import serve_stored

        return serve_stored(preview.image, f"{stem}-page-{page}.png", immutable=True)
    data = media.render_page_png(attachment.stored_file, page)  # past the stored previews' page limit
    if data is None:
        abort(404)
    db.session.commit()
    response = Response(data, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    return response


@bp.route("/deliverables/<int:deliverable_id>/files/<int:attachment_id>/pages/<int:page>/text")
@login_required
def page_text(deliverable_id: int, attachment_id: int, page: int):
    attachment = _pdf(deliverable_id, attachment_id, page)
    layer = media.page_text_layer(attachment.stored_file, page)
    db.session.commit()
    if layer is None:
        abort(404)
    response = Response(json.dumps(layer, ensure_ascii=False), mimetype="application/json")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


# --- exports ---------------------------------------------------------------------------------------------------

def _download(body: str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename, inline=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _stem(name: str) -> str:
    return (name.rsplit(".", 1)[0] if "." in name else name).strip() or "file"


@bp.route("/deliverables/<int:deliverable_id>/annotations.jsonld")
@login_required
def export_jsonld(deliverable_id: int):
    deliverable = _load_deliverable(deliverable_id)
    annotations = services.visible_annotations(current_user, deliverable)
    document = exports.collection_jsonld(deliverable, annotations)
    return _download(json.dumps(document, ensure_ascii=False, indent=2), "application/ld+json",
                     f"{_stem(deliverable.title)} - annotations.jsonld")


def _timed_file(deliverable_id: int, attachment_id: int):
    deliverable, attachment = _load_file(deliverable_id, attachment_id)
    kind, info = services.file_facts(attachment)
    if kind not in ("video", "audio"):
        abort(404, description=_("Only a film or a sound file has timecoded notes."))
    annotations = services.visible_annotations(current_user, deliverable, attachment)
    db.session.commit()
    return deliverable, attachment, annotations, info.get("fps")


@bp.route("/deliverables/<int:deliverable_id>/files/<int:attachment_id>/notes.csv")
@login_required
def notes_csv(deliverable_id: int, attachment_id: int):
    _deliverable, attachment, annotations, fps = _timed_file(deliverable_id, attachment_id)
    return _download(exports.notes_csv(annotations, fps), "text/csv",
                     f"{_stem(attachment.name)} - notes.csv")


@bp.route("/deliverables/<int:deliverable_id>/files/<int:attachment_id>/notes.edl")
@login_required
def notes_edl(deliverable_id: int, attachment_id: int):
    deliverable, attachment, annotations, fps = _timed_file(deliverable_id, attachment_id)
    body = exports.notes_edl(f"{deliverable.title} - {attachment.name}", attachment.name, annotations, fps)
    return _download(body, "text/plain", f"{_stem(attachment.name)} - notes.edl")
