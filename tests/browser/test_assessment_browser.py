"""An assessor annotates and grades in Chromium; the candidate reads the result.

Camille's submitted deliverable (a two-page PDF with text, a PNG and a two-second MP4 recorded by Chromium's
own MediaRecorder, since ffmpeg may be missing) is made in the live server's database. Assessor 1 draws a
region on the PDF with the mouse and chooses a passage with the keyboard only, types a rectangle on the image
and clicks a polygon, marks a time range on the film with the player; then grades every competence and
releases. Camille then sees the grades and, in the read-only viewer, the annotations. axe audits the viewer
(assessor and candidate) and the grading page."""
from __future__ import annotations

import base64
import io
import re

import pytest
from browser_samples import pdf_with_text
from sqlalchemy import select

pytestmark = pytest.mark.browser

CAMILLE = "camille.scenario@dhec.example.org"
ASSESSOR = "assessor1@dhec.example.org"
ASSESSOR_NAME = "Hélène Dubois"
TITLE = "Dossier de tournage — Les Veilleurs"
PAGE_TEXT = ["Note d'intention de la realisatrice", "Plan de travail du tournage en six jours"]

RECORD_MP4 = """async () => {
  const canvas = document.createElement('canvas'); canvas.width = 160; canvas.height = 90;
  document.body.appendChild(canvas);
  const ctx = canvas.getContext('2d');
  const recorder = new MediaRecorder(canvas.captureStream(25), {mimeType: 'video/mp4;codecs=avc1'});
  const chunks = []; recorder.ondataavailable = e => chunks.push(e.data);
  let frame = 0;
  const timer = setInterval(() => {
    ctx.fillStyle = `hsl(${frame * 9}, 80%, 50%)`; ctx.fillRect(0, 0, 160, 90); frame++; }, 40);
  recorder.start(); await new Promise(r => setTimeout(r, 2100));
  const stopped = new Promise(r => { recorder.onstop = r; }); recorder.stop(); await stopped; clearInterval(timer);
  const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
  let text = ''; for (let i = 0; i < bytes.length; i++) { text += String.fromCharCode(bytes[i]); }
  canvas.remove(); return btoa(text);
}"""


def _png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (400, 300), (235, 230, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 180, 140), fill=(40, 60, 120))
    draw.ellipse((220, 120, 360, 260), fill=(180, 60, 40))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _wav(seconds: float = 2.0, rate: int = 8000) -> bytes:
    """A short sine tone, for a Chromium that cannot record MP4: time ranges work the same on sound."""
    import math
    import struct
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
                                 for i in range(int(seconds * rate))))
    return buffer.getvalue()


def _film(page) -> tuple[str, bytes]:
    """A two-second MP4 recorded by Chromium itself (no ffmpeg needed), or a WAV sound if it cannot."""
    if page.evaluate("() => window.MediaRecorder !== undefined"
                     " && MediaRecorder.isTypeSupported('video/mp4;codecs=avc1')"):
        data = base64.b64decode(page.evaluate(RECORD_MP4))
        assert data[4:8] == b"ftyp"
        return "rush.mp4", data
    return "rush.wav", _wav()


def _english(page) -> None:
    if page.locator("html").get_attribute("lang") != "en":
        with page.expect_navigation():
            page.locator("form.lang-switch button[value=en]").click()


