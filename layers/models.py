"""Zoning data: general plans (plan ogólny) and local plans (MPZP) with their zones."""
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AdministrativeUnit, Job

SRID = 2180

# INSPIRE RegulationNatureValue (http://inspire.ec.europa.eu/codelist/RegulationNatureValue),
# the APP `charakterUstalenia` of a zone or area, with the Polish titles the APP files carry
# (the ministry's QGIS plugin's code list). A plan ogólny and a local plan are acts of local
# law (planning act art. 13i ust. 1 and art. 14 ust. 8), so their zones bind generally; the
# value read from a file is kept as written.
GENERALLY_BINDING = "generallyBinding"
REGULATION_NATURE_CHOICES = [
    (GENERALLY_BINDING, _("generally binding (ogólnie wiążące)")),
    ("bindingForDevelopers", _("binding for developers (wiążące dla deweloperów)")),
    ("bindingOnlyForAuthorities", _("binding only for authorities (wiążące tylko dla władz)")),
    ("definedInLegislation", _("defined in legislation (określone w prawodawstwie)")),
    ("nonBinding", _("non-binding (niewiążące)")),
]


class ZoningPlan(models.Model):
    GENERAL = "general"
    LOCAL = "local"
    KIND_CHOICES = [(GENERAL, _("general plan (plan ogólny)")), (LOCAL, _("local plan (MPZP)"))]

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT,
                             related_name="zoning_plans", verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=8, choices=KIND_CHOICES)
    identifier = models.CharField(_("identifier"), max_length=120,
                                  help_text=_("IIP identifier of the planning act, "
                                              "e.g. 026101_1-POG."))
    name = models.CharField(_("name"), max_length=300)
    resolution_number = models.CharField(_("resolution number"), max_length=60, blank=True)
    resolution_date = models.DateField(_("resolution date"), null=True, blank=True)
    legal_status = models.CharField(_("legal status"), max_length=60, blank=True)
    valid_from = models.DateField(_("in force from"), null=True, blank=True)
    valid_to = models.DateField(_("in force until"), null=True, blank=True)
    text_url = models.URLField(_("plan text"), blank=True)
    scale_denominator = models.PositiveIntegerField(_("plan scale 1:"), default=1000)
    geom = models.MultiPolygonField(_("plan boundary"), srid=SRID, null=True, blank=True)
    # APP poczatekWersjiObiektu: when this version of the plan entered the data set (read
    # from the act, or the first import's time); the APP export's version id is made of it.
    version_started = models.DateTimeField(_("version started"), null=True, blank=True)

    class Meta:
        verbose_name = _("zoning plan")
        verbose_name_plural = _("zoning plans")
        constraints = [
            models.UniqueConstraint(fields=["unit", "identifier"], name="zoning_plan_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ZoningZone(models.Model):
    """A planning zone of a general plan or a designated area of a local plan."""

    plan = models.ForeignKey(ZoningPlan, on_delete=models.CASCADE, related_name="zones",
                             verbose_name=_("plan"))
    local_id = models.CharField(_("local id"), max_length=120)
    label = models.CharField(_("label"), max_length=40, help_text=_("e.g. 12SW or 3MN"))
    symbol = models.CharField(_("symbol"), max_length=20)
    designation = models.TextField(_("designation"), blank=True)
    provisions = models.TextField(_("provisions"), blank=True)
    # A database default too: the demo generator inserts zones with plain SQL.
    status = models.CharField(_("legal status"), max_length=60, blank=True, default="",
                              db_default="")
    valid_from = models.DateField(_("in force from"), null=True, blank=True)
    valid_to = models.DateField(_("in force until"), null=True, blank=True)
    max_intensity = models.DecimalField(_("max above-ground building intensity"), max_digits=6,
                                        decimal_places=2, null=True, blank=True)
    max_built_up_share = models.DecimalField(_("max built-up share [%]"), max_digits=5,
                                             decimal_places=2, null=True, blank=True)
    max_height_m = models.DecimalField(_("max building height [m]"), max_digits=6,
                                       decimal_places=2, null=True, blank=True)
    min_biologically_active_share = models.DecimalField(
        _("min biologically active share [%]"), max_digits=5, decimal_places=2,
        null=True, blank=True,
    )
    # The zone's functional profile as the APP file gives it, for the APP export:
    # [{"kind": "profilPodstawowy" | "profilDodatkowy", "href": "...", "title": "..."}].
    profiles = models.JSONField(_("functional profile"), default=list, blank=True,
                                db_default=[])
    regulation_nature = models.CharField(
        _("legal nature"), max_length=32, choices=REGULATION_NATURE_CHOICES,
        default=GENERALLY_BINDING, db_default=GENERALLY_BINDING)
    geom = models.MultiPolygonField(_("geometry"), srid=SRID)

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        constraints = [
            models.UniqueConstraint(fields=["plan", "local_id"], name="zone_unique_local_id"),
        ]

    def __str__(self) -> str:
        return self.label


class PlanArea(models.Model):
    """An area a general plan designates beside its zones (APP feature types): the infill
    area (obszar uzupełnienia zabudowy: since the 2023 reform the only place a WZ decision
    may be issued once the plan is in force), the downtown area and the area of the
    social infrastructure standards."""

    INFILL = "infill"
    DOWNTOWN = "downtown"
    SOCIAL = "social_standards"
    KIND_CHOICES = [
        (INFILL, _("infill area (obszar uzupełnienia zabudowy)")),
        (DOWNTOWN, _("downtown area (obszar zabudowy śródmiejskiej)")),
        (SOCIAL, _("social infrastructure standards area")),
    ]

    plan = models.ForeignKey(ZoningPlan, on_delete=models.CASCADE, related_name="areas",
                             verbose_name=_("plan"))
    kind = models.CharField(_("kind"), max_length=20, choices=KIND_CHOICES)
    local_id = models.CharField(_("local id"), max_length=120)
    label = models.CharField(_("label"), max_length=40, blank=True, default="", db_default="",
                             help_text=_("e.g. 10OUZ"))
    regulation_nature = models.CharField(
        _("legal nature"), max_length=32, choices=REGULATION_NATURE_CHOICES,
        default=GENERALLY_BINDING, db_default=GENERALLY_BINDING)
    # A social infrastructure standards area's standards as the APP file gives them, in the
    # schema's order: {"odlegloscDoSzkolyPodstawowej": {"value": "3000.0", "uom": "m"},
    # "wylaczenieZabudowyZagrodowej": {"value": "false"}, ...}.
    standards = models.JSONField(_("standards"), default=dict, blank=True, db_default={})
    geom = models.MultiPolygonField(_("geometry"), srid=SRID)

    class Meta:
        verbose_name = _("general plan area")
        verbose_name_plural = _("general plan areas")
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind", "local_id"], name="plan_area_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.local_id}"


class PlanDocument(models.Model):
    """A formal document of a plan (APP `DokumentFormalny`): the resolution to draw the plan
    up, the resolution adopting it, one amending, repealing or annulling it, or another
    document of its procedure (an environmental forecast, a decision on farmland)."""

    INITIATING = "przystapienie"
    ADOPTING = "uchwala"
    AMENDING = "zmienia"
    REPEALING = "uchyla"
    ANNULLING = "uniewaznia"
    OTHER = "dokument"
    ROLE_CHOICES = [
        (INITIATING, _("resolution to draw the plan up")),
        (ADOPTING, _("resolution adopting the plan")),
        (AMENDING, _("act amending the plan")),
        (REPEALING, _("act repealing the plan")),
        (ANNULLING, _("ruling annulling the plan")),
        (OTHER, _("other document of the procedure")),
    ]
    # ISO 19115 CI_DateTypeCode of the document's date
    DATE_TYPE_CHOICES = [("creation", _("created")), ("publication", _("published")),
                         ("revision", _("revised"))]

    plan = models.ForeignKey(ZoningPlan, on_delete=models.CASCADE, related_name="documents",
                             verbose_name=_("plan"))
    local_id = models.CharField(_("local id"), max_length=120)
    role = models.CharField(_("role"), max_length=16, choices=ROLE_CHOICES)
    title = models.TextField(_("title"))
    short_name = models.CharField(_("short name"), max_length=200, blank=True)
    number = models.CharField(_("number"), max_length=120, blank=True,
                              help_text=_("e.g. the resolution number XXIV/300/2026"))
    issuer = models.CharField(_("issued by"), max_length=300, blank=True)
    date = models.DateField(_("date"))
    date_type = models.CharField(_("kind of date"), max_length=12, choices=DATE_TYPE_CHOICES,
                                 default="creation")
    in_force_from = models.DateField(_("in force from"), null=True, blank=True)
    repealed_on = models.DateField(_("in force until"), null=True, blank=True)
    detail_reference = models.CharField(_("part referred to"), max_length=300, blank=True)
    official_journal = models.URLField(
        _("official journal"), max_length=300, blank=True,
        help_text=_("The code list value of the journal the act was published in."))
    links = models.JSONField(_("links"), default=list, blank=True,
                             help_text=_("Addresses where the document can be read."))

    class Meta:
        verbose_name = _("plan document")
        verbose_name_plural = _("plan documents")
        constraints = [
            models.UniqueConstraint(fields=["plan", "local_id"], name="plan_document_unique"),
        ]

    def __str__(self) -> str:
        return self.short_name or self.title[:80]


class PlanDrawing(models.Model):
    """The plan's drawing (APP `RysunekAktuPlanowaniaPrzestrzennego`): the georeferenced
    GeoTIFF of its graphic part, where it is published, and at what resolution."""

    plan = models.ForeignKey(ZoningPlan, on_delete=models.CASCADE, related_name="drawings",
                             verbose_name=_("plan"))
    local_id = models.CharField(_("local id"), max_length=120)
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("GeoTIFF address"), max_length=500)
    legend_url = models.URLField(_("legend address"), max_length=500, blank=True)
    crs = models.CharField(_("coordinate reference system"), max_length=120,
                           help_text=_("As the EPSG register names it, e.g. EPSG:2177."))
    resolution = models.PositiveIntegerField(
        _("scale 1:"), help_text=_("The scale the drawing was made at (its denominator)."))
    description = models.TextField(_("description"), blank=True)
    valid_from = models.DateField(_("in force from"))
    valid_to = models.DateField(_("in force until"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan drawing")
        verbose_name_plural = _("plan drawings")
        constraints = [
            models.UniqueConstraint(fields=["plan", "local_id"], name="plan_drawing_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class TileCacheJob(Job):
    """Work on the tile caches: the first seed of a unit, or a refresh after its data changed.

    `area` is what the job covers (EPSG:2180): the unit to seed, or the old and new
    geometries an import changed. `caches` names the published layers whose tiles it
    draws; `levels` the pl1992 levels of a seed (the web mercator levels follow by
    resolution). A refresh redraws the cached tiles drawn before `changed_at`.
    """

    SEED = "seed"
    REFRESH = "refresh"
    KIND_CHOICES = [(SEED, _("initial seed")), (REFRESH, _("refresh after a change"))]

    kind = models.CharField(_("kind"), max_length=8, choices=KIND_CHOICES)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    area = models.MultiPolygonField(_("area"), srid=SRID, null=True, blank=True)
    caches = models.JSONField(_("layers"), default=list, blank=True)
    levels = models.JSONField(_("levels"), default=list, blank=True)
    changed_at = models.DateTimeField(_("data changed at"), null=True, blank=True)

    class Meta(Job.Meta):
        verbose_name = _("tile cache job")
        verbose_name_plural = _("tile cache jobs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.unit.teryt} ({self.get_status_display()})"


class Raster(models.Model):
    """An orthophoto or other GeoTIFF published as a base layer.

    `path` is the Cloud-Optimized GeoTIFF in EPSG:2180 written by `add_raster`
    under the media folder; `name` is the layer name in WMS, WMTS and XYZ.
    """

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT,
                             related_name="rasters", verbose_name=_("unit"))
    title = models.CharField(_("title"), max_length=200)
    name = models.SlugField(_("layer name"), max_length=60, unique=True, help_text=_(
        "Lowercase letters, digits and underscores; the name clients ask for."))
    source_name = models.CharField(_("source file"), max_length=255, blank=True)
    path = models.CharField(_("stored file"), max_length=500)
    extent = models.PolygonField(_("extent"), srid=SRID)
    resolution = models.FloatField(_("resolution [m/px]"))
    bands = models.PositiveSmallIntegerField(_("bands"))
    data_type = models.CharField(_("data type"), max_length=16)
    size_bytes = models.PositiveBigIntegerField(_("size [bytes]"))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("raster")
        verbose_name_plural = _("rasters")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.title} ({self.name})"


class RasterImport(Job):
    """A raster uploaded in the administration, checked and published by the job worker."""

    source_name = models.CharField(_("file name"), max_length=255)
    source_path = models.CharField(_("uploaded file"), max_length=500, blank=True)
    title = models.CharField(_("title"), max_length=200)
    name = models.CharField(_("layer name"), max_length=60, blank=True)
    raster = models.ForeignKey(Raster, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("raster"))

    class Meta(Job.Meta):
        verbose_name = _("raster upload")
        verbose_name_plural = _("raster uploads")

    def __str__(self) -> str:
        return f"{self.source_name} ({self.get_status_display()})"
