"""Browser fixtures: a live server on its own database, Debian's Chromium through Playwright, an axe audit.

The live application is separate from the session app of tests/conftest.py: it has its own SQLite file,
real CSRF and the demo data, and it serves requests from a thread. The per-test transaction of
tests/conftest.py swaps ``db.session`` globally, which would make the server thread's requests use the
test's bound session; browser tests therefore override ``db_session`` with a fixture that does nothing.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    # Browser tests are slow to set up; every test in this folder is marked even if a file forgets it.
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def db_session():
    """Overrides the per-test transaction: the live server must keep its own sessions."""
    yield None


# --- the live server ---------------------------------------------------------------------------------

class LiveServer:
    def __init__(self, app, server) -> None:
        self.app = app
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_port}"

    def __call__(self, path: str = "/") -> str:
        return self.url + path

    def run(self, fn: Callable):
        """Run ``fn()`` inside the live application's context and commit (test set-up and checks)."""
        from portfolio.extensions import db

        with self.app.app_context():
            try:
                result = fn()
                db.session.commit()
                return result
            finally:
                db.session.remove()


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from portfolio import create_app
    from portfolio.demo import seed_demo
    from portfolio.extensions import db

    tmp = Path(tempfile.mkdtemp(prefix="portfolio-browser-"))
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'live.db'}",
        "SECRET_KEY": "browser-test-secret",
        "WTF_CSRF_ENABLED": True,
        "RATELIMIT_ENABLED": False,
        "UPLOAD_DIR": str(tmp / "uploads"),
        "PASSWORD_HASH_PROFILE": "fast",
    })
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, server)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


# --- the browser -------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        message = f"Chromium is missing at {CHROMIUM}: install Debian's 'chromium' package"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) per test; any 5xx answer or page error fails the test."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    # axe-core in every document, sent once per context (init scripts are not subject to the page's CSP).
    context.add_init_script(script=_axe_source())
    page = context.new_page()
    problems: list[str] = []
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    page.on("pageerror", lambda e: problems.append(f"JavaScript error: {e}"))
    try:
        yield page
    finally:
        context.close()
    assert not problems, "server or page errors:\n" + "\n".join(problems)


# --- helpers (plain functions, also given as fixtures so that test modules need not import conftest) ----

_AXE_SOURCE: str | None = None


def _axe_source() -> str:
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        import axe_playwright_python

        _AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
    return _AXE_SOURCE


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']}")
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)


_CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*?value=")[^"]*"')
_WHO = re.compile(r'(<span class="who">)[^<]*(</span>)')
_AUDITED: set[str] = set()  # digests of documents that already passed


def audit(page) -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA) on the current page; fail listing every violation.

    A document identical to one that already passed is not audited again, since axe would give the same
    answer: the role walks meet the same login and referential pages many times. CSRF tokens and the
    logged-in user's name in the header do not count as differences.
    """
    # The focused element changes what is shown (the skip link), so it is part of the document's identity.
    html = page.evaluate(
        "() => document.documentElement.outerHTML + '|' + (document.activeElement || document.body).outerHTML")
    html = _WHO.sub(r"\1\2", _CSRF_VALUE.sub(r'\1"', html))
    digest = hashlib.sha256(html.encode()).hexdigest()
    if digest in _AUDITED:
        return
    # Normally there through the context's init script; page.evaluate is not subject to the CSP either.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    violations = results["violations"]
    assert not violations, f"axe found accessibility violations on {page.url}:\n{format_violations(violations)}"
    _AUDITED.add(digest)


def log_in(page, email: str, password: str | None = None) -> None:
    """Log in through the real login form (the demo password unless told)."""
    from portfolio.demo import DEMO_PASSWORD

    if "/login" not in page.url:
        page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password or DEMO_PASSWORD)
    click_and_wait(page, page.locator("main form button[type=submit]"))


def log_out(page) -> None:
    """Log out with the header button."""
    click_and_wait(page, page.locator("header form.logout button[type=submit]"))


def click_and_wait(page, locator) -> None:
    """Click something that loads a new page, and wait for that page."""
    with page.expect_navigation():
        locator.click()


@pytest.fixture(name="audit")
def audit_fixture():
    return audit


@pytest.fixture(name="log_in")
def log_in_fixture():
    return log_in


@pytest.fixture(name="log_out")
def log_out_fixture():
    return log_out


@pytest.fixture(name="click_and_wait")
def click_and_wait_fixture():
    return click_and_wait
