"""Languages: French by default, English complete. The choice is kept on the account and in a cookie.

The JSON API speaks to programs, not people: its problem details follow the request's
``Accept-Language`` and default to English.
"""
from __future__ import annotations

from flask import current_app, request
from flask_babel import get_locale
from flask_login import current_user

from .extensions import babel

LANG_COOKIE = "lang"


def select_locale() -> str:
    supported = current_app.config["LANGUAGES"]
    if request and request.path.startswith("/api/"):
        return request.accept_languages.best_match(supported, default="en")
    if request:
        if current_user and current_user.is_authenticated and current_user.locale in supported:
            return current_user.locale
        cookie = request.cookies.get(LANG_COOKIE)
        if cookie in supported:
            return cookie
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def inject_locale():
        return {"current_locale": str(get_locale()), "languages": app.config["LANGUAGES"]}
