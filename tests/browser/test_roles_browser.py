"""Every demo role through the real pages in Chromium, in French and in English, each page audited by axe."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portfolio.demo import ACCOUNTS

pytestmark = pytest.mark.browser

ADMIN = "admin@dhec.example.org"
CAMILLE = "camille.scenario@dhec.example.org"
LUCAS = "lucas.production@dhec.example.org"
NADIA = "nadia.vae@dhec.example.org"
ASSESSOR = "assessor1@dhec.example.org"
PRESIDENT = "president@dhec.example.org"
JURY_MEMBER = "jury1@dhec.example.org"
REFERENT = "referent@dhec.example.org"
NAMES = {email: name for email, name, _roles in ACCOUNTS}
COMMON_BLOCS = ["BC01", "BC02", "BC03", "BC04", "BC05", "BC06"]

# The dashboard section each role sees (ids do not depend on the language) and the sections it must not see.
SECTIONS = {
    "admin": "counts-title",
    "candidate": "my-cert",
    "assessor": "assigned-title",
    "jury": "jury-title",
    "referent": "referent-title",
}
# English headings: the msgids, hence what the English pages show.
ENGLISH_HEADINGS = {
    "counts-title": "The platform in figures",
    "my-cert": "My certification",
    "assigned-title": "My candidates",
    "jury-title": "My jury sessions",
    "referent-title": "Accommodations",
}
ROLE_ACCOUNTS = [ADMIN, CAMILLE, LUCAS, NADIA, ASSESSOR, PRESIDENT, JURY_MEMBER, REFERENT]


def _role(email: str) -> str:
    return next(roles[0] for e, _name, roles in ACCOUNTS if e == email)


def _enrolment_id(live_server, email: str) -> int:
    from portfolio.accounts.models import User
    from portfolio.enrolments.models import Enrolment
    from portfolio.extensions import db

    return live_server.run(lambda: db.session.scalar(
        select(Enrolment.id).join(User, Enrolment.user_id == User.id).where(User.email == email)
    ))


def _reset_locale(live_server, email: str) -> None:
    """Back to the default language: an earlier English run keeps its choice on the account."""
    from portfolio.accounts.models import User
    from portfolio.extensions import db

    def reset():
        db.session.scalar(select(User).where(User.email == email)).locale = None

    live_server.run(reset)


def _admin_counts(live_server) -> list[str]:
    from portfolio.accounts.models import User
    from portfolio.enrolments.models import Cohort, Enrolment
    from portfolio.extensions import db
    from portfolio.referential.models import Certification

    def counts():
        return [str(db.session.scalar(q)) for q in (
            select(func.count(User.id)),
            select(func.count(func.distinct(Enrolment.user_id))),
            select(func.count(Enrolment.id)),
            select(func.count(Cohort.id)),
            select(func.count(Certification.id)).where(Certification.is_current.is_(True)),
        )]

    return live_server.run(counts)


def _expect_lang(page, lang: str) -> None:
    assert page.locator("html").get_attribute("lang") == lang, f"{page.url} is not in {lang}"


def _check_dashboard(page, live_server, email: str, lang: str) -> None:
    role = _role(email)
    assert re.fullmatch(r"/?", page.url.removeprefix(live_server.url)), page.url
    _expect_lang(page, lang)
    assert NAMES[email] in page.locator("h1").inner_text()
    for section_role, heading_id in SECTIONS.items():
        heading = page.locator(f"#{heading_id}")
        if section_role == role:
            assert heading.is_visible(), f"{email} does not see #{heading_id}"
            if lang == "en":
                assert heading.inner_text() == ENGLISH_HEADINGS[heading_id]
        else:
            assert heading.count() == 0, f"{email} sees #{heading_id}"
    main = page.locator("main")
    if role == "candidate":
        blocs = main.locator(".bloc-item strong").all_inner_texts()
        option_bloc = "BC07" if email == CAMILLE else "BC08"
        assert blocs == [*COMMON_BLOCS, option_bloc]
        cohort = "DHEC 2025-2027"
        assert (cohort in main.inner_text()) == (email != NADIA)
    elif role == "assessor":
        names = main.locator("table tbody td:first-child").all_inner_texts()
        assert names == [NAMES[CAMILLE], NAMES[LUCAS]]
    elif role == "admin":
        assert main.locator(".stat-number").all_inner_texts() == _admin_counts(live_server)
    # The header shows who is logged in.
    assert NAMES[email] in page.locator("header .who").inner_text()


def _visit(page, audit, path: str, lang: str, status: int = 200) -> None:
    response = page.goto(path)
    assert response is not None and response.status == status, f"{path}: {response and response.status}"
    _expect_lang(page, lang)
    audit(page)


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("email", ROLE_ACCOUNTS)
def test_role_walks_through_the_pages(page, live_server, audit, log_in, log_out, click_and_wait, email, lang):
    _reset_locale(live_server, email)
    role = _role(email)

    page.goto("/")
    assert page.url.startswith(live_server("/login")), page.url
    _expect_lang(page, "fr")
    audit(page)
    log_in(page, email)
    _check_dashboard(page, live_server, email, "fr")
    audit(page)

    if lang == "en":
        switch = page.locator("header .lang-switch button")
        assert switch.get_attribute("lang") == "en"
        click_and_wait(page, switch)
        _check_dashboard(page, live_server, email, "en")  # back on the same page, now in English
        assert page.locator("header .lang-switch button").get_attribute("lang") == "fr"
        audit(page)

    # The referential.
    _visit(page, audit, "/certifications/", lang)
    click_and_wait(page, page.locator("main table").get_by_role("link", name="RNCP41241"))
    assert page.url == live_server("/certifications/RNCP41241")
    _expect_lang(page, lang)
    assert page.locator("main table").first.locator("tbody tr td:first-child").all_inner_texts() == [
        *COMMON_BLOCS, "BC07", "BC08"]
    # The referential's French texts are marked as French on pages in any language (WCAG 3.1.2).
    assert "cinématographiques" in page.locator("main h1 [lang=fr]").inner_text()
    assert page.locator("main table").first.locator("tbody tr td[lang=fr]").count() == 8
    assert page.locator("footer [lang=fr]").inner_text() == "Diplôme des hautes études cinématographiques"
    audit(page)
    _visit(page, audit, "/certifications/RNCP41241/blocs/BC05", lang)
    assert "RNCP41241BC05" in page.locator("h1").inner_text()
    assert page.locator("ol.competences li strong").all_inner_texts() == [f"BC05.{k}" for k in range(1, 6)]

    # The profile: a new API token is shown once. Only the page showing it is audited: it holds everything
    # the profile shows before and after (the tokens table, the forms) plus the new token's alert.
    page.goto("/profile")
    _expect_lang(page, lang)
    assert email in page.locator("main .facts").inner_text()
    page.locator("#name").fill(f"browser {lang}")
    click_and_wait(page, page.locator("form[action$='/profile/tokens'] button[type=submit]"))
    _expect_lang(page, lang)
    token = page.locator("#new-token").inner_text().strip()
    assert len(token) >= 20
    audit(page)
    page.goto("/profile")
    assert page.locator("#new-token").count() == 0
    assert token not in page.content()
    row = page.locator("main table tbody tr", has_text=f"browser {lang}").first
    assert row.locator("code").inner_text().rstrip("…") == token[:10]

    # Enrolment pages: one's own, the assigned candidates', any for the admin; others get a 404 page.
    camille = _enrolment_id(live_server, CAMILLE)
    if role == "candidate":
        page.goto("/")
        click_and_wait(page, page.locator("main .card h3 a"))
        assert page.url == live_server(f"/enrolments/{_enrolment_id(live_server, email)}")
        _expect_lang(page, lang)
        assert NAMES[email] in page.locator("h1").inner_text()
        audit(page)
        if email != CAMILLE:
            _visit(page, audit, f"/enrolments/{camille}", lang, status=404)
    elif role == "assessor":
        page.goto("/")
        click_and_wait(page, page.locator("main table").get_by_role("link", name=NAMES[LUCAS]))
        assert page.url == live_server(f"/enrolments/{_enrolment_id(live_server, LUCAS)}")
        assert NAMES[LUCAS] in page.locator("h1").inner_text()
        audit(page)
        _visit(page, audit, f"/enrolments/{_enrolment_id(live_server, NADIA)}", lang, status=404)
    elif role == "admin":
        _visit(page, audit, f"/enrolments/{camille}", lang)
        assert NAMES[CAMILLE] in page.locator("h1").inner_text()
    else:
        _visit(page, audit, f"/enrolments/{camille}", lang, status=404)

    # Log out with the header button; the language stays.
    log_out(page)
    assert page.url.startswith(live_server("/login")), page.url
    _expect_lang(page, lang)
    assert page.locator("header form.logout").count() == 0
    assert page.locator(".flashes .alert").count() == 1
    audit(page)
    page.goto("/profile")
    assert page.url.startswith(live_server("/login")), "the session survived the log-out"


def test_skip_link_is_first_and_moves_focus_to_main(page, live_server, audit, log_in):
    log_in(page, ASSESSOR)
    page.goto("/certifications/RNCP41241")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => ({cls: document.activeElement.className, href: document.activeElement.hash})")
    assert focused == {"cls": "skip-link", "href": "#main"}
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is off screen"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # The next Tab lands inside main, past the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")


def test_login_with_the_keyboard_only(page, live_server, audit):
    from portfolio.demo import DEMO_PASSWORD

    _reset_locale(live_server, CAMILLE)
    page.goto("/login")
    assert page.evaluate("() => document.activeElement.id") == "email"  # autofocus
    page.keyboard.type(CAMILLE)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "remember"
    page.keyboard.press("Space")
    assert page.locator("#remember").is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == live_server("/")
    assert page.locator("#my-cert").is_visible()
    audit(page)


def test_wrong_password_shows_an_error(page, live_server, audit, log_in):
    log_in(page, CAMILLE, password="not-the-password")
    assert page.url.startswith(live_server("/login"))
    error = page.locator("main .alert--error")
    assert error.count() == 1 and error.is_visible()
    assert error.inner_text().strip()
    assert page.locator("#email").input_value() == CAMILLE
    assert page.locator("#password").input_value() == ""
    assert page.locator("header form.logout").count() == 0
    audit(page)


def test_form_errors_are_linked_to_their_fields(page, live_server, audit, log_in, click_and_wait):
    log_in(page, "jury2@dhec.example.org")
    page.goto("/profile")
    page.locator("#current").fill("not-my-password")
    click_and_wait(page, page.locator("form[action$='/profile/password'] button[type=submit]"))
    summary = page.locator("#form-errors")
    assert summary.is_visible() and summary.get_attribute("role") == "alert"
    for field_id in ("password", "confirm"):
        field = page.locator(f"#{field_id}")
        assert field.get_attribute("aria-invalid") == "true"
        described = (field.get_attribute("aria-describedby") or "").split()
        assert f"{field_id}-error" in described
        for ref in described:
            assert page.locator(f"#{ref}").inner_text().strip(), f"#{field_id} points at an empty #{ref}"
    assert page.locator("#current").get_attribute("aria-invalid") is None
    audit(page)
    summary.get_by_role("link").first.click()  # the summary's links move focus to the field
    assert page.evaluate("() => document.activeElement.id") == "password"


def test_candidate_chooses_an_option_with_the_keyboard(page, live_server, audit, log_in):
    from portfolio.accounts.services import create_user, get_user_by_email
    from portfolio.demo import DEMO_PASSWORD
    from portfolio.enrolments.services import enrol
    from portfolio.referential.services import current_certification

    email = "no.option@dhec.example.org"

    def make():
        user = get_user_by_email(email) or create_user(email, "Zoé Sans Option", ["candidate"],
                                                       password=DEMO_PASSWORD)
        return enrol(user, current_certification("RNCP41241"), "training", option=None).id

    enrolment_id = live_server.run(make)
    log_in(page, email)
    _visit(page, audit, f"/enrolments/{enrolment_id}", "fr")
    radios = page.locator("main fieldset input[type=radio]")
    assert radios.count() == 2
    radios.first.focus()
    page.keyboard.press("ArrowDown")  # radio groups move with the arrows
    assert radios.nth(1).is_checked()
    option_bloc = {"scenario-realisation": "BC07", "production-distribution": "BC08"}[radios.nth(1).input_value()]
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("main fieldset").count() == 0
    assert page.locator(".flashes .alert--success").count() == 1
    assert page.locator("main .bloc-item strong").all_inner_texts() == [*COMMON_BLOCS, option_bloc]
    audit(page)


ADMIN_LISTS = ["/admin/", "/admin/users", "/admin/cohorts", "/admin/enrolments"]
ADMIN_FORMS = ["/admin/users/new", "/admin/cohorts/new", "/admin/enrolments/new"]


def _existing(live_server, paths: list[str]) -> list[str]:
    """The paths the application serves (the administration pages are written by another helper)."""
    from werkzeug.exceptions import HTTPException

    adapter = live_server.app.url_map.bind("localhost")
    found = []
    for path in paths:
        try:
            adapter.match(path, method="GET")
        except HTTPException:
            continue
        found.append(path)
    return found


def test_admin_pages_pass_the_audit(page, live_server, audit, log_in):
    lists = _existing(live_server, ADMIN_LISTS)
    assert "/admin/" in lists
    _reset_locale(live_server, ADMIN)
    log_in(page, ADMIN)
    details = []
    for path in lists:
        _visit(page, audit, path, "fr")
        assert page.locator("main h1").count() == 1
        assert page.locator("header nav a[aria-current=page]").get_attribute("href") == "/admin/"
        if path != "/admin/":
            # Each list's first row leads to the object's page, audited below.
            first = page.locator("main table tbody tr a").first
            if first.count():
                details.append(first.get_attribute("href"))
    assert len(details) == len(lists) - 1, f"a list without a link to its first row: {details}"
    for path in [*details, *_existing(live_server, ADMIN_FORMS)]:
        _visit(page, audit, path, "fr")
        assert page.locator("main h1").count() == 1
