"""Input of the permits pages and API checked before it reaches a form or a service: a
kind's JSON content turned into form data, and the version a page action was drawn from.

A Django form reads every value as text: an object or a list given where one value is
expected would be stored as its Python repr. Here each value must be text, a number,
true/false or null; a GeoJSON geometry (an object with a "type") is passed on as its JSON
text, which the geometry fields read. Anything else is refused naming the field.
"""
import json

from django.utils.translation import gettext as _

from core.errors import InvalidInput

SCALARS = (str, int, float, bool)


def _refuse(path: str, message: str):
    return InvalidInput(_("The application's content has the wrong shape: %(field)s.")
                        % {"field": path}, detail={path: [message]})


def json_value(path: str, value):
    """One form value from JSON; a GeoJSON object becomes its text."""
    if value is None or isinstance(value, SCALARS):
        return value
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return json.dumps(value)
    kind = _("an object") if isinstance(value, dict) else _("a list")
    raise _refuse(path, _("Give text, a number, true or false here, not %(kind)s.")
                  % {"kind": kind})


def json_rows(content: dict, name: str, *, limit: int) -> list[dict]:
    """The list of objects under `name` (none when the key is left out), at most `limit`."""
    rows = content.get(name, [])
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise _refuse(name, _("Give a list of objects here (an empty list for none)."))
    if len(rows) > limit:
        raise _refuse(name, _("At most %(limit)d items.") % {"limit": limit})
    return rows


def json_form_data(content: dict) -> dict:
    """Form data of a kind with one plain form: every value checked by json_value."""
    return {key: json_value(key, value) for key, value in content.items()}


def posted_version(post) -> int:
    """The case version a page's form was drawn from. Every page action sends it; one
    without it would skip the check that nobody changed the case meanwhile, so it is
    refused instead."""
    try:
        return int(post["version"])
    except (KeyError, TypeError, ValueError):
        raise InvalidInput(_("The form is incomplete or out of date: reload the page and try "
                             "again."), detail={"field": "version"}) from None
