"""A jury session in Chromium: the admin composes and opens it, the president reads the bundle, decides bloc
by bloc and closes, downloads the minutes; the candidate sees the decisions and downloads the attestation.
Every page audited by axe. The session's people are created here, not taken from the demo, so that the other
browser tests see the demo as seeded."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

ADMIN = "admin@dhec.example.org"
PRESIDENT = "juries.president@dhec.example.org"
SECRETARY = "juries.secretary@dhec.example.org"
CANDIDATE = "juries.candidate@dhec.example.org"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _people(live_server) -> int:
    """The session's two jurors and its candidate (the demo password); returns the candidate's enrolment id."""
    def make():
        from portfolio.accounts.services import create_user
        from portfolio.demo import DEMO_PASSWORD
        from portfolio.enrolments.services import enrol
        from portfolio.referential.services import current_certification

        create_user(PRESIDENT, "Pr. Inès Garnier", ["jury"], password=DEMO_PASSWORD)
        create_user(SECRETARY, "Bruno Rey", ["jury"], password=DEMO_PASSWORD)
        candidate = create_user(CANDIDATE, "Jeanne Browser", ["candidate"], password=DEMO_PASSWORD)
        return enrol(candidate, current_certification("RNCP41241"), "training", option="scenario-realisation").id

    return live_server.run(make)


def _english(page) -> None:
    if page.locator("html").get_attribute("lang") != "en":
        with page.expect_navigation():
            page.locator("form.lang-switch button[value=en]").click()


def _download(page, locator) -> bytes:
    response = page.request.get(locator.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"].startswith(DOCX)
    return response.body()


def test_a_session_from_composition_to_the_candidates_attestation(page, live_server, log_in, log_out, audit,
                                                                  click_and_wait):
    enrolment_id = _people(live_server)

    # The admin creates, composes and opens the session.
    log_in(page, ADMIN)
    _english(page)
    click_and_wait(page, page.locator("main").get_by_role("link", name="Jury sessions"))
    audit(page)
    click_and_wait(page, page.get_by_role("link", name="Create a jury session"))
    audit(page)
    page.get_by_label("Date").fill("2026-06-12")
    page.get_by_label("Place (optional)").fill("DHEC, salle Agnès Varda")
    click_and_wait(page, page.get_by_role("button", name="Create the session"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Jury session of")
    audit(page)
    session_url = page.url

    page.locator("#user").select_option(PRESIDENT)
    page.locator("#role").select_option("president")
    page.get_by_label("Enseignant-chercheur (academic)").check()
    click_and_wait(page, page.get_by_role("button", name="Add the member"))
    page.locator("#user").select_option(SECRETARY)
    page.locator("#role").select_option("secretary")
    click_and_wait(page, page.get_by_role("button", name="Add the member"))
    page.locator("#enrolment").select_option(str(enrolment_id))
    click_and_wait(page, page.get_by_role("button", name="Add the candidate"))
    assert page.locator("#rules li.rule--broken").count() == 0
    audit(page)
    click_and_wait(page, page.get_by_role("button", name="Open the session and send the convocations"))
    assert "convocations were sent" in page.locator(".flashes").inner_text()
    audit(page)
    log_out(page)

    # The president reads the bundle, decides bloc by bloc and closes.
    log_in(page, PRESIDENT)
    _english(page)
    click_and_wait(page, page.locator("main").get_by_role("link", name="My jury sessions"))
    audit(page)
    click_and_wait(page, page.locator("main table a").first)
    assert page.url == session_url
    click_and_wait(page, page.locator("#candidates").get_by_role("link", name="Jeanne Browser"))
    assert page.get_by_role("heading", level=1).inner_text() == "Deliberation: Jeanne Browser"
    audit(page)
    deliberation_url = page.url
    click_and_wait(page, page.get_by_role("link", name="Evidence bundle"))
    audit(page)
    page.goto(deliberation_url)

    bc01 = page.locator("#bloc-BC01")
    bc01.get_by_label("validated", exact=True).check()
    bc01.get_by_label("Comment").fill("A convincing screenplay.")
    click_and_wait(page, bc01.get_by_role("button", name="Record the decision"))
    assert "The decision on BC01 has been recorded." in page.locator(".flashes").inner_text()
    bc02 = page.locator("#bloc-BC02")
    bc02.get_by_label("not validated", exact=True).check()
    bc02.get_by_label("Comment").fill("The budget is missing.")
    bc02.get_by_label("Decided by the president's casting vote").check()
    click_and_wait(page, bc02.get_by_role("button", name="Record the decision"))
    assert "by the president's casting vote" in page.locator("#bloc-BC02").inner_text()
    audit(page)

    page.goto(session_url)
    click_and_wait(page, page.get_by_role("button", name="Close the session: the decisions become final"))
    assert "closed" in page.locator("main dl").inner_text()
    audit(page)
    click_and_wait(page, page.get_by_role("link", name="Minutes and documents"))
    audit(page)
    minutes = _download(page, page.get_by_role("link", name="Download the minutes (Word)"))
    assert minutes[:2] == b"PK"
    log_out(page)

    # The candidate sees the decisions and downloads the attestation.
    log_in(page, CANDIDATE)
    _english(page)
    page.goto(f"/enrolments/{enrolment_id}")
    click_and_wait(page, page.get_by_role("link", name="Jury decisions across sessions"))
    ledger = page.locator("#ledger")
    assert "validated" in ledger.locator("tr[data-bloc=BC01]").inner_text()
    assert "not validated" in ledger.locator("tr[data-bloc=BC02]").inner_text()
    assert "A convincing screenplay." in page.locator("main").inner_text()
    audit(page)
    click_and_wait(page, page.get_by_role("link", name="Attestation and certification decision"))
    audit(page)
    attestation = _download(page, page.get_by_role("link", name="Download the attestation of validated blocs (Word)"))
    assert attestation[:2] == b"PK"
