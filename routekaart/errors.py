"""What can be wrong with what someone asked for, as the core sees it.

Each error has a stable code (the API's), an HTTP status, and a Dutch message marked for
translation with its values apart: the web edge (web/errors.py) translates it into the visitor's
language and answers with a page or JSON, so the core needs no web framework.
"""
from __future__ import annotations

from .i18n import N_


class RequestError(ValueError):
    code = "bad_request"
    status = 400

    def __init__(self, message: str, **values):
        super().__init__(message % values if values else message)
        self.message, self.values = message, values


class PostcodeError(RequestError):
    """A postcode that cannot be used; `reason` is 'format' or 'impossible'."""

    code = "invalid_postcode"

    def __init__(self, reason: str, message: str, **values):
        super().__init__(message, **values)
        self.reason = reason


class UnknownPostcode(RequestError):
    code = "unknown_postcode"
    status = 404

    def __init__(self, postcode):
        super().__init__(N_("Postcode %(postcode)s kennen we niet. Klopt hij? Nieuwe postcodes en postbusnummers "
                            "staan soms nog niet in onze gegevens."), postcode=postcode.display)
        self.postcode = postcode


class FilterError(RequestError):
    code = "invalid_filter"


class InvalidParameter(RequestError):
    code = "invalid_parameter"


class PageNotFound(RequestError):
    code = "page_not_found"
    status = 404

    def __init__(self, pages: int):
        super().__init__(N_("Deze pagina bestaat niet: er zijn %(pages)s pagina's."), pages=pages)


class UnknownEntry(RequestError):
    code = "unknown_entry"
    status = 404

    def __init__(self):
        super().__init__(N_("Deze plek kennen we niet. Misschien staat hij niet meer in onze lijst. Zoek opnieuw via "
                            "je postcode."))


class InvalidRegion(RequestError):
    code = "invalid_region"

    def __init__(self):
        super().__init__(N_("Dit is geen regiocode. Een regiocode ziet eruit als ZK10."))


class UnknownRegion(RequestError):
    code = "unknown_region"
    status = 404

    def __init__(self, code: str):
        super().__init__(N_("Regio %(code)s kennen we niet. Kies een regio uit de lijst op de site."), code=code)
