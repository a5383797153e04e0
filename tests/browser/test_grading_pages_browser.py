"""The grading queue and the progress pages in Chromium, audited by axe: an assessor filters the queue with
the keyboard and reads their candidates' progress; a candidate reads their own progress chart and table."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

ASSESSOR = "assessor1@dhec.example.org"
CAMILLE = "camille.scenario@dhec.example.org"


def _enrolment_of(live_server, email: str) -> int:
    from sqlalchemy import select

    from portfolio.accounts.models import User
    from portfolio.enrolments.models import Enrolment
    from portfolio.extensions import db

    def find():
        return db.session.scalar(select(Enrolment.id).join(User, User.id == Enrolment.user_id)
                                 .where(User.email == email))

    return live_server.run(find)


def test_queue_and_progress_pages(page, live_server, log_in, log_out, audit, click_and_wait):
    log_in(page, ASSESSOR)
    audit(page)  # the dashboard, with the links to the queue and the progress
    click_and_wait(page, page.locator("a[href='/assessor/queue']").first)
    assert page.url.endswith("/assessor/queue")
    audit(page)
    # Keyboard only: choose a status and submit the filters.
    page.locator("#status").focus()
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").press("Enter")
    assert "status=" in page.url
    audit(page)
    click_and_wait(page, page.locator("a[href='/assessor/progress']").first)
    table = page.locator("table.progress-grid")
    assert table.count() == 1 and "BC01" in table.locator("thead").inner_text()
    audit(page)
    log_out(page)

    log_in(page, CAMILLE)
    enrolment_id = _enrolment_of(live_server, CAMILLE)
    page.goto(f"/enrolments/{enrolment_id}/progress")
    assert page.locator("figure.progress-chart svg").count() >= 7
    assert page.locator("table.progress-table tbody tr").count() == 7  # six common blocs and her option's
    page.locator("details summary").first.press("Enter")  # the competences, opened from the keyboard
    assert page.locator("details").first.get_attribute("open") is not None
    audit(page)
