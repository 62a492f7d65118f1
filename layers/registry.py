"""Every layer geo_portal publishes, as one table.

The mapfile (layers/mapserver.py) and the MapProxy sources, caches and layers
(layers/mapproxy_config.py) are generated from `LAYERS`; nothing about a
published layer is written by hand anywhere else.

Each source query returns `id` (unique), `geom` (EPSG:2180) and the columns
named by the layer's label and queryable fields. It filters the indexed
geometry with `!BOX!`, MapServer's placeholder for the requested extent: the
bounding-box test then hits the GiST index even where the query joins tables.
Scales are OGC scale denominators (0.28 mm pixel), as MapProxy counts them.
"""
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from cadastre_sync.tax.rules import FINDING_CATEGORIES, FINDING_TITLES_PL

from .zoning_symbols import (
    GENERAL_PLAN_ZONES,
    GENERAL_ZONE_OUTLINE,
    LOCAL_PLAN_DESIGNATIONS,
    UNKNOWN_COLOUR,
    ZoneKind,
)


class Geometry(StrEnum):
    POLYGON = "polygon"
    LINE = "line"
    POINT = "point"


class Access(StrEnum):
    """Who may see a layer, on every path: pages, API, WMS/WMTS/XYZ, vector tiles.

    Decided in one place, `layers.access` (`layer_scope`, `layer_scope_named`, `layer_allowed`):

    - PUBLIC: everyone, logged in or not.
    - STAFF: staff holding any role in a unit, for that unit's features only.
    - ROLE: users whose role grants "view" on the model label named by the layer's
      `requires` (e.g. `requires="cadastre_sync.owner"`) in core.roles.ROLE_RIGHTS,
      for the features of the units where they hold that role.

    A restricted (STAFF or ROLE) layer's `sql` must also return `unit_id`, the unit the
    feature belongs to: vector tiles filter on it, and OGC services are limited to the
    boundaries of the user's units. Restricted layers are missing from the capabilities
    a user without the right gets; their maps, tiles and feature info answer 401 to an
    anonymous client and 403 to a user without the right.
    """

    PUBLIC = "public"
    STAFF = "staff"
    ROLE = "role"


@dataclass(frozen=True)
class Field:
    """A column shown by GetFeatureInfo, with its Polish heading."""

    name: str
    title_pl: str


@dataclass(frozen=True)
class Style:
    """How a feature is drawn; colours are '#rrggbb', opacity in percent."""

    outline: str | None = None
    width: float = 1.0
    fill: str | None = None
    opacity: int = 100
    dash: tuple[int, ...] = ()


@dataclass(frozen=True)
class SymbolClass:
    """Features whose `item` equals `value` get `style` (e.g. one zone symbol)."""

    value: str
    title: str  # Polish: the map, its legend and feature info speak Polish
    style: Style


@dataclass(frozen=True)
class Label:
    """A text label placed at a point inside each feature, never forced over another.

    Where two labels compete for one place (in a composite map), the higher priority
    (1 to 10) stays: zone labels over parcel numbers over land-use symbols.
    """

    item: str
    size: float = 8.0
    colour: str = "#000000"
    halo: str = "#ffffff"
    font: str = "sans"
    priority: int = 5
    max_scale: int | None = None
    title_pl: str = "Opisy"  # in the legend, beside a sample of the text
    # A column of the layer's SQL holding the text's angle (degrees anticlockwise), for
    # names written along a street; None: horizontal.
    angle: str | None = None
    # A column of the layer's SQL holding the point to write at; None: a point inside the
    # feature (ST_PointOnSurface).
    anchor: str | None = None


@dataclass(frozen=True)
class PublishedLayer:
    name: str
    title_pl: str
    title_en: str
    abstract_pl: str
    abstract_en: str
    geometry: Geometry
    sql: str
    style: Style | None
    classes: tuple[SymbolClass, ...] = ()
    class_item: str | None = None
    label: Label | None = None
    max_scale: int | None = None
    min_scale: int | None = None
    queryable: tuple[Field, ...] = ()
    access: Access = Access.PUBLIC
    # For Access.ROLE: the model label whose "view" right opens the layer.
    requires: str | None = None

    def __post_init__(self) -> None:
        if (self.access == Access.ROLE) != bool(self.requires):
            raise ValueError(f"layer {self.name}: `requires` is set exactly for Access.ROLE")

    @property
    def is_queryable(self) -> bool:
        return bool(self.queryable) and self.style is not None


# Zones are filled in their planning colour, translucent enough for the parcels and
# buildings drawn with them to read through; a thin dark line parts neighbours of one colour.
ZONE_OPACITY = 60
# Zone boundaries outweigh parcel boundaries (1.2 px) on a planning map: 0.45 mm.
ZONE_LINE = 1.6


def _zone_classes(kinds: dict[str, ZoneKind], outline: str | None) -> tuple[SymbolClass, ...]:
    return tuple(
        SymbolClass(kind.symbol, kind.name_pl,
                    Style(outline=outline or kind.colour, width=ZONE_LINE, fill=kind.colour,
                          opacity=ZONE_OPACITY))
        for kind in kinds.values()
    )


_UNKNOWN_ZONE = Style(outline=GENERAL_ZONE_OUTLINE, width=ZONE_LINE, fill=UNKNOWN_COLOUR,
                      opacity=ZONE_OPACITY)