def _submitted_deliverable(live_server, files: dict[str, bytes]) -> tuple[int, dict[str, int]]:
    """Camille's deliverable for BC06-1 (single marking), with ``files``, tagged and submitted."""
    def make():
        from portfolio.accounts.models import User
        from portfolio.assessments.models import Assessment
        from portfolio.enrolments.models import Enrolment
        from portfolio.evidence import services
        from portfolio.extensions import db

        camille = db.session.scalar(select(User).where(User.email == CAMILLE))
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == camille.id))
        assessment = db.session.scalar(select(Assessment).where(
            Assessment.cohort_id == enrolment.cohort_id, Assessment.code == "BC06-1"))
        assert assessment.markers == 1
        deliverable = services.create_deliverable(enrolment, title=TITLE, type_code="other", assessment=assessment,
                                                  actor=camille)
        added = services.add_files(deliverable, [(io.BytesIO(data), name) for name, data in files.items()],
                                   actor=camille)
        services.set_tags(deliverable, [("BC06.1", "La note d'intention fixe le cap de l'équipe."),
                                        ("BC06.2", "Le plan de travail répartit les tâches.")], actor=camille)
        services.submit(deliverable, actor=camille)
        db.session.flush()
        return deliverable.id, {a.name: a.id for a in added}

    return live_server.run(make)


def _overlay_box(page) -> dict:
    page.evaluate("document.getElementById('annotation-overlay').scrollIntoView({block: 'start'})")
    box = page.locator("#annotation-overlay").bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100
    return box


def _type_into(page, selector: str, text: str) -> None:
    """Keyboard only: focus the field, clear it and type."""
    page.locator(selector).focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def _list_items(page) -> list[str]:
    return page.locator("#annotation-list > li.annot-item").all_inner_texts()


