"""A student's evidence in Chromium: create a deliverable for an assessment, upload a PDF and an image with
the progress bar, tag competences, submit, see the coverage; the assessor reads it. Every page audited by axe."""
from __future__ import annotations

import struct
import zlib

import pytest
from sqlalchemy import select

pytestmark = pytest.mark.browser

CAMILLE = "camille.scenario@dhec.example.org"
ASSESSOR = "assessor1@dhec.example.org"
PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>"
       b"\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n% browser test\n")


def _png() -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes([0, 200, 40, 90]))) + chunk(b"IEND", b""))


def _english(page) -> None:
    if page.locator("html").get_attribute("lang") != "en":
        with page.expect_navigation():
            page.locator("form.lang-switch button[value=en]").click()


def test_student_uploads_tags_submits_and_sees_the_coverage(page, live_server, log_in, log_out, audit,
                                                            click_and_wait):
    from portfolio.accounts.models import User
    from portfolio.enrolments.models import Enrolment
    from portfolio.extensions import db

    enrolment_id = live_server.run(lambda: db.session.scalar(
        select(Enrolment.id).join(User, Enrolment.user_id == User.id).where(User.email == CAMILLE)))
    log_in(page, CAMILLE)
    _english(page)
    click_and_wait(page, page.get_by_role("link", name="My evidence"))
    assert page.get_by_role("heading", level=1).inner_text() == "My evidence"
    audit(page)

    click_and_wait(page, page.locator("main a.button--primary", has_text="Add a deliverable"))
    page.locator("#assessment").select_option(label=page.locator("#assessment option", has_text="BC05-1")
                                              .first.inner_text())
    click_and_wait(page, page.get_by_role("button", name="Continue"))
    audit(page)
    page.locator("#type").select_option("moodboard")
    page.locator("#title").fill("Moodboard — Les Veilleurs")
    click_and_wait(page, page.get_by_role("button", name="Create the deliverable"))
    assert page.get_by_role("heading", level=1).inner_text() == "Moodboard — Les Veilleurs"
    audit(page)

    # Upload through XMLHttpRequest: the progress bar shows, then the page reloads with the files.
    page.locator("#files").set_input_files([
        {"name": "planche.pdf", "mimeType": "application/pdf", "buffer": PDF},
        {"name": "reference.png", "mimeType": "image/png", "buffer": _png()},
    ])
    sent = []
    page.on("request", lambda r: sent.append(r.headers.get("x-requested-with")) if r.url.endswith("/files") else None)
    with page.expect_navigation():
        page.get_by_role("button", name="Upload").click()
    assert sent == ["XMLHttpRequest"]  # upload.js took over the form
    assert page.locator(".alert--success").inner_text().strip() == "2 files added."
    assert page.locator("main table a", has_text="planche.pdf").count() == 1
    assert page.locator("main table a", has_text="reference.png").count() == 1
    audit(page)

    click_and_wait(page, page.get_by_role("link", name="Choose the competences"))
    audit(page)
    page.get_by_label("BC05.1", exact=False).first.check()
    page.locator("textarea[name='justification-BC05.1']").fill("La planche exprime les intentions artistiques.")
    click_and_wait(page, page.get_by_role("button", name="Save the competences"))
    assert "La planche exprime" in page.locator("main").inner_text()

    click_and_wait(page, page.get_by_role("button", name="Submit version 1"))
    assert "has been submitted" in page.locator(".alert--success").inner_text()
    assert page.locator("[data-upload]").count() == 0
    audit(page)

    page.goto(f"/enrolments/{enrolment_id}/coverage")
    row = page.locator("table.coverage tr", has=page.locator("th[scope=row]", has_text="BC05.1"))
    assert "✓ 1" in row.inner_text() and "Moodboard — Les Veilleurs" in row.inner_text()
    assert "1 / 5 competences with evidence" in page.locator(".bloc-bars").inner_text()
    audit(page)
    log_out(page)

    # The assessor reads the same pages, without the forms.
    log_in(page, ASSESSOR)
    _english(page)
    page.goto(f"/enrolments/{enrolment_id}/evidence")
    assert "read-only" in page.locator("main").inner_text()
    audit(page)
    click_and_wait(page, page.get_by_role("link", name="Moodboard — Les Veilleurs"))
    assert page.locator("main form").count() == 0
    audit(page)
    page.goto(f"/enrolments/{enrolment_id}/coverage")
    audit(page)