_ZONE_FIELDS = (
    Field("label", "Oznaczenie"),
    Field("symbol", "Symbol"),
    Field("designation", "Przeznaczenie"),
    Field("plan_name", "Plan"),
    Field("status", "Status"),
    Field("max_intensity", "Maks. nadziemna intensywność zabudowy"),
    Field("max_built_up_share", "Maks. udział powierzchni zabudowy [%]"),
    Field("max_height_m", "Maks. wysokość zabudowy [m]"),
    Field("min_biologically_active_share", "Min. udział powierzchni biologicznie czynnej [%]"),
)

# Zones of plans in force: a plan or zone whose validity ended is history, not law.
_ZONES_SQL = """
SELECT z.id, z.geom, p.unit_id, z.label, z.symbol, z.designation, p.name AS plan_name,
       COALESCE(NULLIF(z.status, ''), p.legal_status) AS status,
       z.max_intensity, z.max_built_up_share, z.max_height_m, z.min_biologically_active_share
FROM layers_zoningzone z JOIN layers_zoningplan p ON p.id = z.plan_id
WHERE p.kind = '{kind}' AND (p.valid_to IS NULL OR p.valid_to >= current_date)
  AND (z.valid_to IS NULL OR z.valid_to >= current_date)
  AND z.geom && !BOX!
"""

# --- The cartographic base map, drawn from our own layers (no orthophoto needed) ----------

# Land-use symbols (OFU) by what a map reader sees: (cover, Polish title, fill colour).
# Quiet colours of topographic maps, light enough for the cadastre drawn over them.
# Each cover is named in the legend by its symbols ("Ls, Lz, Lzr – lasy ...").
LAND_COVER: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("B", "Bi", "Bp", "Br"), "tereny mieszkaniowe i zabudowane", "#efe6dd"),
    (("Ba", "K"), "tereny przemysłowe i górnicze", "#e6dbe6"),
    (("Bz",), "tereny rekreacyjno-wypoczynkowe", "#d4ecc4"),
    (("R",), "grunty orne", "#f6f1d3"),
    (("Ł", "Ps", "S"), "łąki, pastwiska i sady", "#e1efc6"),
    (("Ls", "Lz", "Lzr"), "lasy i grunty zadrzewione", "#b5d5a0"),
    (("Wm", "Wp", "Ws", "Wsr", "W"), "wody", "#a9d2e0"),
    (("dr",), "drogi", "#ffffff"),
    (("Tk", "Ti", "Tp"), "tereny kolejowe i komunikacyjne", "#e2dedb"),
    (("N", "Tr"), "nieużytki i tereny różne", "#ebe8dc"),
)
_ROAD_EDGE = "#b3a89c"


def _cover(codes: tuple[str, ...]) -> str:
    return ", ".join(codes)


def _land_cover_case() -> str:
    """SQL: the cover of a land-use piece from its OFU symbol (constants only)."""
    whens = " ".join(
        "WHEN l.ofu IN (" + ", ".join(f"'{code}'" for code in codes) + f") THEN '{_cover(codes)}'"
        for codes, _title, _colour in LAND_COVER)
    return f"CASE {whens} ELSE '' END"


def _land_cover_classes() -> tuple[SymbolClass, ...]:
    return tuple(
        SymbolClass(_cover(codes), title,
                    Style(fill=colour, outline=_ROAD_EDGE if codes == ("dr",) else None,
                          width=0.8))
        for codes, title, colour in LAND_COVER)


_LAND_COVER_SQL = f"""
SELECT l.id, l.geom, {_land_cover_case()} AS cover
FROM cadastre_sync_landusepiece l JOIN cadastre_sync_parcel p ON p.id = l.parcel_id
WHERE p.retired_at IS NULL AND l.geom && !BOX!
"""  # noqa: S608

# A street's name along the road pieces it runs on. Each address point belongs to the road
# piece nearest to it; a piece is named after the street most of its address points (two
# at least) are numbered on, so a cross street with a few corner houses of another street
# stays unnamed rather than misnamed. The text follows the long side of the piece's
# oriented envelope, turned upright (-90 to 90 degrees), a quarter of the way from its
# middle, where the road parcel's own number stands.
_STREET_NAMES_SQL = """
SELECT r.id, r.geom, s.street,
       degrees(atan2(a.vy, a.vx)) - 180 * floor((degrees(atan2(a.vy, a.vx)) + 90) / 180)
         AS angle,
       ST_ClosestPoint(r.geom, ST_Translate(ST_Centroid(r.env), a.vx / 4, a.vy / 4)) AS anchor
FROM (
  SELECT l.id, l.geom, p.unit_id, ST_OrientedEnvelope(l.geom) AS env
  FROM cadastre_sync_landusepiece l JOIN cadastre_sync_parcel p ON p.id = l.parcel_id
  WHERE l.ofu = 'dr' AND p.retired_at IS NULL AND l.geom && !BOX!
) AS r
CROSS JOIN LATERAL (
  SELECT CASE WHEN e IS NULL THEN 1
              WHEN ST_Distance(ST_PointN(e, 1), ST_PointN(e, 2))
                   >= ST_Distance(ST_PointN(e, 2), ST_PointN(e, 3))
              THEN ST_X(ST_PointN(e, 2)) - ST_X(ST_PointN(e, 1))
              ELSE ST_X(ST_PointN(e, 3)) - ST_X(ST_PointN(e, 2)) END AS vx,
         CASE WHEN e IS NULL THEN 0
              WHEN ST_Distance(ST_PointN(e, 1), ST_PointN(e, 2))
                   >= ST_Distance(ST_PointN(e, 2), ST_PointN(e, 3))
              THEN ST_Y(ST_PointN(e, 2)) - ST_Y(ST_PointN(e, 1))
              ELSE ST_Y(ST_PointN(e, 3)) - ST_Y(ST_PointN(e, 2)) END AS vy
  FROM (SELECT CASE WHEN GeometryType(r.env) = 'POLYGON' THEN ST_ExteriorRing(r.env)
               END AS e) AS ring
) AS a
CROSS JOIN LATERAL (
  SELECT ad.street, count(*) AS n, sum(count(*)) OVER () AS total
  FROM cadastre_sync_address ad
  WHERE ad.unit_id = r.unit_id AND ad.street <> '' AND ad.point IS NOT NULL
    AND ST_DWithin(ad.point, r.geom, 50)
    AND (SELECT n.id FROM cadastre_sync_landusepiece n
         WHERE n.ofu = 'dr' ORDER BY n.geom <-> ad.point LIMIT 1) = r.id
  GROUP BY ad.street
  ORDER BY count(*) DESC, ad.street
  LIMIT 1
) AS s
WHERE s.n >= 2 AND 2 * s.n > s.total
"""

