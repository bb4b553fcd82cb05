"""Languages: Dutch (B1) by default, English as a second language.

The choice comes from `?lang=` or the `lang` cookie, the only cookie the site sets.
"""
from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel

LANGUAGES = ("nl", "en")
DEFAULT = "nl"


def select_locale() -> str:
    for value in (request.args.get("lang"), request.cookies.get("lang")):
        if value in LANGUAGES:
            return value
    return DEFAULT


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=select_locale)
