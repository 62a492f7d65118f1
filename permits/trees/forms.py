"""The tree and shrub removal form: who removes and why, trees as points, shrub groups as
polygons, all inside the chosen parcels (checked in PostGIS). One main form and two
formsets; usable without the map (coordinates typed), the map fills the same fields."""
import contextlib
from datetime import date
from decimal import Decimal

from django import forms
from django.contrib.gis.geos import Point
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..drawn import DrawnPolygonField
from ..json_input import json_rows, json_value
from .models import (
    EXEMPTION_BASIS,
    EXEMPTION_CHOICES,
    EXEMPTION_KIND,
    ShrubGroup,
    Species,
    TreeItem,
)
from .rules import Assessment, Holder, ShrubIn, TreeIn, assess
from .services import rates_for, shrub_free_m2, species_info, stems_missing

SRID = 2180
MAX_TREES = 200
MAX_SHRUBS = 50

_INSIDE = """
SELECT ST_IsValid(g), ST_Covers(u, g), ST_Area(g)
FROM (SELECT ST_Union(geom) AS u FROM cadastre_sync_parcel WHERE id = ANY(%s)) parcels,
     (SELECT ST_GeomFromEWKB(%s) AS g) candidate
"""


def inside_parcels(geom, parcel_ids: list[int]) -> tuple[bool, bool, float]:
    """(valid, inside, area m²) of `geom` against the union of the parcels, in PostGIS."""
    with connection.cursor() as cursor:
        cursor.execute(_INSIDE, [parcel_ids, bytes(geom.ewkb)])
        valid, inside, area = cursor.fetchone()
    return bool(valid), bool(inside), float(area or 0)


