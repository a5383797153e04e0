"""The viewer pages: read and create annotations without JavaScript (the keyboard's form), page images and
text layers, editing and deleting, the candidate's read-only view."""
from __future__ import annotations

import html
import re

from annotation_samples import media_fragment, pdf_region, release
from sqlalchemy import select

from portfolio.annotations.models import Annotation
from portfolio.extensions import db


def url(world, attachment, what="annotate", **query):
    suffix = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/deliverables/{world.deliverable.id}/files/{attachment.id}/{what}" + (f"?{suffix}" if suffix else "")


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def field_error(response, field) -> str:
    match = re.search(rf'id="annotation-{field}-error">(.*?)</p>', response.get_data(as_text=True), re.S)
    return html.unescape(match.group(1)) if match else ""


def annotations():
    return db.session.scalars(select(Annotation).order_by(Annotation.id)).all()


def test_the_pdf_viewer_shows_a_page_its_regions_and_the_form(english, world, annotate):
    annotate(world.first, world.pdf, pdf_region(2, "72,80,300,30"), "Cadre serré", competence="BC05.1")
    response = english(world.first).get(url(world, world.pdf, page=2))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="annotation-form"' in page and 'id="annotation-page"' in page and 'value="2"' in page
    assert f'src="/deliverables/{world.deliverable.id}/files/{world.pdf.id}/pages/2.png"' in page
    assert 'viewBox="0 0 595.0 842.0"' in page
    assert re.search(r'<rect class="annot-shape" x="72.0" y="80.0" width="300.0" height="30.0">', page)
    text = text_of(response)
    assert "Page 2 of 2" in text and "Page 2, region" in text and "Cadre serré" in text and "BC05.1" in text
    assert "Alice Assessor" in text
    # The competence choices: the deliverable's tag, then its assessment's competences.
    options = re.findall(r'<option[^>]*value="(BC\d\d\.\d)"', page)
    assert options[0] == "BC01.1" and "BC05.1" in options and len(options) == len(set(options))
    assert page.count('id="annotation-') >= 8  # stable ids for the browser test
    assert 'style="' not in page  # the Content-Security-Policy allows no inline style


def test_a_region_is_created_with_the_keyboard_form(english, world):
    client = english(world.first)
    response = client.post(url(world, world.pdf), data={
        "annotation-selection": "region", "annotation-page": "1", "annotation-x": "72", "annotation-y": "90",
        "annotation-w": "180", "annotation-h": "20", "annotation-comment": "Le titre est clair",
        "annotation-competence": "BC05.1"})
    assert response.status_code == 302
    (annotation,) = annotations()
    assert response.headers["Location"].endswith(f"page=1#annotation-{annotation.id}")
    assert annotation.selector == pdf_region(1, "72,90,180,20")
    assert (annotation.motivation, annotation.competence.code, annotation.author_id) == (
        "assessing", "BC05.1", world.first.id)
    shown = client.get(response.headers["Location"])
    assert "The annotation has been added." in text_of(shown)


def test_a_passage_and_a_whole_page_with_the_keyboard_form(english, world):
    client = english(world.first)
    passage = client.post(url(world, world.pdf), data={
        "annotation-selection": "passage", "annotation-page": "2", "annotation-quote": "La lumiere  revient",
        "annotation-comment": "Belle idée"})
    assert passage.status_code == 302
    whole = client.post(url(world, world.pdf), data={
        "annotation-selection": "region", "annotation-page": "1", "annotation-comment": "Page de garde"})
    assert whole.status_code == 302
    quote, page = annotations()
    assert quote.selector["exact"] == "La lumiere revient" and quote.page == 2
    assert page.selector == {"type": "FragmentSelector", "conformsTo": "http://tools.ietf.org/rfc/rfc3778",
                             "value": "page=1"}
    # The passage is highlighted on its page.
    shown = client.get(url(world, world.pdf, page=2)).get_data(as_text=True)
    assert 'class="annot-shape annot-shape--quote"' in shown


