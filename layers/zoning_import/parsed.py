"""What a reader hands on: plans and zones as read, values still as written in the file.

Geometries travel as WKB in their source coordinate system with easting first;
PostGIS transforms and checks them (see spatial.py). Parameter values stay text
until checks.py has judged them, so a value written `0.95` is still `0.95` there.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from .problems import Problem


@dataclass
class ParsedZone:
    local_id: str
    label: str
    symbol: str
    file: str
    line: int | None
    geometry: bytes | None = None  # WKB, easting first
    srid: int | None = None
    kind_code: str = ""  # general plan: the zone kind code list value (app:nazwa)
    kind_title: str = ""
    designation: str = ""
    provisions: str = ""
    status: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    namespace: str = ""  # general plan: the IIP namespace of the data set
    # general plan: [{"kind": "profilPodstawowy", "href": ..., "title": ...}, ...]
    profiles: list[dict[str, str]] = field(default_factory=list)
    # model field -> every value written for it (a repeated element gives two)
    parameters: dict[str, list[str]] = field(default_factory=dict)
    regulation_nature: str = "generallyBinding"  # app:charakterUstalenia code


@dataclass
class ParsedArea:
    """An area of a general plan beside its zones (infill, downtown, social standards)."""

    local_id: str
    kind: str  # layers.models.PlanArea kind
    file: str
    line: int | None
    geometry: bytes | None = None  # WKB, easting first
    srid: int | None = None
    namespace: str = ""
    regulation_nature: str = "generallyBinding"  # app:charakterUstalenia code
    label: str = ""  # app:oznaczenie
    # social standards area: element -> {"value": ..., "uom": ...}, in the schema's order
    standards: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class ParsedDocument:
    """A formal document of the plan (app:DokumentFormalny): layers.models.PlanDocument."""

    local_id: str
    role: str  # layers.models.PlanDocument role
    title: str
    date: date | None
    file: str
    line: int | None
    namespace: str = ""
    short_name: str = ""
    number: str = ""
    issuer: str = ""
    date_type: str = "creation"
    in_force_from: date | None = None
    repealed_on: date | None = None
    detail_reference: str = ""
    official_journal: str = ""
    links: list[str] = field(default_factory=list)


@dataclass
class ParsedDrawing:
    """The plan's drawing (app:RysunekAktuPlanowaniaPrzestrzennego): PlanDrawing."""

    local_id: str
    title: str
    url: str
    crs: str
    resolution: int | None
    valid_from: date | None
    file: str
    line: int | None
    namespace: str = ""
    legend_url: str = ""
    description: str = ""
    valid_to: date | None = None


@dataclass
class ParsedPlan:
    identifier: str
    name: str
    kind: str
    file: str
    line: int | None
    boundary: bytes | None = None  # WKB, easting first; None: the union of the zones
    srid: int | None = None
    namespace: str = ""
    plan_type: str = ""  # general plan: app:typPlanu code
    teryt: str = ""  # the unit code the plan itself names (6 digits), when it names one
    legal_status: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    resolution_number: str = ""
    resolution_date: date | None = None
    text_url: str = ""
    scale_denominator: int = 1000
    version_started: datetime | None = None  # APP poczatekWersjiObiektu of the act
    zones: list[ParsedZone] = field(default_factory=list)
    areas: list[ParsedArea] = field(default_factory=list)
    documents: list[ParsedDocument] = field(default_factory=list)
    drawings: list[ParsedDrawing] = field(default_factory=list)
    # the act's own references to its documents: document local id -> PlanDocument role
    document_roles: dict[str, str] = field(default_factory=dict)
    # read from APP files, which hold the plan's documents and drawings (none if none):
    # they replace those stored; a plan from another format keeps the stored ones
    papers_read: bool = False


@dataclass
class ReadResult:
    plans: list[ParsedPlan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
