"""Errors of the cadastre import, in the product's one hierarchy (core.errors).

A problem names where it was found (file, line, gml:id, the object's own id) and
what was wrong. Messages never carry personal data: an owner is named by its
gml:id and line, never by name or PESEL.
"""
from dataclasses import asdict, dataclass

from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    message: str
    code: str
    severity: str = ERROR
    file: str = ""
    line: int | None = None
    gml_id: str = ""
    object_id: str = ""
    kind: str = ""  # the object's kind (parcel, building, ...); empty for the whole file

    def as_dict(self) -> dict:
        return asdict(self)

    def where(self) -> str:
        """`file:line gml:id=… (object)`, leaving out what is not known."""
        place = self.file + (f":{self.line}" if self.line else "")
        parts = [place] if place else []
        if self.gml_id:
            parts.append(f"gml:id={self.gml_id}")
        if self.object_id:
            parts.append(f"({self.object_id})")
        return " ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class ImportRejected(InvalidInput):
    """The file was not imported; nothing was written. Carries every problem found."""

    code = "cadastre_import_rejected"
    default_message = _("The cadastre file was not imported because it has errors; "
                        "nothing was changed.")

    def __init__(self, problems: list[Problem], message=None, *, result=None) -> None:
        self.problems = problems
        self.result = result
        errors = [p for p in problems if p.severity == ERROR]
        first = str(errors[0]) if errors else ""
        super().__init__(message or (first or self.default_message), detail={
            "problems": [p.as_dict() for p in errors[:100]],
            "errors": len(errors),
        })
