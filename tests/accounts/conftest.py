"""Helpers for the accounts tests: reading flashed messages and mails."""
from __future__ import annotations

import html
import re

import pytest

_FLASH = re.compile(r'<p class="alert alert--(\w+)">(.*?)</p>', re.S)


def flashes(response) -> list[tuple[str, str]]:
    """The (category, text) of every flashed message a page shows."""
    return [(cat, html.unescape(text).strip()) for cat, text in _FLASH.findall(response.get_data(as_text=True))]


@pytest.fixture
def outbox():
    from portfolio import mail

    mail.outbox.clear()
    yield mail.outbox
    mail.outbox.clear()


@pytest.fixture
def read_flashes():
    return flashes


@pytest.fixture(autouse=True)
def english_pages(request, app):
    """These tests read messages in English; the language tests check the French default themselves."""
    if request.module.__name__.endswith("test_accounts_language"):
        yield
        return
    previous = app.config["BABEL_DEFAULT_LOCALE"]
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    try:
        yield
    finally:
        app.config["BABEL_DEFAULT_LOCALE"] = previous
