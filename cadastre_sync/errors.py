"""Errors of the cadastre import, in the product's one hierarchy (core.errors).

A problem names where it was found (file, line, gml:id, the object's own id) and
what was wrong. Messages never carry personal data: an owner is named by its
gml:id and line, never by name or PESEL.
"""
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput
from core.problems import ERROR, WARNING, ImportProblem

# The cadastre's problems are the product's one problem type.
Problem = ImportProblem
__all__ = ["ERROR", "WARNING", "ImportRejected", "Problem"]


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
