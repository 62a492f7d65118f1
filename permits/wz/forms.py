"""The WZ application form (art. 52 ust. 2, art. 64 of the planning act): the site drawn on
the map (it must cover or touch every chosen parcel, checked in PostGIS), the planned
development, utilities and access, environmental impact. The duty is shown before submitting.
"""
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.db import connection
from django.utils.translation import gettext_lazy as _

from ..drawn import DrawnPolygonField
from ..zoning_fees import Duty, wz_stamp_duty
from .checks import Proposal, WzChecks, wz_checks
from .models import WzApplication
from .services import applicant_owns

SRID = 2180
MAX_SITE_M2 = 500_000  # 50 ha: larger sites are linear projects or a plan's job

_SITE = """
SELECT ST_IsValid(s), ST_Area(s),
       array_agg(p.parcel_id ORDER BY p.parcel_id) FILTER (WHERE NOT ST_Intersects(p.geom, s))
FROM (SELECT ST_GeomFromEWKB(%s) AS s) site, cadastre_sync_parcel p
WHERE p.id = ANY(%s)
GROUP BY s
"""

_DETAIL_FIELDS = ["project_type", "function", "description", "buildings", "width_m", "length_m",
                  "height_m", "storeys", "built_up_area_m2", "floor_area_m2",
                  "biologically_active_m2", "water", "water_m3_day", "energy_kw", "sewage",
                  "sewage_m3_day", "road_access", "access_parcel", "environment",
                  "power_of_attorney"]


@dataclass(frozen=True)
class WzVerdict:
    duty: Duty
    owner: bool
    checks: WzChecks


class WzForm(forms.ModelForm):
    applicant_name = forms.CharField(label=_("Your name (or the institution's)"),
                                     max_length=200)
    applicant_address = forms.CharField(label=_("Address for correspondence"), max_length=400,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    site_geometry = DrawnPolygonField(
        label=_("Site boundary (drawn on the map)"), multi=True, rows=3,
        unreadable=_("The site boundary is not a readable polygon."),
        not_polygon=_("The site boundary must be a polygon."),
        help_text=_("A polygon in PL-1992 (EPSG:2180), as GeoJSON or WKT; it must cover or "
                    "touch every chosen parcel."))

    class Meta:
        model = WzApplication
        fields = _DETAIL_FIELDS
        widgets = {"project_type": forms.RadioSelect,
                   "description": forms.Textarea(attrs={"rows": 3}),
                   "environment": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, data=None, files=None, *, application=None, parcels=()):
        initial = dict(application.payload) if application is not None else {}
        super().__init__(data, initial=initial)
        self.application = application
        self.parcels = list(parcels)
        self._verdict: WzVerdict | None = None
        for name in ("height_m", "storeys", "built_up_area_m2"):
            self.fields[name].required = True
        # Not stated: another development, the 90-day term (art. 64 ust. 1 pkt 1).
        self.fields["project_type"].required = False

    def clean_project_type(self) -> str:
        return self.cleaned_data.get("project_type") or WzApplication.OTHER_PROJECT

    def clean(self):
        data = super().clean()
        self._check_project_type(data)
        site = data.get("site_geometry")
        if site is None or not self.parcels:
            return data
        valid, area, apart = _site_check(site, [p.pk for p in self.parcels])
        if not valid:
            self.add_error("site_geometry", _("The site boundary crosses itself; draw it again."))
        elif area > MAX_SITE_M2:
            self.add_error("site_geometry", _("The site is larger than %(ha)s ha.") % {
                "ha": MAX_SITE_M2 // 10_000})
        elif apart:
            self.add_error("site_geometry", _(
                "The site boundary must cover or touch every chosen parcel; it misses "
                "%(ids)s.") % {"ids": ", ".join(apart)})
        if not self.errors:
            self.site_area = Decimal(str(round(area, 1)))
            self._verdict = wz_verdict(site=site, data=data, parcels=self.parcels)
        return data

    def _check_project_type(self, data: dict) -> None:
        """The 21-day term is for one detached single-family house of up to 2 storeys and
        70 m² built-up area (planning act art. 64 ust. 1 pkt 1): the figures given must fit."""
        if data.get("project_type") != WzApplication.HOUSE_OWN_NEEDS:
            return
        wrong = []
        if data.get("function") != "single_family":
            wrong.append(str(_("the function is not single-family housing")))
        if (data.get("buildings") or 1) != 1:
            wrong.append(str(_("more than one building")))
        if (data.get("storeys") or 0) > 2:
            wrong.append(str(_("more than 2 storeys")))
        if (data.get("built_up_area_m2") or 0) > 70:
            wrong.append(str(_("built-up area over 70 m²")))
        if wrong:
            self.add_error("project_type", _(
                "The 21-day term is for one detached single-family house of up to 2 storeys "
                "and 70 m² built-up area; the development you describe does not fit (%(why)s). "
                "Choose “another development”.") % {"why": "; ".join(wrong)})

    def verdict(self) -> WzVerdict | None:
        return self._verdict

    def payload(self) -> dict:
        c = self.cleaned_data
        out = {"applicant_name": c["applicant_name"],
               "applicant_address": c["applicant_address"],
               "site_geometry": c["site_geometry"].json, "site_area_m2": str(self.site_area),
               "applicant_is_owner": self._verdict.owner,
               "stamp_duty": str(self._verdict.duty.amount)}
        for name in _DETAIL_FIELDS:
            value = c.get(name)
            out[name] = str(value) if isinstance(value, Decimal) else value
        return out

    def save_details(self, application) -> None:
        c = self.cleaned_data
        WzApplication.objects.update_or_create(application=application, defaults={
            **{name: c.get(name) for name in _DETAIL_FIELDS},
            "site": c["site_geometry"], "site_area_m2": self.site_area,
            "applicant_is_owner": self._verdict.owner})


def _site_check(site, parcel_ids: list[int]) -> tuple[bool, float, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute(_SITE, [bytes(site.ewkb), parcel_ids])
        valid, area, apart = cursor.fetchone()
    return bool(valid), float(area or 0), list(apart or [])


def proposal_of(data: dict) -> Proposal:
    return Proposal(height_m=data.get("height_m"),
                    built_up_area_m2=data.get("built_up_area_m2"),
                    biologically_active_area_m2=data.get("biologically_active_m2"),
                    above_ground_floor_area_m2=data.get("floor_area_m2"))


def wz_verdict(*, site, data: dict, parcels) -> WzVerdict:
    owner = applicant_owns(name=data.get("applicant_name", ""), parcels=parcels)
    duty = wz_stamp_duty(applicant_is_owner=owner,
                         power_of_attorney=bool(data.get("power_of_attorney")))
    unit = parcels[0].unit if parcels else None
    return WzVerdict(duty=duty, owner=owner, checks=wz_checks(
        site=site, proposal=proposal_of(data), unit=unit))