def test_bad_positions_are_form_errors_not_500(english, world):
    client = english(world.first)
    cases = [
        (world.pdf, {"annotation-selection": "region", "annotation-page": "40"}, "page", "this PDF has 2 pages"),
        (world.pdf, {"annotation-selection": "region", "annotation-page": "1", "annotation-x": "500",
                     "annotation-y": "800", "annotation-w": "200", "annotation-h": "100"}, "x", "off the page"),
        (world.pdf, {"annotation-selection": "region", "annotation-page": "1", "annotation-x": "5"}, "y", "four"),
        (world.pdf, {"annotation-selection": "passage", "annotation-page": "2", "annotation-quote": "Le synopsis"},
         "quote", "not on page 2"),
        (world.pdf, {"annotation-selection": "region", "annotation-page": "deux"}, "page", ""),
        (world.png, {"annotation-selection": "region", "annotation-x": "350", "annotation-y": "10",
                     "annotation-w": "100", "annotation-h": "10"}, "x", "off the image"),
        (world.png, {"annotation-selection": "polygon", "annotation-points": "1,1 2,2"}, "points", "at least 3"),
        (world.mp4, {"annotation-start": "00:00:09:00", "annotation-end": "00:00:12:00"}, "end", "past the end"),
        (world.mp4, {"annotation-start": "00:00:01:30"}, "start", "not a valid timecode"),
        (world.wav, {"annotation-start": "later"}, "start", "not a time"),
    ]
    for attachment, data, field, reason in cases:
        response = client.post(url(world, attachment), data={**data, "annotation-comment": "Note"})
        assert response.status_code == 200, (data, response.status_code)
        error = field_error(response, field)
        assert error and reason in error, (data, error, field)
        assert "Please correct the following" in text_of(response)
    missing_comment = client.post(url(world, world.pdf), data={"annotation-page": "1", "annotation-comment": " "})
    assert field_error(missing_comment, "comment")
    assert annotations() == []


def test_an_image_rectangle_and_polygon_with_the_keyboard_form(english, world):
    client = english(world.first)
    assert client.post(url(world, world.png), data={
        "annotation-selection": "region", "annotation-x": "10", "annotation-y": "20", "annotation-w": "100",
        "annotation-h": "50", "annotation-comment": "Palette"}).status_code == 302
    assert client.post(url(world, world.png), data={
        "annotation-selection": "polygon", "annotation-points": "10,10 200,10 120,150",
        "annotation-comment": "Diagonale"}).status_code == 302
    region, polygon = annotations()
    assert region.selector == media_fragment("xywh=10,20,100,50")
    assert polygon.selector_type == "SvgSelector" and 'points="10,10 200,10 120,150"' in polygon.selector["value"]
    page = client.get(url(world, world.png)).get_data(as_text=True)
    assert f'src="/files/{world.png.id}"' in page and 'viewBox="0 0 400 300"' in page
    assert '<polygon class="annot-shape" points="10,10 200,10 120,150">' in page
    assert 'id="mode-polygon"' in page and 'id="finish-polygon"' in page


def test_a_film_range_with_timecodes(english, world):
    client = english(world.first)
    response = client.post(url(world, world.mp4), data={
        "annotation-selection": "region", "annotation-start": "00:00:02:00", "annotation-end": "00:00:04:12",
        "annotation-comment": "Raccord", "annotation-competence": ""})
    assert response.status_code == 302
    (note,) = annotations()
    assert (note.start_seconds, note.end_seconds, note.motivation) == (2.0, 4.48, "commenting")
    page = client.get(url(world, world.mp4))
    source = page.get_data(as_text=True)
    assert '<video id="annotation-media"' in source and 'id="mark-start"' in source and 'id="mark-end"' in source
    assert f'data-seek="2.0" href="/files/{world.mp4.id}#t=2,4.48"' in source
    text = text_of(page)
    assert "Play from 00:00:02:00" in text and "to 00:00:04:12" in text and "25 frames per second" in text
    assert "duration 00:00:10:00" in text
    sound = client.get(url(world, world.wav)).get_data(as_text=True)
    assert '<audio id="annotation-media"' in sound and 'id="export-edl"' in sound


