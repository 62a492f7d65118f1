"""The one form field for a polygon drawn on the case map (or typed): a shrub group's
outline, a WZ site. The case map's script (frontend/src/permits-map.js) draws into every
textarea of class `map-polygon` and shows what is typed there."""
from django import forms
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon
from django.utils.translation import gettext_lazy as _

SRID = 2180
WIDGET_CLASS = "map-polygon"


class DrawnPolygonField(forms.CharField):
    """GeoJSON or WKT of one polygon in PL-1992 (EPSG:2180); GeoJSON without a "crs" member
    would be read as WGS84, so it is taken as PL-1992 as the form says. Cleans to a Polygon;
    with `multi=True` to a MultiPolygon (of one polygon or more)."""

    def __init__(self, *, multi: bool = False, rows: int = 2, unreadable=None,
                 not_polygon=None, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows, "class": WIDGET_CLASS}))
        super().__init__(**kwargs)
        self.multi = multi
        self.unreadable = unreadable or _("The outline is not a readable polygon.")
        self.not_polygon = not_polygon or _("The outline must be one polygon.")

    def clean(self, value):
        raw = (super().clean(value) or "").strip()
        if not raw:
            return None
        try:
            geom = GEOSGeometry(raw)
        except (GEOSException, GDALException, ValueError, TypeError):
            raise forms.ValidationError(self.unreadable) from None
        if geom.geom_type == "MultiPolygon" and len(geom) == 1:
            geom = geom[0]
        if geom.geom_type == "MultiPolygon" and not self.multi:
            raise forms.ValidationError(self.not_polygon)
        polygons = list(geom) if geom.geom_type == "MultiPolygon" else [geom]
        if any(p.geom_type != "Polygon" for p in polygons):
            raise forms.ValidationError(self.not_polygon)
        # PostGIS refuses a ring of fewer than four points outright.
        if any(len(ring) < 4 for p in polygons for ring in p):
            raise forms.ValidationError(self.unreadable)
        if not geom.srid or (raw.startswith("{") and '"crs"' not in raw):
            geom.srid = SRID
        elif geom.srid != SRID:
            try:
                geom.transform(SRID)
            except GDALException:
                raise forms.ValidationError(self.unreadable) from None
        if not self.multi:
            return geom
        return geom if isinstance(geom, MultiPolygon) else MultiPolygon(geom, srid=SRID)
