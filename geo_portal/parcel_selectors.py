"""What the resident's map reads about parcels: who may see which, the parcel card, search.

Composes the cadastre (cadastre_sync.selectors), the plans over a parcel
(layers.selectors.parcel_zoning) and the applications the unit offers
(permits.selectors.offered_kinds). Visibility follows the one map access policy
(layers.access) for the `parcels` layer; retired parcels are history, seen only by staff
whose role grants "view" on parcels in the parcel's unit (core.access).
"""
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.gis.geos import Polygon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cadastre_sync import selectors as cadastre
from cadastre_sync.dictionaries import KST_CLASSES, LAND_USE_CODES
from cadastre_sync.identifiers import ParcelId, parse_parcel_id
from cadastre_sync.models import Address, Parcel, Precinct
from cadastre_sync.selectors import ParcelOutline
from core.access import ensure_unit_access
from core.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from core.models import AdministrativeUnit
from layers.access import layer_scope_named
from layers.selectors import ZoneShare, parcel_zoning
from permits.selectors import offered_kinds

PARCELS_LAYER = "parcels"
PARCEL_MODEL = "cadastre_sync.parcel"


# --- Who may see a parcel ---------------------------------------------------------------

def parcel_ensure_visible(*, user, parcel: Parcel) -> None:
    """Raise 401/403 unless `user` may see `parcel` (current: the map's parcels layer
    policy, for its unit; retired: staff with the view right on parcels of its unit)."""
    if parcel.retired_at is not None:
        ensure_unit_access(user, parcel.unit, PARCEL_MODEL, "view")
        return
    _ensure_current_visible(user, parcel.unit_id, parcel.unit.teryt)


def _ensure_current_visible(user, unit_id: int, teryt: str) -> None:
    scope = layer_scope_named(user, PARCELS_LAYER)
    if scope is None:
        raise Forbidden(detail={"layer": PARCELS_LAYER})
    scope.ensure()
    if scope.unit_ids is not None and unit_id not in scope.unit_ids:
        if not scope.authenticated:
            raise NotAuthenticated()
        raise Forbidden(detail={"unit": teryt})


def parcel_visible_unit_ids(*, user, within: AdministrativeUnit | None = None
                            ) -> frozenset[int] | None:
    """The units whose current parcels `user` may see (None: every unit); the rule of
    _ensure_current_visible, for searches to filter on inside their queries. With
    `within`, only that unit and the units under it (by TERYT prefix) among them: what a
    unit's own host name searches."""
    scope = layer_scope_named(user, PARCELS_LAYER)
    if scope is None or not scope.allowed:
        return frozenset()
    if within is None:
        return scope.unit_ids
    under = frozenset(AdministrativeUnit.objects.filter(teryt__startswith=within.teryt)
                      .values_list("id", flat=True))
    return under if scope.unit_ids is None else under & scope.unit_ids


def parcel_outline_visible_at(*, user, point, srid: int, digits: int) -> ParcelOutline:
    """parcel_visible_at for a click on the map: the outline in `srid`, from one statement."""
    outline = cadastre.parcel_outline_at(point=point, srid=srid, digits=digits)
    if outline is not None:
        try:
            _ensure_current_visible(user, outline.unit_id, outline.teryt)
            return outline
        except (Forbidden, NotAuthenticated):
            pass
    raise NotFound(_("There is no parcel at this point."),
                   detail={"point": [round(point.x, 7), round(point.y, 7)], "srid": point.srid})


def parcel_visible_by_id(*, user, parcel_id: str) -> Parcel:
    """The parcel `parcel_id` (current, else retired) if `user` may see it.

    A malformed id is InvalidInput naming what is wrong; an unknown one is NotFound with
    the near misses of its precinct in `detail["suggestions"]`.
    """
    try:
        parsed = parse_parcel_id(parcel_id)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), detail={"id": parcel_id}) from exc
    parcel = cadastre.parcel_by_id(parcel_id=str(parsed))
    if parcel is None:
        raise _no_parcel(parsed, user=user)
    parcel_ensure_visible(user=user, parcel=parcel)
    return parcel


def _no_parcel(parsed: ParcelId, *, user) -> NotFound:
    near = _near_misses_for(parsed.teryt, parsed.precinct, parsed.number, user=user)
    return NotFound(_("There is no parcel %(id)s.") % {"id": parsed},
                    detail={"id": str(parsed), "suggestions": [p.parcel_id for p in near]})


def _near_misses_for(teryt: str, precinct: str, number: str, *, user) -> list[Parcel]:
    precincts = list(Precinct.objects.filter(unit__teryt=teryt, number=precinct))
    if not precincts:
        return []
    return cadastre.parcel_number_near_misses(number=number, precincts=precincts,
                                              unit_ids=parcel_visible_unit_ids(user=user))


# --- The parcel card --------------------------------------------------------------------

@dataclass(frozen=True)
class LandUseRow:
    ofu: str
    name: str
    ozu: str
    ozk: str
    area_ha: Decimal