_HOUSE_NUMBERS_SQL = """
SELECT a.id, a.point AS geom, a.house_number
FROM cadastre_sync_address a
WHERE a.point IS NOT NULL AND a.point && !BOX!
"""

_PLAN_FIELDS = (
    Field("identifier", "Identyfikator planu"),
    Field("name", "Tytuł"),
    Field("legal_status", "Status"),
    Field("resolution_number", "Uchwała"),
    Field("valid_from", "Obowiązuje od"),
    Field("valid_to", "Obowiązuje do"),
)

# Boundaries of the plans in force (the area a plan covers, APP zasięg przestrzenny).
_PLANS_SQL = """
SELECT p.id, p.geom, p.unit_id, p.identifier, p.name, p.legal_status, p.resolution_number,
       to_char(p.valid_from, 'YYYY-MM-DD') AS valid_from,
       to_char(p.valid_to, 'YYYY-MM-DD') AS valid_to
FROM layers_zoningplan p
WHERE p.kind = '{kind}' AND p.geom IS NOT NULL
  AND (p.valid_to IS NULL OR p.valid_to >= current_date) AND p.geom && !BOX!
"""

LAYERS: tuple[PublishedLayer, ...] = (
    PublishedLayer(
        name="units",
        title_pl="Granice jednostek samorządu terytorialnego",
        title_en="Local government unit boundaries",
        abstract_pl="Granice gmin, powiatów i województw obsługiwanych w portalu.",
        abstract_en="Boundaries of the gminy, powiaty and voivodeships hosted here.",
        geometry=Geometry.POLYGON,
        sql="""
SELECT id, boundary AS geom, teryt, name FROM core_administrativeunit
WHERE boundary && !BOX!
""",
        style=Style(outline="#c62828", width=2.5, dash=(10, 4)),
        queryable=(Field("teryt", "Kod TERYT"), Field("name", "Nazwa")),
    ),
    PublishedLayer(
        name="precincts",
        title_pl="Obręby ewidencyjne",
        title_en="Cadastral precincts",
        abstract_pl="Granice obrębów ewidencyjnych z ewidencji gruntów i budynków.",
        abstract_en="Cadastral precinct boundaries from the land and building register.",
        geometry=Geometry.POLYGON,
        sql="""
SELECT pr.id, pr.geom, pr.unit_id, u.teryt || '.' || pr.number AS code, pr.number, pr.name
FROM cadastre_sync_precinct pr JOIN core_administrativeunit u ON u.id = pr.unit_id
WHERE pr.geom && !BOX!
""",
        style=Style(outline="#6a1b9a", width=2.0, dash=(6, 3)),
        max_scale=100_000,
        queryable=(Field("code", "Identyfikator obrębu"), Field("name", "Nazwa obrębu")),
    ),
    PublishedLayer(
        name="parcels",
        title_pl="Działki ewidencyjne",
        title_en="Cadastral parcels",
        abstract_pl="Granice bieżących działek ewidencyjnych (EGiB).",
        abstract_en="Boundaries of the current cadastral parcels (EGiB).",
        geometry=Geometry.POLYGON,
        sql="""
SELECT p.id, p.geom, p.unit_id, p.parcel_id, p.number, pr.name AS precinct,
       p.registered_area_ha
FROM cadastre_sync_parcel p JOIN cadastre_sync_precinct pr ON pr.id = p.precinct_id
WHERE p.retired_at IS NULL AND p.geom && !BOX!
""",
        style=Style(outline="#1a1a1a", width=1.2),
        max_scale=12_000,
        queryable=(
            Field("id", "Nr rekordu"),
            Field("parcel_id", "Identyfikator działki"),
            Field("number", "Numer działki"),
            Field("precinct", "Obręb"),
            Field("registered_area_ha", "Powierzchnia ewidencyjna [ha]"),
        ),
    ),
    PublishedLayer(
        name="parcel_numbers",
        title_pl="Numery działek",
        title_en="Parcel numbers",
        abstract_pl="Numery bieżących działek ewidencyjnych.",
        abstract_en="Numbers of the current cadastral parcels.",
        geometry=Geometry.POLYGON,
        sql="""
SELECT id, geom, number FROM cadastre_sync_parcel
WHERE retired_at IS NULL AND geom && !BOX!
""",
        style=None,
        label=Label(item="number", size=8, colour="#1a1a1a", priority=7),
        max_scale=5_000,
    ),
    PublishedLayer(
        name="buildings",
        title_pl="Budynki",
        title_en="Buildings",
        abstract_pl="Obrysy bieżących budynków z ewidencji gruntów i budynków.",
        abstract_en="Footprints of the current buildings from the land and building register.",
        geometry=Geometry.POLYGON,
        sql="""
SELECT id, geom, unit_id, building_id, kst_class, storeys_above, storeys_below
FROM cadastre_sync_building
WHERE retired_at IS NULL AND geom && !BOX!
""",
        style=Style(outline="#6d4c41", width=0.8, fill="#d7ccc8", opacity=80),
        # Smaller than 1:6 000 footprints are specks that hide the parcels and zones.
        max_scale=6_000,
        queryable=(
            Field("building_id", "Identyfikator budynku"),
            Field("kst_class", "Klasa KŚT"),
            Field("storeys_above", "Kondygnacje nadziemne"),
            Field("storeys_below", "Kondygnacje podziemne"),
        ),
    ),
    PublishedLayer(
        name="land_use",
        title_pl="Użytki gruntowe i klasy gleboznawcze",
        title_en="Land use and soil classes",
        abstract_pl="Kontury klasoużytków bieżących działek, opisane symbolem OFU i klasą OZK.",
        abstract_en="Land-use and soil class pieces of current parcels, labelled OFU and OZK.",
        geometry=Geometry.POLYGON,
        sql="""
SELECT l.id, l.geom, l.ofu || l.ozk AS ofu_ozk, l.ofu, l.ozu, l.ozk, l.area_ha,
       p.parcel_id
FROM cadastre_sync_landusepiece l JOIN cadastre_sync_parcel p ON p.id = l.parcel_id
WHERE p.retired_at IS NULL AND l.geom && !BOX!
""",
        style=Style(outline="#2e7d32", width=0.8, dash=(4, 3)),
        label=Label(item="ofu_ozk", size=7.5, colour="#1b5e20", font="sans-italic", priority=4,
                    title_pl="Symbole użytków i klas gleboznawczych"),
        max_scale=5_000,
        queryable=(
            Field("parcel_id", "Działka"),
            Field("ofu", "Użytek (OFU)"),
            Field("ozu", "Użytek gleboznawczy (OZU)"),
            Field("ozk", "Klasa gleboznawcza (OZK)"),
            Field("area_ha", "Powierzchnia [ha]"),
        ),
    ),
    # The base map's pieces: the colours of the land, street names, house numbers; drawn
    # together with the buildings as `base_map`, under the cadastre when no orthophoto is.
    PublishedLayer(
        name="land_cover",
        title_pl="Pokrycie terenu",
        title_en="Land cover",
        abstract_pl="Użytki gruntowe w barwach mapy topograficznej: zabudowa, pola, łąki, "
                    "lasy, wody i drogi.",
        abstract_en="Land use in the colours of a topographic map: built-up land, fields, "
                    "meadows, forests, waters and roads.",
        geometry=Geometry.POLYGON,
        sql=_LAND_COVER_SQL,
        style=Style(fill="#ebe8dc"),
        classes=_land_cover_classes(),
        class_item="cover",
        max_scale=25_000,
    ),
    PublishedLayer(
        name="street_names",
        title_pl="Nazwy ulic",
        title_en="Street names",
        abstract_pl="Nazwy ulic wzdłuż działek drogowych, według punktów adresowych.",
        abstract_en="Street names along the road parcels, from the address points.",
        geometry=Geometry.POLYGON,
        sql=_STREET_NAMES_SQL,
        style=None,
        label=Label(item="street", size=8, colour="#3e3a36", font="sans-italic", priority=6,
                    angle="angle", anchor="anchor"),
        max_scale=5_000,
    ),
    PublishedLayer(
        name="house_numbers",
        title_pl="Numery porządkowe budynków",
        title_en="House numbers",
        abstract_pl="Numery porządkowe z punktów adresowych.",
        abstract_en="House numbers of the address points.",
        geometry=Geometry.POINT,
        sql=_HOUSE_NUMBERS_SQL,
        style=None,
        label=Label(item="house_number", size=7.5, colour="#5d4037", priority=3),
        max_scale=2_500,
    ),
    PublishedLayer(
        name="general_zones",
        title_pl="Plan ogólny – strefy planistyczne",
        title_en="General plan – planning zones",
        abstract_pl="Strefy planistyczne obowiązujących planów ogólnych gmin.",
        abstract_en="Planning zones of the general plans in force.",
        geometry=Geometry.POLYGON,
        sql=_ZONES_SQL.format(kind="general"),
        style=_UNKNOWN_ZONE,
        classes=_zone_classes(GENERAL_PLAN_ZONES, GENERAL_ZONE_OUTLINE),
        class_item="symbol",
        label=Label(item="label", size=10, colour="#212121", font="sans-bold", priority=9,
                    max_scale=25_000, title_pl="Oznaczenia stref"),
        max_scale=500_000,
        queryable=_ZONE_FIELDS,
    ),
    PublishedLayer(
        name="local_zones",
        title_pl="Miejscowe plany zagospodarowania przestrzennego",
        title_en="Local zoning plans (MPZP)",
        abstract_pl="Tereny o przeznaczeniu ustalonym w obowiązujących planach miejscowych.",
        abstract_en="Designated areas of the local plans in force.",
        geometry=Geometry.POLYGON,
        sql=_ZONES_SQL.format(kind="local"),
        style=_UNKNOWN_ZONE,
        classes=_zone_classes(LOCAL_PLAN_DESIGNATIONS, None),
        class_item="symbol",
        label=Label(item="label", size=10, colour="#212121", font="sans-bold", priority=9,
                    max_scale=10_000, title_pl="Oznaczenia terenów"),
        max_scale=50_000,
        queryable=_ZONE_FIELDS,
    ),
    PublishedLayer(
        name="general_plans",
        title_pl="Plan ogólny – granica",
        title_en="General plan – boundary",
        abstract_pl="Obszar objęty obowiązującym planem ogólnym gminy.",
        abstract_en="The area of the general plan in force.",
        geometry=Geometry.POLYGON,
        sql=_PLANS_SQL.format(kind="general"),
        style=Style(outline="#6a1b9a", width=2.0, dash=(10, 4)),
        max_scale=1_000_000,
        queryable=_PLAN_FIELDS,
    ),
    PublishedLayer(
        name="local_plans",
        title_pl="Miejscowe plany – granice",
        title_en="Local plans – boundaries",
        abstract_pl="Obszary objęte obowiązującymi miejscowymi planami zagospodarowania "
                    "przestrzennego.",
        abstract_en="The areas of the local plans in force.",
        geometry=Geometry.POLYGON,
        sql=_PLANS_SQL.format(kind="local"),
        style=Style(outline="#c62828", width=1.8, dash=(8, 3)),
        max_scale=250_000,
        queryable=_PLAN_FIELDS,
    ),
    # Personal data: the roles granting view on owners are core.roles.PERSONAL_DATA_ROLES.
    PublishedLayer(
        name="parcel_owners",
        title_pl="Działki z władającymi",
        title_en="Parcels with their owners",
        abstract_pl="Bieżące działki z jednostką rejestrową i władającymi (dane osobowe, "
                    "dostęp wyłącznie dla uprawnionych pracowników swojej jednostki).",
        abstract_en="Current parcels with their register unit and owners (personal data, "
                    "for entitled staff of their own unit only).",
        geometry=Geometry.POLYGON,
        sql="""
SELECT p.id, p.geom, p.unit_id, p.parcel_id, p.number, ru.register_id AS register_unit,
  (SELECT string_agg(
     CASE WHEN o.kind = 'person' THEN concat_ws(' ', o.first_name, o.surname) ELSE o.name END
     || CASE WHEN sp.id IS NULL THEN '' ELSE ' i ' || concat_ws(' ', sp.first_name, sp.surname)
        END
     || ' (' || s.numerator || '/' || s.denominator || ')', '; ' ORDER BY s.id)
   FROM cadastre_sync_ownershipshare s JOIN cadastre_sync_owner o ON o.id = s.owner_id
   LEFT JOIN cadastre_sync_owner sp ON sp.id = s.spouse_id
   WHERE s.register_unit_id = ru.id) AS owners
FROM cadastre_sync_parcel p LEFT JOIN cadastre_sync_registerunit ru ON ru.id = p.register_unit_id
WHERE p.retired_at IS NULL AND p.geom && !BOX!
""",
        style=Style(outline="#e65100", width=1.4),
        max_scale=5_000,
        queryable=(
            Field("parcel_id", "Identyfikator działki"),
            Field("number", "Numer działki"),
            Field("register_unit", "Jednostka rejestrowa"),
            Field("owners", "Władający (udziały)"),
        ),
        access=Access.ROLE,
        requires="cadastre_sync.owner",
    ),
    # Tax secrecy: open reconciliation findings, for the unit's tax officers only.
    PublishedLayer(
        name="tax_findings",
        title_pl="Niezgodności ewidencji podatkowej z ewidencją gruntów",
        title_en="Tax register discrepancies with the cadastre",
        abstract_pl="Otwarte niezgodności z ostatniego uzgodnienia, barwą według kategorii "
                    "(tajemnica skarbowa: wyłącznie pracownicy podatkowi swojej jednostki).",
        abstract_en="Open discrepancies of the latest reconciliation, coloured by category "
                    "(tax secrecy: for the unit's tax officers only).",
        geometry=Geometry.POLYGON,
        sql="""
SELECT f.id, f.geom, f.unit_id, f.category, f.severity, f.parcel_ref, f.building_ref,
       f.estimate
FROM cadastre_sync_taxfinding f
WHERE f.status = 'open' AND f.geom IS NOT NULL AND f.geom && !BOX!
""",
        style=Style(outline="#424242", width=1.5, fill="#9e9e9e", opacity=45),
        classes=tuple(
            SymbolClass(code, FINDING_TITLES_PL[code],
                        Style(outline=colour, width=2.0, fill=colour, opacity=45))
            for code, _name, colour in FINDING_CATEGORIES),
        class_item="category",
        max_scale=25_000,
        queryable=(
            Field("category", "Kategoria"),
            Field("severity", "Waga"),
            Field("parcel_ref", "Działka"),
            Field("building_ref", "Budynek"),
            Field("estimate", "Szacowana roczna różnica podatku [zł]"),
        ),
        access=Access.ROLE,
        requires="cadastre_sync.taxfinding",
    ),
)