class MainForm(forms.Form):
    applicant_name = forms.CharField(label=_("Your name (or the institution's)"),
                                     max_length=200)
    applicant_address = forms.CharField(label=_("Address for correspondence"), max_length=400,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    natural_person = forms.BooleanField(label=_("I apply as a natural person"), required=False)
    own_land = forms.BooleanField(label=_("The land is mine (I own or co-own it)"),
                                  required=False)
    land_natural_persons = forms.BooleanField(
        label=_("The land is owned by natural persons (private individuals)"), required=False,
        help_text=_("E.g. your own or your parents' land: outside business no permit is "
                    "needed; the owner notifies trees above the threshold (art. 83f ust. 1 "
                    "pkt 3a, ust. 4)."))
    protected_site = forms.BooleanField(
        label=_("The site is a registered monument or a public green area"), required=False)
    road_strip = forms.BooleanField(label=_("The trees or shrubs grow in a road strip"),
                                    required=False)
    business = forms.BooleanField(label=_("The removal serves a business activity"),
                                  required=False)
    reason = forms.CharField(label=_("Reason for removal"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    # Written and shown as Polish dates are (15.05.2027), whatever the browser's own locale
    # (a date picker would show the browser's format); ISO dates are read too (the API).
    intended_date = forms.DateField(
        label=_("Intended removal date"), required=False,
        input_formats=["%d.%m.%Y", "%Y-%m-%d"],
        help_text=_("Day, month and year, e.g. 15.05.2027."),
        widget=forms.DateInput(format="%d.%m.%Y", attrs={
            "inputmode": "numeric", "autocomplete": "off", "maxlength": 10}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intended_date"].widget.attrs["placeholder"] = _("dd.mm.yyyy")
        saved = self.initial.get("intended_date")
        if isinstance(saved, str) and saved:  # a draft's payload holds ISO dates
            with contextlib.suppress(ValueError):
                self.initial["intended_date"] = date.fromisoformat(saved)

    def clean_intended_date(self):
        value = self.cleaned_data.get("intended_date")
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("The intended removal date cannot be in the past."))
        return value


_HOLDER_FIELDS = ("natural_person", "own_land", "land_natural_persons", "business")


class TreeForm(forms.Form):
    species = forms.ModelChoiceField(queryset=Species.objects.filter(is_tree=True),
                                     label=_("Species"))
    x = forms.FloatField(label=_("X (PL-1992, easting)"), widget=forms.NumberInput(
        attrs={"step": "0.1", "class": "map-x"}))
    y = forms.FloatField(label=_("Y (PL-1992, northing)"), widget=forms.NumberInput(
        attrs={"step": "0.1", "class": "map-y"}))
    circumference_5cm = forms.IntegerField(label=_("Circumference at 5 cm [cm]"), min_value=1,
                                           max_value=2000)
    stems_130cm = forms.CharField(
        label=_("Circumference of each stem at 130 cm [cm]"), required=False,
        help_text=_("Separate stems with commas, e.g. 120, 80; needed for a permit's fee."))
    exemption = forms.ChoiceField(label=_("No permit or no fee because"), choices=EXEMPTION_CHOICES,
                                  required=False)

    def clean_stems_130cm(self) -> list[int]:
        raw = self.cleaned_data.get("stems_130cm") or ""
        try:
            stems = [int(s) for s in raw.replace(";", ",").split(",") if s.strip()]
        except ValueError:
            raise forms.ValidationError(_("Give whole numbers of centimetres, separated by "
                                          "commas.")) from None
        if any(s <= 0 or s > 2000 for s in stems):
            raise forms.ValidationError(_("Each circumference must be between 1 and 2000 cm."))
        if len(stems) > 20:
            raise forms.ValidationError(_("At most 20 stems per tree."))
        return stems


class ShrubForm(forms.Form):
    species = forms.ModelChoiceField(queryset=Species.objects.filter(is_shrub=True),
                                     label=_("Species"))
    geometry = DrawnPolygonField(
        label=_("Outline (drawn on the map)"),
        help_text=_("A polygon in PL-1992 (EPSG:2180), as GeoJSON or WKT."))
    exemption = forms.ChoiceField(label=_("No permit or no fee because"), choices=EXEMPTION_CHOICES,
                                  required=False)


# absolute_max: a posted TOTAL_FORMS of millions builds no more forms than that.
TreeFormSet = forms.formset_factory(TreeForm, extra=1, max_num=MAX_TREES, validate_max=True,
                                    absolute_max=MAX_TREES)
ShrubFormSet = forms.formset_factory(ShrubForm, extra=0, max_num=MAX_SHRUBS, validate_max=True,
                                     absolute_max=MAX_SHRUBS)


class TreeRemovalForm:
    """The kind's form (contract in permits/kinds.py): `payload()`, `save_details()`,
    `verdict()`; `errors` as {field path: [messages]} for the API."""

    def __init__(self, data=None, files=None, *, application=None, parcels=()):
        self.application = application
        self.parcels = list(parcels)
        initial = application.payload if application is not None else {}
        self.main = MainForm(data, initial=initial, prefix="main")
        # Bound formsets take every row from the data: rows given as `initial` would count
        # as unchanged extra rows and be dropped.
        bound = data is not None
        self.trees = TreeFormSet(data, prefix="trees",
                                 initial=None if bound else _tree_rows(initial))
        self.shrubs = ShrubFormSet(data, prefix="shrubs",
                                   initial=None if bound else _shrub_rows(initial))
        self._spatial_errors: list[str] = []

    @staticmethod
    def from_json(content: dict) -> dict:
        return formset_data(content)

    def is_valid(self) -> bool:
        ok = self.main.is_valid() & self.trees.is_valid() & self.shrubs.is_valid()
        if ok:
            self._check_places()
            self._check_stems()
        return ok and not self._spatial_errors

    def check(self) -> Assessment | None:
        """What "Check" answers: the verdict from the trees, shrubs and the holder's boxes
        alone. The applicant's name, address and reason are not needed for it, and their
        "required" errors are not shown before the resident saves."""
        self.main.is_valid()
        for name in [n for n in self.main.errors if n not in _HOLDER_FIELDS]:
            del self.main.errors[name]
        ok = self.trees.is_valid() & self.shrubs.is_valid()
        if ok:
            self._check_places()
            self._check_stems()
        return self.verdict() if ok and not self._spatial_errors else None

    @property
    def non_field_errors(self) -> list[str]:
        return self._spatial_errors + list(self.trees.non_form_errors()) + list(
            self.shrubs.non_form_errors())

    @property
    def errors(self) -> dict:
        out: dict = {f"main.{k}": v for k, v in self.main.errors.items()}
        for prefix, formset in (("trees", self.trees), ("shrubs", self.shrubs)):
            for i, errs in enumerate(formset.errors if formset.is_bound else []):
                out.update({f"{prefix}[{i}].{k}": v for k, v in errs.items()})
        if self.non_field_errors:
            out["non_field_errors"] = [str(e) for e in self.non_field_errors]
        return out

    def _tree_rows(self) -> list[dict]:
        return [f.cleaned_data for f in self.trees.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")]

    def _shrub_rows(self) -> list[dict]:
        return [f.cleaned_data for f in self.shrubs.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")]

    def _check_places(self) -> None:
        ids = [p.pk for p in self.parcels]
        numbers = ", ".join(p.parcel_id for p in self.parcels)
        for n, row in enumerate(self._tree_rows(), start=1):
            point = Point(row["x"], row["y"], srid=SRID)
            _valid, inside, _area = inside_parcels(point, ids)
            if not inside:
                self._spatial_errors.append(str(_(
                    "Tree %(n)s (%(species)s) lies outside the chosen parcels (%(parcels)s); "
                    "place it on the parcel or choose its parcel too.") % {
                    "n": n, "species": row["species"], "parcels": numbers}))
        for n, row in enumerate(self._shrub_rows(), start=1):
            valid, inside, area = inside_parcels(row["geometry"], ids)
            if not valid:
                self._spatial_errors.append(str(_(
                    "Shrub group %(n)s: the outline crosses itself; draw it again.") % {"n": n}))
            elif not inside:
                self._spatial_errors.append(str(_(
                    "Shrub group %(n)s (%(species)s) reaches outside the chosen parcels "
                    "(%(parcels)s).") % {"n": n, "species": row["species"],
                                         "parcels": numbers}))
            row["area_m2"] = Decimal(str(round(area, 1)))

    def _check_stems(self) -> None:
        """A permit's fee is computed from the stems at 130 cm: a tree that needs a permit
        without them would be charged nothing."""
        trees = [_tree_in(r) for r in self._tree_rows()]
        self._spatial_errors.extend(stems_missing(trees, self.holder()))

    def holder(self) -> Holder:
        c = self.main.cleaned_data
        return Holder(bool(c.get("natural_person")), bool(c.get("own_land")),
                      bool(c.get("business")), bool(c.get("land_natural_persons")),
                      bool(c.get("protected_site")), bool(c.get("road_strip")))

    def verdict(self) -> Assessment:
        trees = [_tree_in(r) for r in self._tree_rows()]
        shrubs = [ShrubIn(species_info(r["species"]), r["area_m2"], *_exemption(r))
                  for r in self._shrub_rows()]
        unit = self.parcels[0].unit if self.parcels else None
        return assess(trees, shrubs, self.holder(), rates_for(unit), shrub_free_m2(unit))

    def payload(self) -> dict:
        c = self.main.cleaned_data
        return {
            "applicant_name": c["applicant_name"], "applicant_address": c["applicant_address"],
            "natural_person": bool(c["natural_person"]), "own_land": bool(c["own_land"]),
            "land_natural_persons": bool(c["land_natural_persons"]),
            "protected_site": bool(c["protected_site"]), "road_strip": bool(c["road_strip"]),
            "business": bool(c["business"]), "reason": c["reason"],
            "intended_date": c["intended_date"].isoformat() if c["intended_date"] else "",
            "trees": [{"species": r["species"].latin_name, "species_id": r["species"].pk,
                       "x": round(r["x"], 2), "y": round(r["y"], 2),
                       "circumference_5cm": r["circumference_5cm"],
                       "stems_130cm": r["stems_130cm"], "exemption": r.get("exemption") or ""}
                      for r in self._tree_rows()],
            "shrubs": [{"species": r["species"].latin_name, "species_id": r["species"].pk,
                        "geometry": r["geometry"].wkt, "area_m2": str(r["area_m2"]),
                        "exemption": r.get("exemption") or ""} for r in self._shrub_rows()],
        }

    def save_details(self, application) -> None:
        TreeItem.objects.filter(application=application).delete()
        ShrubGroup.objects.filter(application=application).delete()
        TreeItem.objects.bulk_create([
            TreeItem(application=application, position=n, species=r["species"],
                     location=Point(r["x"], r["y"], srid=SRID),
                     circumference_5cm=r["circumference_5cm"], stems_130cm=r["stems_130cm"],
                     exemption=r.get("exemption") or "")
            for n, r in enumerate(self._tree_rows(), start=1)])
        ShrubGroup.objects.bulk_create([
            ShrubGroup(application=application, position=n, species=r["species"],
                       area=r["geometry"], area_m2=r["area_m2"],
                       exemption=r.get("exemption") or "")
            for n, r in enumerate(self._shrub_rows(), start=1)])


def _tree_rows(payload: dict) -> list[dict]:
    return [{"species": t["species_id"], "x": t["x"], "y": t["y"],
             "circumference_5cm": t["circumference_5cm"],
             "stems_130cm": ", ".join(map(str, t["stems_130cm"])),
             "exemption": t.get("exemption", "")} for t in payload.get("trees", [])]


def _shrub_rows(payload: dict) -> list[dict]:
    return [{"species": s["species_id"], "geometry": s["geometry"],
             "exemption": s.get("exemption", "")} for s in payload.get("shrubs", [])]


def formset_data(payload: dict) -> dict:
    """The form's POST data from a JSON body (the API's input), so both share one form;
    InvalidInput naming the field when the JSON has the wrong shape."""
    rows_of = {"trees": json_rows(payload, "trees", limit=MAX_TREES),
               "shrubs": json_rows(payload, "shrubs", limit=MAX_SHRUBS)}
    data: dict = {f"main-{k}": json_value(k, v) for k, v in payload.items() if k not in rows_of}
    for key in ("natural_person", "own_land", "land_natural_persons", "business"):
        if not payload.get(key):
            data.pop(f"main-{key}", None)
    for prefix, rows in rows_of.items():
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        for i, row in enumerate(rows):
            for k, v in row.items():
                path = f"{prefix}[{i}].{k}"
                if k == "stems_130cm" and isinstance(v, list):
                    v = ", ".join(str(json_value(f"{path}[{n}]", s)) for n, s in enumerate(v))
                data[f"{prefix}-{i}-{k}"] = json_value(path, v)
    return data


def _exemption(row: dict) -> tuple[str, str, str]:
    code = row.get("exemption") or ""
    return code, EXEMPTION_KIND.get(code, ""), EXEMPTION_BASIS.get(code, "")


def _tree_in(row: dict) -> TreeIn:
    return TreeIn(species_info(row["species"]), row["circumference_5cm"], row["stems_130cm"],
                  *_exemption(row))