@dataclass(frozen=True)
class BuildingRow:
    building_id: str
    kst_class: str
    name: str
    storeys_above: int
    storeys_below: int
    built_up_area_m2: Decimal | None


@dataclass(frozen=True)
class Action:
    """An application the parcel's unit offers, with the form's URL, parcels filled in."""

    code: str
    title: str
    url: str


@dataclass(frozen=True)
class ParcelCard:
    parcel: Parcel
    land_use: list[LandUseRow]
    buildings: list[BuildingRow]
    addresses: list[str]
    zoning: list[ZoneShare]
    actions: list[Action] = field(default_factory=list)


def parcel_card(*, parcel: Parcel) -> ParcelCard:
    """Everything the card shows about one (visible) parcel, in six queries."""
    land_use = [LandUseRow(piece.ofu, str(LAND_USE_CODES.get(piece.ofu, piece.ofu)), piece.ozu,
                           piece.ozk, piece.area_ha)
                for piece in parcel.land_use.order_by("-area_ha", "ofu", "ozk")]
    buildings = [BuildingRow(b.building_id, b.kst_class, str(KST_CLASSES.get(b.kst_class, "")),
                             b.storeys_above, b.storeys_below, b.built_up_area_m2)
                 for b in parcel.buildings.filter(retired_at__isnull=True).order_by("building_id")]
    addresses = [str(a) for a in Address.objects.filter(parcel=parcel)
                 .order_by("street", "house_number")]
    return ParcelCard(parcel=parcel, land_use=land_use, buildings=buildings,
                      addresses=addresses, zoning=parcel_zoning(parcel=parcel),
                      actions=parcel_actions(parcels=[parcel]))


def parcel_actions(*, parcels: list[Parcel]) -> list[Action]:
    """What the unit of `parcels` offers for them (permits.selectors.offered_kinds)."""
    current = [p for p in parcels if p.retired_at is None]
    if not current or len(current) != len(parcels) or len({p.unit_id for p in current}) != 1:
        return []  # an application concerns current parcels of one unit
    return [Action(kind.code, kind.title, kind.url)
            for kind in offered_kinds(current[0].unit, current)]


# --- Search -----------------------------------------------------------------------------

PARCEL, PRECINCT, ADDRESS = "parcel", "precinct", "address"


@dataclass(frozen=True)
class Hit:
    """One search answer: a parcel, a precinct or an address, with its extent (EPSG:2180)."""

    kind: str
    label: str
    envelope: Polygon
    parcel_id: str | None = None
    precinct_code: str | None = None
    precinct_name: str | None = None


@dataclass(frozen=True)
class SearchAnswer:
    results: list[Hit]
    suggestions: list[Hit] = field(default_factory=list)
    message: str = ""


_ID_LIKE = re.compile(r"^\d{6}_\d\.")
_NUMBER = re.compile(r"^[1-9]\d{0,5}(/[1-9]\d{0,4})?$")
_HOUSE = re.compile(r"^\d+[a-zA-Z]?(/\d+[a-zA-Z]?)?$")
# Words people type around what they look for: "dz. 12/3", "obręb Centrum", "ul. Polna".
_FILLER = re.compile(r"\b(działka|działki|dz|nr|numer|obręb|obr|ul|ulica|al|aleja|os|"
                     r"parcel|precinct|street)\b\.?", re.IGNORECASE)
MIN_TERM = 2


def parcel_search(*, query: str, user, within: AdministrativeUnit | None = None
                  ) -> SearchAnswer:
    """Parcels by full id, by precinct (name or number) and number, or by number alone;
    precincts by name or number; addresses by street and house number.

    With `within` (a unit's own host name), precincts, numbers and addresses are looked
    for in that unit (and the units under it) only: "Centrum 12" means the resident's own
    gmina. A full parcel id names its unit itself and is answered wherever it is."""
    text = " ".join(query.replace(",", " ").split())
    if _ID_LIKE.match(text):
        return _search_id(text, user)
    words = _FILLER.sub(" ", text).split()
    if not words:
        return SearchAnswer([], message=_("Type a parcel number, a precinct or an address."))
    last, rest = words[-1], " ".join(words[:-1])
    units = parcel_visible_unit_ids(user=user, within=within)
    if _NUMBER.match(last):
        return _search_number(last, rest, units)
    if _HOUSE.match(last) and rest:
        return _answer(_address_hits(rest, last, units), query=text)
    term = " ".join(words)
    if len(term) < MIN_TERM:
        return SearchAnswer([], message=_("Type at least two characters."))
    hits = (_precinct_hits(cadastre.precincts_matching(term=term, unit_ids=units))
            + _address_hits(term, "", units))
    return _answer(hits[:cadastre.SEARCH_LIMIT], query=text)


def _answer(hits: list[Hit], *, query: str) -> SearchAnswer:
    if hits:
        return SearchAnswer(hits)
    return SearchAnswer([], message=_("Nothing found for “%(query)s”.") % {"query": query})