# Also offered as features (WFS 2.0 and OGC API - Features, layers/features.py): their SQL
# returns `unit_id`, so that a restricted one can be limited to the user's units.
FEATURE_LAYERS = ("precincts", "parcels", "buildings", "general_zones", "local_zones",
                  "general_plans", "local_plans")


@dataclass(frozen=True)
class CompositeLayer:
    """Registry layers drawn by MapServer in one pass: the shapes of `members` bottom to top,
    then all their labels together, so that no label of one layer lands on another's
    and no line is drawn over a label. A planner's map is one of these."""

    name: str
    title_pl: str
    title_en: str
    abstract_pl: str
    abstract_en: str
    members: tuple[str, ...]

    @property
    def layers(self) -> tuple[PublishedLayer, ...]:
        return tuple(_BY_NAME[name] for name in self.members)

    @property
    def access(self) -> Access:
        # As closed as its most restricted member.
        return self._most_restricted.access if self._most_restricted else Access.PUBLIC

    @property
    def requires(self) -> str | None:
        return self._most_restricted.requires if self._most_restricted else None

    @property
    def _guarding_layers(self) -> tuple[PublishedLayer, ...]:
        """The layers whose access this one takes: its members."""
        return self.layers

    @property
    def _most_restricted(self) -> PublishedLayer | None:
        restricted = [m for m in self._guarding_layers if m.access != Access.PUBLIC]
        return next((m for m in restricted if m.access == Access.ROLE),
                    restricted[0] if restricted else None)

    @property
    def is_queryable(self) -> bool:
        return any(member.is_queryable for member in self.layers)

    @property
    def max_scale(self) -> int | None:
        scales = [member.max_scale for member in self.layers or self._guarding_layers]
        return None if None in scales else max(scales)

    @property
    def min_scale(self) -> int | None:
        scales = [member.min_scale for member in self.layers or self._guarding_layers]
        return None if None in scales else min(scales)