def test_assessor_annotates_grades_and_releases_then_the_candidate_reads(page, live_server, log_in, log_out,
                                                                         audit, click_and_wait):
    film, film_data = _film(page)
    deliverable_id, ids = _submitted_deliverable(live_server, {
        "dossier.pdf": pdf_with_text(PAGE_TEXT), "planche.png": _png(), film: film_data})
    pdf_id, png_id, film_id = ids["dossier.pdf"], ids["planche.png"], ids[film]

    log_in(page, ASSESSOR)
    _english(page)

    # --- PDF, page 1: a region drawn with the mouse, with a competence ------------------------------
    page.goto(f"/deliverables/{deliverable_id}/files/{pdf_id}/annotate")
    assert page.get_by_role("heading", level=1).inner_text() == "dossier.pdf"
    assert page.locator("#page-status").inner_text() == "Page 1 of 2"
    page.wait_for_function("document.getElementById('page-image').naturalWidth > 0")
    assert page.locator("#annotation-list-empty").is_visible()
    audit(page)
    box = _overlay_box(page)
    page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + 120, steps=5)
    page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + 200, steps=5)
    page.mouse.up()
    assert page.locator("#annotation-status").inner_text().startswith("Region chosen: page 1,")
    assert page.locator("#annotation-selection-region").is_checked()
    assert float(page.locator("#annotation-w").input_value()) > 100
    assert page.locator("#annotation-page").input_value() == "1"
    assert page.evaluate("document.activeElement.id") == "annotation-comment"
    page.locator("#annotation-comment").fill("L'intention est claire mais le titre manque de contraste.")
    page.locator("#annotation-competence").select_option("BC06.1")
    click_and_wait(page, page.locator("#annotation-submit"))
    assert page.locator(".alert--success").inner_text().strip() == "The annotation has been added."
    assert page.locator("#annotation-overlay a.annot-shape-link rect.annot-shape").count() == 1

    # --- PDF, page 2: a passage chosen with the keyboard only, submitted with Enter -------------------
    page.locator("#annotation-selection-passage").focus()
    page.keyboard.press("Space")
    assert page.locator("#annotation-selection-passage").is_checked()
    _type_into(page, "#annotation-page", "2")
    _type_into(page, "#annotation-quote", "six jours")
    _type_into(page, "#annotation-comment", "Six jours, c'est ambitieux : prévoir une marge.")
    page.locator("#annotation-page").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".alert--success").inner_text().strip() == "The annotation has been added."
    assert page.locator("#page-status").inner_text() == "Page 2 of 2"
    items = _list_items(page)
    assert len(items) == 2
    region, passage = sorted(items, key=lambda text: "six jours" in text)
    assert "Page 1" in region and "BC06.1" in region and ASSESSOR_NAME in region and "contraste" in region
    assert "Page 2" in passage and "six jours" in passage and "prévoir une marge" in passage
    assert page.locator("#annotation-overlay rect.annot-shape--quote").count() >= 1  # the passage highlighted
    audit(page)

    # --- the image: a rectangle typed with the keyboard, a polygon clicked with the mouse ------------
    click_and_wait(page, page.locator("nav.annot-files a", has_text="planche.png"))
    assert page.get_by_role("heading", level=1).inner_text() == "planche.png"
    assert "400 × 300 pixels" in page.locator("main p.muted").first.inner_text()
    audit(page)
    assert page.locator("#annotation-selection-region").is_checked()
    for name, value in (("x", "40"), ("y", "40"), ("w", "140"), ("h", "100")):
        _type_into(page, f"#annotation-{name}", value)
    _type_into(page, "#annotation-comment", "Le bleu du décor répond bien à la lumière de la scène.")
    page.locator("#annotation-h").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".alert--success").inner_text().strip() == "The annotation has been added."

    page.locator("#mode-polygon").click()
    assert page.locator("#mode-polygon").get_attribute("aria-pressed") == "true"
    box = _overlay_box(page)
    for fx, fy in ((0.55, 0.4), (0.9, 0.45), (0.85, 0.85), (0.6, 0.8)):
        page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
    assert page.locator("#annotation-status").inner_text() == "Point 4 added."
    page.locator("#finish-polygon").click()
    assert page.locator("#annotation-status").inner_text() == "Polygon of 4 points chosen. Write your comment."
    assert page.locator("#annotation-selection-polygon").is_checked()
    assert len(page.locator("#annotation-points").input_value().split()) == 4
    page.locator("#annotation-comment").fill("Le cercle rouge attire trop l'œil.")
    click_and_wait(page, page.locator("#annotation-submit"))
    assert page.locator(".alert--success").inner_text().strip() == "The annotation has been added."
    items = _list_items(page)
    assert len(items) == 2
    assert any("Region 140 × 100 from (40, 40)" in text and "Le bleu du décor" in text for text in items)
    assert any("Polygon of 4 points" in text and "cercle rouge" in text for text in items)
    assert page.locator("#annotation-overlay polygon.annot-shape").count() == 1
    audit(page)

    # --- the film (or sound): a time range marked with the player, with a competence ----------------
    click_and_wait(page, page.locator("nav.annot-files a", has_text=film))
    assert "duration 00:00:02:" in page.locator("main p.muted").first.inner_text()
    page.wait_for_function("document.getElementById('annotation-media').readyState >= 1")
    assert not page.locator("#annotation-timebar").is_hidden()
    audit(page)
    for seconds, button, field, timecode in ((0.4, "#mark-start", "#annotation-start", "00:00:00:10"),
                                             (1.2, "#mark-end", "#annotation-end", "00:00:01:05")):
        page.evaluate("""async seconds => {
            const player = document.getElementById('annotation-media');
            const seeked = new Promise(resolve => player.addEventListener('seeked', resolve, {once: true}));
            player.currentTime = seconds; await seeked; }""", seconds)
        assert page.locator("#current-timecode").inner_text() == timecode
        page.locator(button).click()
        assert page.locator(field).input_value() == timecode
    assert page.locator("#annotation-status").inner_text() == "End marked at 00:00:01:05."
    page.locator("#annotation-comment").fill("Le raccord de lumière saute ici.")
    page.locator("#annotation-competence").select_option("BC06.2")
    click_and_wait(page, page.locator("#annotation-submit"))
    assert page.locator(".alert--success").inner_text().strip() == "The annotation has been added."
    items = _list_items(page)
    assert len(items) == 1
    assert "Play from 00:00:00:10" in items[0] and "to 00:00:01:05" in items[0] and "BC06.2" in items[0]
    page.locator("#annotation-list .annot-go").click()  # the player moves to the note's start
    assert page.locator("#annotation-status").inner_text() == "Player moved to 00:00:00:10."
    assert page.evaluate("document.getElementById('annotation-media').currentTime") == pytest.approx(0.4)
    audit(page)

    # --- grading: a level and a comment per competence, feedback, save, release ---------------------
    page.goto(f"/deliverables/{deliverable_id}/grading")
    assert page.get_by_role("heading", level=1).inner_text() == f"Grading: {TITLE}"
    audit(page)
    rows = page.locator(".grade-row fieldset")
    codes = [re.match(r"BC\d\d\.\d+", text).group(0) for text in rows.locator("legend").all_inner_texts()]
    assert {"BC06.1", "BC06.2"} <= set(codes)
    levels = {}
    for index, code in enumerate(codes):
        level = "mastered" if code == "BC06.1" else "acquired" if code == "BC06.2" else "in_progress"
        levels[code] = level
        rows.nth(index).locator(f"input[type=radio][value={level}]").check()
        rows.nth(index).locator("textarea").fill(f"Commentaire sur {code}.")
    page.get_by_label("Mark out of 20 (optional)").fill("15.5")
    page.get_by_label("Overall feedback").fill("Un dossier solide ; soignez le plan de travail.")
    click_and_wait(page, page.get_by_role("button", name="Save as draft"))
    assert "stays a draft" in page.locator(".alert--success").inner_text()
    rows = page.locator(".grade-row fieldset")
    assert rows.nth(codes.index("BC06.1")).locator("input[value=mastered]").is_checked()
    audit(page)
    click_and_wait(page, page.get_by_role("button", name="Save and release"))
    assert "released" in page.locator(".alert--success").inner_text()
    assert page.locator(".grade-row").count() == 0  # released: final, shown read-only
    grades = page.locator("table.grades").first.inner_text()
    assert "BC06.1" in grades and "mastered" in grades and "Commentaire sur BC06.2." in grades
    audit(page)
    log_out(page)

    # --- the candidate reads the grades and the annotations -----------------------------------------
    log_in(page, CAMILLE)
    _english(page)
    page.goto(f"/deliverables/{deliverable_id}")
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    released = page.locator("section.released-grading")
    assert released.count() == 1, "the deliverable page shows no released grading"
    text = released.inner_text()
    assert "Mark: 15.5 / 20" in text and "Un dossier solide" in text
    for code, level in levels.items():
        row = released.locator("table.grades tr", has=page.locator("th", has_text=re.compile(rf"^{code}\b")))
        assert level.replace("_", " ") in row.inner_text()
    audit(page)

    click_and_wait(page, page.get_by_role("link", name="Annotations dossier.pdf"))
    assert page.url.endswith(f"/deliverables/{deliverable_id}/files/{pdf_id}/annotations")
    assert page.locator("#annotation-form").count() == 0 and page.locator("#open-annotate").count() == 0
    assert page.locator("#annotation-toolbar").count() == 0
    items = _list_items(page)
    assert len(items) == 2 and all(ASSESSOR_NAME in text for text in items)
    assert any("Page 2" in text and "six jours" in text for text in items)
    assert page.locator("#annotation-overlay rect.annot-shape").count() == 1  # page 1: the drawn region
    audit(page)
    click_and_wait(page, page.locator("#page-next"))
    assert page.locator("#page-status").inner_text() == "Page 2 of 2"
    assert page.locator("#annotation-overlay rect.annot-shape--quote").count() >= 1
    audit(page)
    page.goto(f"/deliverables/{deliverable_id}/files/{png_id}/annotations")
    assert len(_list_items(page)) == 2
    audit(page)
    page.goto(f"/deliverables/{deliverable_id}/files/{film_id}/annotations")
    items = _list_items(page)
    assert len(items) == 1 and "00:00:00:10" in items[0] and "00:00:01:05" in items[0]
    assert page.locator("#mark-start").count() == 0
    audit(page)