def _search_id(text: str, user) -> SearchAnswer:
    try:
        return SearchAnswer(_parcel_hits([parcel_visible_by_id(user=user, parcel_id=text)]))
    except (Forbidden, NotAuthenticated):
        # Search must not tell a hidden parcel from a missing one. The card, asked by an id
        # the caller already holds, may answer 401/403.
        missing = _no_parcel(parse_parcel_id(text), user=user)
    except NotFound as not_found:
        missing = not_found
    near = [cadastre.parcel_by_id(parcel_id=pid) for pid in missing.detail["suggestions"]]
    return SearchAnswer([], suggestions=_parcel_hits([p for p in near if p]),
                        message=str(missing.message))


def _search_number(number: str, precinct_term: str, units: frozenset[int] | None
                   ) -> SearchAnswer:
    # "Stare Miasto 1 12" means precinct Stare Miasto 1, not Stare Miasto 10 to 19 as well.
    precincts = (cadastre.precincts_matching(term=precinct_term, exact_only_if_any=True,
                                             unit_ids=units)
                 if precinct_term else None)
    if precinct_term and not precincts:
        hits = _address_hits(precinct_term, number, units)
        return _answer(hits, query=f"{precinct_term} {number}") if hits else SearchAnswer(
            [], message=_("No precinct or street matches “%(term)s”.") % {"term": precinct_term})
    found = cadastre.parcels_numbered(number=number, precincts=precincts, unit_ids=units)
    if not found and precinct_term and "/" not in number:
        # "Centrum 12" with no parcel 12 left: the parcels divided from it are what is meant.
        found = cadastre.parcels_numbered(number=number, precincts=precincts, unit_ids=units,
                                          divisions=True)
    if found:
        return SearchAnswer(_parcel_hits(found))
    near = cadastre.parcel_number_near_misses(number=number, precincts=precincts,
                                              unit_ids=units)
    if precinct_term:
        message = _("There is no parcel %(number)s in precinct “%(precinct)s”.") % {
            "number": number, "precinct": precinct_term}
    else:
        message = _("There is no parcel %(number)s.") % {"number": number}
    return SearchAnswer([], suggestions=_parcel_hits(near), message=message)


def _parcel_hits(parcels: list[Parcel]) -> list[Hit]:
    return [Hit(PARCEL, _("Parcel %(number)s, precinct %(precinct)s %(name)s (%(unit)s)") % {
                "number": p.number, "precinct": p.precinct.number, "name": p.precinct.name,
                "unit": p.unit.name},
                p.geom.envelope, parcel_id=p.parcel_id,
                precinct_code=f"{p.unit.teryt}.{p.precinct.number}",
                precinct_name=p.precinct.name)
            for p in parcels]


def _precinct_hits(precincts: list[Precinct]) -> list[Hit]:
    return [Hit(PRECINCT, _("Precinct %(number)s %(name)s (%(unit)s)") % {
                "number": p.number, "name": p.name, "unit": p.unit.name},
                p.geom.envelope, precinct_code=p.code, precinct_name=p.name)
            for p in precincts if p.geom is not None]


def _address_hits(street: str, house_number: str, units: frozenset[int] | None) -> list[Hit]:
    return [Hit(ADDRESS, _("%(address)s – parcel %(number)s, precinct %(precinct)s") % {
                "address": a, "number": a.parcel.number, "precinct": a.parcel.precinct.name},
                a.parcel.geom.envelope, parcel_id=a.parcel.parcel_id,
                precinct_code=f"{a.parcel.unit.teryt}.{a.parcel.precinct.number}",
                precinct_name=a.parcel.precinct.name)
            for a in cadastre.addresses_matching(street=street, house_number=house_number,
                                                 unit_ids=units)
            if a.parcel is not None]


@dataclass(frozen=True)
class SearchExamples:
    """What the search hint offers to type, taken from parcels and addresses `user` may
    find: each example finds something when typed."""

    number: str
    precinct: str
    parcel_id: str
    address: str


def search_examples(*, user, within: AdministrativeUnit | None = None
                    ) -> SearchExamples | None:
    """A parcel and an address of the hosted units (of `within` on its host name), for the
    search hint; None without any."""
    units = parcel_visible_unit_ids(user=user, within=within)
    parcels = Parcel.objects.filter(retired_at__isnull=True).exclude(precinct__name="")
    addresses = Address.objects.exclude(street="").filter(parcel__retired_at__isnull=True)
    if units is not None:
        parcels, addresses = parcels.filter(unit__in=units), addresses.filter(unit__in=units)
    parcel = parcels.select_related("precinct").order_by("id").first()
    address = addresses.order_by("id").first()
    if parcel is None or address is None:
        return None
    return SearchExamples(number=parcel.number, precinct=parcel.precinct.name,
                          parcel_id=parcel.parcel_id,
                          address=f"{address.street} {address.house_number}")