# A readable map without an orthophoto, from our own layers; the default base map.
BASE_MAP = "base_map"

COMPOSITES: tuple[CompositeLayer, ...] = (
    CompositeLayer(
        name=BASE_MAP,
        title_pl="Mapa podkładowa",
        title_en="Base map",
        abstract_pl="Pokrycie terenu, drogi, budynki, nazwy ulic i numery porządkowe.",
        abstract_en="Land cover, roads, buildings, street names and house numbers.",
        members=("land_cover", "buildings", "street_names", "house_numbers"),
    ),
    CompositeLayer(
        name="general_plan_map",
        title_pl="Plan ogólny na mapie ewidencyjnej",
        title_en="General plan over the cadastral map",
        abstract_pl="Strefy planistyczne z działkami, budynkami i numerami działek; "
                    "opisy stref i numery działek nie zachodzą na siebie.",
        abstract_en="Planning zones with parcels, buildings and parcel numbers; zone labels "
                    "and parcel numbers never overlap.",
        members=("general_zones", "buildings", "parcels", "parcel_numbers"),
    ),
    CompositeLayer(
        name="local_plan_map",
        title_pl="Plany miejscowe na mapie ewidencyjnej",
        title_en="Local plans over the cadastral map",
        abstract_pl="Tereny planów miejscowych z działkami, budynkami i numerami działek; "
                    "opisy terenów i numery działek nie zachodzą na siebie.",
        abstract_en="Local plan areas with parcels, buildings and parcel numbers; area labels "
                    "and parcel numbers never overlap.",
        members=("local_zones", "buildings", "parcels", "parcel_numbers"),
    ),
)


