"""One problem type for every importer: the cadastre import, the zoning (APP) import and
the tax records import report what they found the same way.

A problem says what (a stable `code`, its `severity`, a `message` translated when the
problem is found, in the language then active: Polish by default, English by the
language switch) and where: the `file`, its `line`, the `feature_id` (a gml:id, a SWDE
record key, the local ids of the zones concerned), the `object_id` (the object's own
id: parcel id, building id, tax account) and the `kind` of object (parcel, building,
zone, row; empty when the problem is the whole file's). `detail` keeps the values the
message was made from, for programs. Never personal data: an owner is named by its
feature id and line, not by name or PESEL.

A problem made with `problem_of` also keeps its message untranslated (`detail["template"]`,
a msgid marked with gettext_noop, and `detail["params"]`), so a report stored in one
language is shown in the reader's: `text` translates it again, `message` stays as written.
"""
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.formats import number_format
from django.utils.translation import gettext

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class ImportProblem:
    message: str
    code: str
    severity: str = ERROR
    file: str = ""
    line: int | None = None
    feature_id: str = ""
    object_id: str = ""
    kind: str = ""
    detail: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def text(self) -> str:
        """The message in the active language (as written, for a problem without a template)."""
        template = self.detail.get("template") if self.detail else None
        if not template:
            return self.message
        return render(template, self.detail.get("params") or {},
                      self.detail.get("translate") or (), self.detail.get("numbers") or ())

    @property
    def gml_id(self) -> str:
        """The feature id under the name GML readers give it."""
        return self.feature_id

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ImportProblem":
        """A problem as stored (job reports written before `feature_id` said `gml_id`)."""
        data = dict(data)
        if "gml_id" in data:
            data.setdefault("feature_id", data.pop("gml_id"))
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})

    def where(self) -> str:
        """`file:line gml:id=… (object)`, leaving out what is not known."""
        place = self.file + (f":{self.line}" if self.line else "")
        parts = [place] if place else []
        if self.feature_id:
            parts.append(f"gml:id={self.feature_id}" if self.kind != "zone"
                         else self.feature_id)
        if self.object_id:
            parts.append(f"({self.object_id})")
        return " ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.text}" if where else self.text


def _value(value, translated: bool, number: bool):
    if translated and value:
        return gettext(value)
    if number and value not in ("", None):
        try:
            return number_format(Decimal(str(value)))
        except InvalidOperation:
            return value
    return value


def render(template: str, params: dict, translate=(), numbers=()) -> str:
    """`template` (a msgid) translated into the active language, with its values; those
    named in `translate` are msgids too (a GEOS validity reason), those in `numbers`
    decimals written as the language writes them (0,0900 in Polish)."""
    text = gettext(template)
    if not params:
        return text
    values = {k: _value(v, k in translate, k in numbers) for k, v in params.items()}
    try:
        return text % values
    except (KeyError, TypeError, ValueError):  # a catalogue entry that lost a placeholder
        return template % values


def problem_of(template: str, params: dict | None = None, *, code: str, severity: str = ERROR,
               translate: tuple[str, ...] = (), numbers: tuple[str, ...] = (),
               **where) -> ImportProblem:
    """A problem whose message is `template` (marked with gettext_noop) with `params`:
    written in the active language and translated again wherever it is shown.
    `params` must be plain values (text, numbers), as a job keeps them in JSON."""
    params = dict(params or {})
    detail = {"template": template, "params": params}
    if translate:
        detail["translate"] = list(translate)
    if numbers:
        detail["numbers"] = list(numbers)
    return ImportProblem(render(template, params, translate, numbers), code, severity,
                         detail=detail, **where)