def test_the_candidate_reads_released_annotations_without_a_form(english, world, annotate):
    annotate(world.first, world.pdf, pdf_region(1), "Visible après publication")
    candidate = english(world.candidate)
    assert candidate.get(url(world, world.pdf)).status_code == 403
    before = candidate.get(url(world, world.pdf, "annotations"))
    assert before.status_code == 200 and "Visible après publication" not in text_of(before)
    assert 'id="annotation-form"' not in before.get_data(as_text=True)
    release(world.version, world.first)
    after = candidate.get(url(world, world.pdf, "annotations"))
    assert "Visible après publication" in text_of(after)
    assert 'id="edit-annotation-' not in after.get_data(as_text=True)


def test_a_draft_version_is_shown_but_not_annotated(english, world):
    client = english(world.first)
    page = client.get(url(world, world.draft_pdf))
    assert page.status_code == 200
    assert 'id="annotation-form"' not in page.get_data(as_text=True)
    assert "draft" in text_of(page)
    refused = client.post(url(world, world.draft_pdf), data={"annotation-page": "1", "annotation-comment": "x"})
    assert refused.status_code == 302 and annotations() == []


def test_files_of_another_deliverable_are_not_found(english, world, make_world):
    other = make_world()
    client = english(world.first)
    assert client.get(f"/deliverables/{world.deliverable.id}/files/{other.pdf.id}/annotate").status_code == 404
    assert english(world.outsider).get(url(world, world.pdf, "annotations")).status_code == 404


def test_page_images_and_text_layers(english, world):
    client = english(world.candidate)
    image = client.get(url(world, world.pdf, "pages/1.png"))
    assert image.status_code == 200 and image.mimetype == "image/png"
    layer = client.get(url(world, world.pdf, "pages/2/text"))
    assert layer.status_code == 200
    data = layer.get_json()
    assert data["page"] == 2 and "La lumiere revient" in data["text"]
    assert [data["text"][r["o"]:r["o"] + r["n"]] for r in data["runs"]] == ["Note d intention",
                                                                           "La lumiere revient toujours"]
    assert client.get(url(world, world.pdf, "pages/3.png")).status_code == 404
    assert client.get(url(world, world.pdf, "pages/3/text")).status_code == 404
    assert client.get(url(world, world.png, "pages/1/text")).status_code == 404


def test_page_images_past_the_preview_limit(app, english, world, monkeypatch):
    monkeypatch.setitem(app.config, "PREVIEW_MAX_PAGES", 1)
    response = english(world.first).get(url(world, world.pdf, "pages/2.png"))
    assert response.status_code == 200 and response.get_data()[:8] == b"\x89PNG\r\n\x1a\n"


def test_edit_and_delete_by_the_author(english, world, annotate):
    annotation = annotate(world.first, world.pdf, pdf_region(1), "Premier jet")
    client = english(world.first)
    form = client.get(f"/annotations/{annotation.id}/edit")
    assert form.status_code == 200 and "Premier jet" in form.get_data(as_text=True)
    saved = client.post(f"/annotations/{annotation.id}/edit", data={
        "comment": "Version revue", "competence": "BC05.3", "lock_version": "1"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert (annotation.body, annotation.competence.code, annotation.lock_version) == ("Version revue", "BC05.3", 2)
    stale = client.post(f"/annotations/{annotation.id}/edit", data={"comment": "Écrasé ?", "lock_version": "1"})
    assert stale.status_code == 200 and "changed in the meantime" in text_of(stale)
    assert english(world.second).get(f"/annotations/{annotation.id}/edit").status_code == 404
    assert english(world.admin).post(f"/annotations/{annotation.id}/delete").status_code == 403
    stale_delete = client.post(f"/annotations/{annotation.id}/delete",
                               data={f"delete-{annotation.id}-lock_version": "1"})
    assert stale_delete.status_code == 302 and db.session.get(Annotation, annotation.id) is not None
    deleted = client.post(f"/annotations/{annotation.id}/delete", data={f"delete-{annotation.id}-lock_version": "2"})
    assert deleted.status_code == 302
    assert db.session.get(Annotation, annotation.id) is None
    assert "The annotation has been deleted." in text_of(client.get(deleted.headers["Location"]))
