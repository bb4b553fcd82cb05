"""Languages: Dutch (B1) by default, English as a second language.

The choice comes from `?lang=` or the `lang` cookie. That cookie is the only one the site sets,
and only when a visitor picks a language on an HTML page (the switch link adds `?lang=`).
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, g, request
from flask_babel import Babel, get_locale, get_translations

LANGUAGES = ("nl", "en")
DEFAULT = "nl"
COOKIE_DAYS = 365


def N_(text: str) -> str:
    """Marks a text for `pybabel extract` (keyword N_) where it is defined; templates translate it
    with _() when they show it, in the visitor's language."""
    return text


def select_locale() -> str:
    for value in (request.args.get("lang"), request.cookies.get("lang")):
        if value in LANGUAGES:
            return value
    return DEFAULT


def switch_url(lang: str) -> str:
    """This page (path and query) in another language, as a query alone ('?km=10&lang=en'): the
    browser keeps the path it has, so a path such as '/%5Cevil.example/x' cannot send it off-site."""
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    return f"?{urlencode(args + [('lang', lang)])}"


def remember_choice(response):
    """Set the cookie when the visitor chose a language on an HTML page, and never otherwise."""
    chosen = request.args.get("lang")
    is_page = response.mimetype == "text/html" and not 300 <= response.status_code < 400
    if chosen in LANGUAGES and is_page and request.cookies.get("lang") != chosen:
        response.set_cookie("lang", chosen, max_age=COOKIE_DAYS * 24 * 3600, samesite="Lax", httponly=True,
                            secure=request.is_secure)
    return response


def translations():
    """This request's translations, found once: Flask-Babel looks them up again for every text,
    and a route page has a few hundred texts."""
    found = g.get("translations")
    if found is None:
        found = g.translations = get_translations()
    return found


def language() -> str:
    """This request's language ('nl', 'en'), found once, as translations()."""
    found = g.get("language")
    if found is None:
        found = g.language = str(get_locale())
    return found


def gettext(text: str, /, **variables) -> str:
    """Flask-Babel's gettext, with this request's translations found once (translations())."""
    said = translations().ugettext(text)
    return said % variables if variables else said


def ngettext(singular: str, plural: str, num: int, /, **variables) -> str:
    """Flask-Babel's ngettext (num is one of the variables), as gettext above."""
    return translations().ungettext(singular, plural, num) % {"num": num, **variables}


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(
        # Jinja fills in a text's variables itself: gettext is asked with the text alone, and
        # ngettext without ours, which would fill in num first.
        gettext=gettext, ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        newstyle=True)
    app.jinja_env.globals.update(language_switch_url=switch_url, current_language=language)
    app.after_request(remember_choice)
