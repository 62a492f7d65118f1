"""Any file OGR reads (GeoPackage, Shapefile, a zipped Shapefile, GeoJSON, FlatGeobuf,
another GML), as parcels, with a small field mapping.

The mapping names the source field of each parcel attribute, e.g.
`{"parcel_id": "ID_DZIALKI", "area": "POLE"}`; unmapped attributes are looked for
under common names. Without a registered area the drawn area is recorded, with a
warning. OGR hands coordinates easting (or longitude) first whatever the file
says, and the layer names its CRS; SQL transforms it to EPSG:2180.

Only files the product stored itself (an operator's path, or an upload saved
under MEDIA_ROOT with a generated name) reach OGR; see settings, gis.W001.
"""
from collections.abc import Iterator
from pathlib import Path

from django.contrib.gis.gdal import DataSource, GDALException, OGRGeomType
from django.utils.translation import gettext_noop as N_

from .base import CadastreReader, Row
from .messages import KW_MESSAGE, NO_PARCEL_ID, NUMBER_MESSAGES
from .values import area_accuracy, decimal_text, land_register_number, parcel_id_problem

# Parcel attribute -> source field names tried when the mapping does not name one.
FIELDS = {
    "parcel_id": ("ID_DZIALKI", "idDzialki", "id_dzialki", "IDDZIALKI", "TERYT"),
    "area": ("POLE", "POLE_EWID", "POW_EWID", "poleEwidencyjne", "area_ha"),
    "kw": ("NR_KW", "KW", "numerKW"),
    "accuracy": ("DOKLADNOSC", "dokladnoscReprezentacjiPola"),
}
OPTIONS = ("layer",)
# Magic numbers of the containers OGR reads that detection recognises.
_MAGIC = (b"SQLite format 3\x00", b"\x00\x00\x27\x0a", b"fgb\x03", b"PK\x03\x04")
_POLYGONS = frozenset({"Polygon", "MultiPolygon", "Polygon25D", "MultiPolygon25D"})


def _open_path(path: Path) -> str:
    return f"/vsizip/{path}" if path.suffix.lower() == ".zip" else str(path)


class OgrReader(CadastreReader):
    name = "ogr"
    label = "OGR"

    @classmethod
    def sniff(cls, head: bytes, path: Path) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        geojson = text.startswith(b"{") and b'"FeatureCollection"' in head
        return geojson or any(head.startswith(m) for m in _MAGIC)

    def rows(self) -> Iterator[Row]:
        layer = self._layer()
        if layer is None:
            return
        fields = self._fields(layer)
        srid = self._srid(layer)
        if fields is None or srid is None:
            return
        if "area" not in fields:
            self.warn(N_("no registered-area field is mapped (map area=FIELD); the drawn area "
                         "is recorded as the registered area"), code="no_area_field")
        for feature in layer:
            yield from self._parcel(feature, fields, srid)

    def _layer(self):
        try:
            source = DataSource(_open_path(self.path))
        except GDALException as exc:
            # GDAL's own words (English, with a path) stay in the detail, for programs.
            self.error(N_("OGR (GDAL) cannot open the file: it is damaged or of a kind GDAL "
                          "does not read"), params={"reason": str(exc)}, code="ogr_open",
                       line=None)
            return None
        wanted = self.options.field_map.get("layer")
        layers = {layer.name: layer for layer in source}
        if wanted:
            if wanted not in layers:
                self.error(N_("no layer “%(layer)s”; the file has %(layers)s"),
                           params={"layer": wanted, "layers": ", ".join(layers)},
                           code="ogr_layer")
            return layers.get(wanted)
        polygonal = [layer for layer in source if layer.geom_type.name in _POLYGONS]
        if not polygonal:
            self.error(N_("the file has no polygon layer"), code="ogr_layer")
            return None
        self._source = source  # layers live only as long as their data source
        return polygonal[0]

    def _fields(self, layer) -> dict[str, str] | None:
        mapping = {k: v for k, v in self.options.field_map.items() if k not in OPTIONS}
        unknown = sorted(set(mapping) - set(FIELDS))
        available = {name.lower(): name for name in layer.fields}
        missing = [v for v in mapping.values() if v.lower() not in available]
        if unknown or missing:
            self.error(N_("field mapping: unknown attributes: %(unknown)s; missing source "
                          "fields: %(missing)s; the attributes are %(attributes)s; the layer "
                          "has %(fields)s"),
                       params={"unknown": ", ".join(unknown) or "-",
                               "missing": ", ".join(missing) or "-",
                               "attributes": ", ".join(f"{name}=" for name in FIELDS),
                               "fields": ", ".join(layer.fields)}, code="ogr_mapping")
            return None
        fields = {k: available[v.lower()] for k, v in mapping.items()}
        for attribute, candidates in FIELDS.items():
            found = next((available[c.lower()] for c in candidates if c.lower() in available),
                         None)
            if attribute not in fields and found:
                fields[attribute] = found
        if "parcel_id" not in fields:
            self.error(N_("no parcel id field: map parcel_id=FIELD (the layer has %(fields)s)"),
                       params={"fields": ", ".join(layer.fields)}, code="ogr_mapping")
            return None
        return fields

    def _srid(self, layer) -> int | None:
        srs = layer.srs
        srid = srs.srid if srs is not None else None
        if srs is not None and not srid:
            srs.identify_epsg()  # e.g. OGC:CRS84 of RFC 7946 GeoJSON is EPSG:4326 (lon/lat)
            srid = srs.srid
        if not srid:
            self.error(N_("the layer does not name an EPSG coordinate system"), code="bad_crs")
        return srid

    def _parcel(self, feature, fields: dict[str, str], srid: int) -> Iterator[Row]:
        where = {"line": None, "gml_id": f"FID {feature.fid}", "kind": "parcel"}
        parcel_id = str(feature.get(fields["parcel_id"]) or "").strip()
        if problem := (parcel_id_problem(parcel_id, self.options.unit_teryt) if parcel_id
                       else (NO_PARCEL_ID, {"field": fields["parcel_id"]})):
            self.error(problem[0], params=problem[1], code="bad_parcel_id", object_id=parcel_id,
                       **where)
            return
        geom = feature.geom
        if geom is None or geom.geom_type.name not in _POLYGONS:
            self.error(N_("the parcel has no polygon geometry"), code="no_geometry",
                       object_id=parcel_id, **where)
            return
        kw, ok = land_register_number(self._value(feature, fields, "kw"))
        if not ok:
            self.warn(KW_MESSAGE, params={"value": self._value(feature, fields, "kw")},
                      code="bad_kw", object_id=parcel_id, **where)
        geom.set_3d(False)
        multi = geom if geom.geom_type == OGRGeomType("MultiPolygon") else None
        wkt = multi.wkt if multi else f"MULTIPOLYGON({geom.wkt.removeprefix('POLYGON ')})"
        area = self._value(feature, fields, "area")
        if area and decimal_text(area) is None:
            self.error(NUMBER_MESSAGES["area"], params={"value": area}, code="bad_number",
                       object_id=parcel_id, **where)
        yield "parcel", {"line": None, "gml_id": f"FID {feature.fid}", "iip": "",
                         "parcel_id": parcel_id, "geom_in": f"SRID={srid};{wkt}",
                         "area_ha": decimal_text(area) if area else None, "kw": kw,
                         "accuracy_ha": area_accuracy(self._value(feature, fields, "accuracy"))}

    def _value(self, feature, fields: dict[str, str], attribute: str) -> str:
        name = fields.get(attribute)
        value = feature.get(name) if name else None
        return "" if value is None else str(value).strip()