@dataclass(frozen=True)
class ProfileLayer(CompositeLayer):
    """Registry layers under the name a national specification gives them, for the systems
    that speak it (GUGiK's KIEG cadastre WMS): the members draw as they do under our own
    names, with the same access; feature info answers in the specification's fields.

    Not a copy of the layers: `info_fields` and `info_sql` (a function, called when the
    mapfile is written, so that dictionary names come out in Polish) only say how the
    specification reads the same tables. Served by the WMS only, rendered for the frame
    asked (no tile cache of its own).
    """

    info_fields: tuple[Field, ...] = ()
    info_sql: Callable[[], str] | None = None
    profile: str = "KIEG"  # or "KIMPZP"
    # Registry layers whose access a name with no members takes (its feature info reads
    # their tables): a name draws and tells no more than they do.
    follows: tuple[str, ...] = ()

    @property
    def _guarding_layers(self) -> tuple[PublishedLayer, ...]:
        return self.layers + tuple(_BY_NAME[name] for name in self.follows)

    @property
    def is_queryable(self) -> bool:
        return self.info_sql is not None

    def info_layer(self) -> PublishedLayer | None:
        """The query-only MapServer layer answering feature info under the profile's name
        (it draws nothing: an empty style)."""
        if self.info_sql is None:
            return None
        return PublishedLayer(
            name=self.name, title_pl=self.title_pl, title_en=self.title_en,
            abstract_pl=self.abstract_pl, abstract_en=self.abstract_en,
            geometry=Geometry.POLYGON, sql=self.info_sql(), style=Style(),
            max_scale=self.max_scale, min_scale=self.min_scale, queryable=self.info_fields)


def _register_group_sql(column: str) -> str:
    """`7 - osoby fizyczne`: the group's number and name, as KIEG writes them. The names
    come from the cadastre's dictionary in the active language (Polish when the mapfile
    is written)."""
    from cadastre_sync.dictionaries import REGISTER_GROUPS

    cases = " ".join(f"WHEN {number} THEN '{number} - ' || {_sql_text(str(name).lower())}"
                     for number, name in REGISTER_GROUPS)
    return f"CASE {column} {cases} ELSE {column}::text END"


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _kieg_parcels_sql() -> str:
    # NUMER_ARKUSZA: the map sheet of an id numbered per sheet (WWPPGG_R.OOOO.AR_N.NR).
    # Built from constants only (the dictionary's names, quoted), never from a request.
    return f"""
SELECT p.id, p.geom, p.parcel_id AS "ID_DZIALKI", p.number AS "NUMER_DZIALKI",
       CASE WHEN split_part(p.parcel_id, '.', 4) <> '' THEN split_part(p.parcel_id, '.', 3)
            ELSE '' END AS "NUMER_ARKUSZA",
       pr.number AS "NUMER_OBREBU", COALESCE(NULLIF(pr.name, ''), pr.number) AS "NAZWA_OBREBU",
       u.name AS "NAZWA_GMINY", to_char(p.registered_area_ha, 'FM9999999990.0000')
       AS "POLE_EWIDENCYJNE", p.land_register_number AS "KW",
       {_register_group_sql('ru."group"')} AS "GRUPA_REJESTROWA",
       to_char(current_date, 'YYYY-MM-DD') AS "DATA"
FROM cadastre_sync_parcel p JOIN cadastre_sync_precinct pr ON pr.id = p.precinct_id
JOIN core_administrativeunit u ON u.id = p.unit_id
LEFT JOIN cadastre_sync_registerunit ru ON ru.id = p.register_unit_id
WHERE p.retired_at IS NULL AND p.geom && !BOX!
"""  # noqa: S608


