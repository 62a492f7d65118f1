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
"""
from dataclasses import asdict, dataclass, field

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
        return f"{where}: {self.message}" if where else self.message