def _kieg_buildings_sql() -> str:
    return """
SELECT id, geom, building_id AS "ID_BUDYNKU", kst_class AS "FUNKCJA",
       storeys_above + storeys_below AS "KONDYGNACJE"
FROM cadastre_sync_building
WHERE retired_at IS NULL AND geom && !BOX!
"""


# GUGiK's specification of the powiat EGiB WMS gathered by KIEG: layer names and the feature
# info of `dzialki` (v2.1, GUGiK notice of 4 March 2020) and `budynki` (v3.0, GUGiK notice
# of 5 February 2021). `kontury` (classification contours) is not offered: the cadastre
# here holds land-use and soil class pieces, drawn under `uzytki`.
KIEG_LAYERS: tuple[ProfileLayer, ...] = (
    ProfileLayer(
        name="dzialki", title_pl="Działki ewidencyjne", title_en="Cadastral parcels",
        abstract_pl="Działki ewidencyjne (profil KIEG).",
        abstract_en="Cadastral parcels (KIEG profile).", members=("parcels",),
        info_fields=(
            Field("ID_DZIALKI", "Identyfikator działki"),
            Field("NUMER_DZIALKI", "Numer działki"),
            Field("NUMER_ARKUSZA", "Numer arkusza mapy"),
            Field("NUMER_OBREBU", "Numer obrębu"),
            Field("NAZWA_OBREBU", "Nazwa obrębu"),
            Field("NAZWA_GMINY", "Nazwa gminy"),
            Field("POLE_EWIDENCYJNE", "Pole ewidencyjne [ha]"),
            Field("KW", "Numer księgi wieczystej"),
            Field("GRUPA_REJESTROWA", "Grupa rejestrowa"),
            Field("DATA", "Data aktualności"),
        ),
        info_sql=_kieg_parcels_sql,
    ),
    ProfileLayer(
        name="numery_dzialek", title_pl="Numery działek", title_en="Parcel numbers",
        abstract_pl="Numery działek ewidencyjnych (profil KIEG).",
        abstract_en="Parcel numbers (KIEG profile).", members=("parcel_numbers",),
    ),
    ProfileLayer(
        name="budynki", title_pl="Budynki", title_en="Buildings",
        abstract_pl="Budynki (profil KIEG).", abstract_en="Buildings (KIEG profile).",
        members=("buildings",),
        info_fields=(
            Field("ID_BUDYNKU", "Identyfikator budynku"),
            Field("FUNKCJA", "Funkcja (klasa KŚT)"),
            Field("KONDYGNACJE", "Liczba kondygnacji"),
        ),
        info_sql=_kieg_buildings_sql,
    ),
    ProfileLayer(
        name="obreby", title_pl="Obręby ewidencyjne", title_en="Cadastral precincts",
        abstract_pl="Granice obrębów ewidencyjnych (profil KIEG).",
        abstract_en="Cadastral precinct boundaries (KIEG profile).", members=("precincts",),
    ),
    ProfileLayer(
        name="uzytki", title_pl="Użytki gruntowe", title_en="Land use",
        abstract_pl="Użytki gruntowe i klasy gleboznawcze (profil KIEG).",
        abstract_en="Land use and soil classes (KIEG profile).", members=("land_use",),
    ),
    ProfileLayer(
        name="geoportal", title_pl="Ewidencja gruntów i budynków",
        title_en="Land and building register",
        abstract_pl="Obręby, działki z numerami i budynki razem (profil KIEG).",
        abstract_en="Precincts, parcels with numbers and buildings together (KIEG profile).",
        members=("precincts", "buildings", "parcels", "parcel_numbers"),
    ),
)


# GUGiK's KIMPZP (national integration of local plans) gathers the gminy's local plan WMS
# under fixed layer names: `granice` (plan boundaries), `raster` (the plan drawings),
# `wektor-str` (zones laid over the plans' areas), `wektor-pow` (the designated areas),
# `wektor-lin` and `wektor-pkt` (linear and point designations) and `wektor-lzb` (building
# lines); the names and their order as its integrating service (mapy.geoportal.gov.pl
# .../KrajowaIntegracjaMiejscowychPlanowZagospodarowaniaPrzestrzennego) asks a gmina for all
# seven in one GetMap and one GetFeatureInfo (the specification's text was not at hand; the
# names are those its clients send). A WMS missing any of them answers LayerNotDefined and
# the gmina drops out of the national map, so every name is offered:
# - `granice` and `wektor-pow` draw the local plans' boundaries and areas;
# - `raster` draws nothing (the drawings' GeoTIFFs are published elsewhere, PlanDrawing
#   holds their address) and answers feature info with each plan's drawings there;
# - `wektor-str`, `wektor-lin`, `wektor-pkt` and `wektor-lzb` draw nothing and find nothing:
#   no overlay zones, linear or point designations or building lines are held here.
_KIMPZP_DRAWINGS_SQL = """
SELECT d.id, p.geom, p.unit_id, p.identifier, p.name, d.title AS drawing,
       d.url, '1:' || d.resolution AS scale, to_char(d.valid_from, 'YYYY-MM-DD') AS valid_from
FROM layers_plandrawing d JOIN layers_zoningplan p ON p.id = d.plan_id
WHERE p.kind = 'local' AND p.geom IS NOT NULL
  AND (p.valid_to IS NULL OR p.valid_to >= current_date)
  AND (d.valid_to IS NULL OR d.valid_to >= current_date) AND p.geom && !BOX!
"""
# The designations of these kinds held for the local plans: none (no table holds them).
_KIMPZP_NOT_HELD_SQL = """
SELECT p.id, p.geom, p.unit_id FROM layers_zoningplan p WHERE false AND p.geom && !BOX!
"""


def _kimpzp_not_held(name: str, title_pl: str, title_en: str, what_pl: str,
                     what_en: str) -> ProfileLayer:
    return ProfileLayer(
        name=name, title_pl=title_pl, title_en=title_en,
        abstract_pl=f"{what_pl} (profil KIMPZP): nie są prowadzone w tym portalu, warstwa "
                    "jest pusta.",
        abstract_en=f"{what_en} (KIMPZP profile): not held in this portal, the layer is "
                    "empty.",
        members=(), follows=("local_zones",), info_sql=lambda: _KIMPZP_NOT_HELD_SQL,
        profile="KIMPZP")


KIMPZP_LAYERS: tuple[ProfileLayer, ...] = (
    ProfileLayer(
        name="granice", title_pl="Granice miejscowych planów",
        title_en="Local plan boundaries",
        abstract_pl="Granice obowiązujących miejscowych planów (profil KIMPZP).",
        abstract_en="Boundaries of the local plans in force (KIMPZP profile).",
        members=("local_plans",), info_fields=_PLAN_FIELDS,
        info_sql=lambda: _PLANS_SQL.format(kind="local"), profile="KIMPZP",
    ),
    ProfileLayer(
        name="wektor-pow", title_pl="Plany wektorowe – tereny",
        title_en="Vector plans – areas",
        abstract_pl="Tereny obowiązujących miejscowych planów (profil KIMPZP).",
        abstract_en="Designated areas of the local plans in force (KIMPZP profile).",
        members=("local_zones",), info_fields=_ZONE_FIELDS,
        info_sql=lambda: _ZONES_SQL.format(kind="local"), profile="KIMPZP",
    ),
    ProfileLayer(
        name="raster", title_pl="Plany rastrowe", title_en="Raster plans",
        abstract_pl="Rysunki obowiązujących miejscowych planów (profil KIMPZP): warstwa nie "
                    "rysuje obrazu, informacja o obiekcie podaje adres pliku GeoTIFF rysunku.",
        abstract_en="Drawings of the local plans in force (KIMPZP profile): the layer draws "
                    "no image; feature info gives the address of the drawing's GeoTIFF.",
        members=(), follows=("local_plans",),
        info_fields=(Field("identifier", "Identyfikator planu"), Field("name", "Tytuł"),
                     Field("drawing", "Rysunek"), Field("url", "Plik GeoTIFF"),
                     Field("scale", "Skala"), Field("valid_from", "Obowiązuje od")),
        info_sql=lambda: _KIMPZP_DRAWINGS_SQL, profile="KIMPZP",
    ),
    _kimpzp_not_held("wektor-str", "Plany wektorowe – strefy", "Vector plans – zones",
                     "Strefy nakładające się na tereny planów miejscowych",
                     "Zones laid over the local plans' areas"),
    _kimpzp_not_held("wektor-lin", "Plany wektorowe – obiekty liniowe",
                     "Vector plans – linear features",
                     "Ustalenia liniowe planów miejscowych",
                     "Linear designations of the local plans"),
    _kimpzp_not_held("wektor-pkt", "Plany wektorowe – obiekty punktowe",
                     "Vector plans – point features",
                     "Ustalenia punktowe planów miejscowych",
                     "Point designations of the local plans"),
    _kimpzp_not_held("wektor-lzb", "Plany wektorowe – linie zabudowy",
                     "Vector plans – building lines",
                     "Linie zabudowy planów miejscowych", "Building lines of the local plans"),
)
PROFILE_LAYERS = KIEG_LAYERS + KIMPZP_LAYERS


def layer_named(name: str) -> PublishedLayer | None:
    return _BY_NAME.get(name)


def published_named(name: str) -> PublishedLayer | CompositeLayer | None:
    """A layer clients may ask for by name: a registry layer, a composite map, a layer under
    its KIEG or KIMPZP name, or a raster base map added by an administrator (layers.raster_layers;
    rows, not entries here)."""
    found = _BY_NAME.get(name) or _COMPOSITE_BY_NAME.get(name) or _PROFILE_BY_NAME.get(name)
    if found is None:
        from .raster_layers import raster_layer_named  # it imports this module

        found = raster_layer_named(name)
    return found


def published_names() -> list[str]:
    """Every name in the capabilities, in their order: the layers, then the composites."""
    return [layer.name for layer in LAYERS] + [composite.name for composite in COMPOSITES]


def wms_names() -> list[str]:
    """Every name in the WMS capabilities: ours, then the KIEG and KIMPZP profiles' (WMS
    only: the map page, the tiles and the caches know only `published_names`)."""
    return published_names() + [layer.name for layer in PROFILE_LAYERS]


def composites_showing(name: str) -> list[CompositeLayer]:
    return [composite for composite in COMPOSITES if name in composite.members]


_BY_NAME = {layer.name: layer for layer in LAYERS}
_COMPOSITE_BY_NAME = {composite.name: composite for composite in COMPOSITES}
_PROFILE_BY_NAME = {layer.name: layer for layer in PROFILE_LAYERS}
