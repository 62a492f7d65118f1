"""The cadastre (EGiB) as geo_portal keeps it.

Each EGiB object (parcel, building) is one row that always holds its current
state; earlier versions move to a *Version table when an import brings a newer
one, and an object that disappears from the county's export is retired (its
`retired_at` set), never deleted, so permits and tax findings keep pointing at it.
Geometries are stored in EPSG:2180 (PL-1992), areas in metres.
"""
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.models import AdministrativeUnit, Job

from .dictionaries import (
    KST_CLASSES,
    LAND_USE_CODES,
    REGISTER_GROUPS,
    RIGHT_CHOICES,
    SOIL_CLASSES,
)
from .identifiers import (
    validate_land_register_number,
    validate_parcel_id,
    validate_pesel,
    validate_regon,
)

SRID = 2180


def coded_choices(table: dict) -> list[tuple[str, str]]:
    """Choices shown as "code – name", translated when displayed, not at import time."""
    return [(code, format_lazy("{} – {}", code, name)) for code, name in table.items()]


class Precinct(models.Model):
    """Cadastral precinct (obręb ewidencyjny) of a gmina."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="precincts",
                             verbose_name=_("unit"))
    number = models.CharField(_("number"), max_length=4)
    name = models.CharField(_("name"), max_length=200)
    geom = models.MultiPolygonField(_("boundary"), srid=SRID, null=True, blank=True)

    class Meta:
        verbose_name = _("precinct")
        verbose_name_plural = _("precincts")
        ordering = ["unit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="precinct_unique_number"),
            models.CheckConstraint(condition=Q(number__regex=r"^\d{4}$"),
                                   name="precinct_number_4d"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def code(self) -> str:
        return f"{self.unit.teryt}.{self.number}"


class EgibObject(models.Model):
    """Identity and lifecycle shared by versioned EGiB objects (idIIP and its dates)."""

    egib_namespace = models.CharField(_("EGiB namespace"), max_length=100, blank=True)
    egib_local_id = models.CharField(_("EGiB local id"), max_length=100, blank=True)
    egib_version = models.CharField(_("EGiB version id"), max_length=40, blank=True)
    object_start = models.DateTimeField(_("object recorded since"), null=True, blank=True)
    version_start = models.DateTimeField(_("version valid since"), null=True, blank=True)
    imported_at = models.DateTimeField(_("first imported"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    retired_at = models.DateTimeField(
        _("retired at"), null=True, blank=True,
        help_text=_("Set when the object ended in the cadastre; retired objects are kept."),
    )

    class Meta:
        abstract = True

    @property
    def is_current(self) -> bool:
        return self.retired_at is None


class RegisterUnit(models.Model):
    """Land register unit (jednostka rejestrowa gruntów): parcels held under one title."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT,
                             related_name="register_units", verbose_name=_("unit"))
    register_id = models.CharField(_("register unit id"), max_length=64)
    group = models.PositiveSmallIntegerField(_("register group"), choices=REGISTER_GROUPS)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("register unit")
        verbose_name_plural = _("register units")
        constraints = [
            models.UniqueConstraint(fields=["unit", "register_id"], name="register_unit_unique"),
        ]

    def __str__(self) -> str:
        return self.register_id


class Parcel(EgibObject):
    """Cadastral parcel (działka ewidencyjna)."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="parcels",
                             verbose_name=_("unit"))
    precinct = models.ForeignKey(Precinct, on_delete=models.PROTECT, related_name="parcels",
                                 verbose_name=_("precinct"))
    parcel_id = models.CharField(_("parcel id"), max_length=64, validators=[validate_parcel_id])
    number = models.CharField(_("parcel number"), max_length=24)
    geom = models.MultiPolygonField(_("geometry"), srid=SRID)
    registered_area_ha = models.DecimalField(
        _("registered area [ha]"), max_digits=12, decimal_places=4,
        help_text=_("Area as registered in the cadastre; may differ from the geometric area."),
    )
    area_accuracy_ha = models.DecimalField(
        _("registered area accuracy [ha]"), max_digits=6, decimal_places=4, null=True, blank=True
    )
    land_register_number = models.CharField(
        _("land register (KW) number"), max_length=15, blank=True,
        validators=[validate_land_register_number],
    )
    register_unit = models.ForeignKey(RegisterUnit, on_delete=models.SET_NULL, null=True,
                                      blank=True, related_name="parcels",
                                      verbose_name=_("register unit"))

    class Meta:
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")
        # One current object per IIP identifier. A parcel id may repeat among current parcels
        # (a county's data-quality fault the import reports; objects are their IIP id).
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "egib_namespace", "egib_local_id"],
                condition=Q(retired_at__isnull=True) & ~Q(egib_namespace="")
                & ~Q(egib_local_id=""), name="parcel_current_iip_unique"),
            models.CheckConstraint(condition=Q(registered_area_ha__gte=0),
                                   name="parcel_area_not_negative"),
        ]
        indexes = [
            models.Index(fields=["parcel_id"], name="parcel_id_idx"),
            models.Index(fields=["precinct", "number"], name="parcel_precinct_number_idx"),
            models.Index(fields=["unit", "egib_local_id"], name="parcel_local_id_idx"),
            # The few retired parcels by their ground: what an incremental reconciliation
            # looks up around each changed parcel (the whole table's index would return
            # every neighbour). GeoDjango drops the condition: migration 0018 builds it.
            GistIndex(fields=["geom"], condition=Q(retired_at__isnull=False),
                      name="parcel_retired_geom_idx"),
        ]

    def __str__(self) -> str:
        return self.parcel_id


class ArchivedVersion(models.Model):
    """An earlier version of an EGiB object, kept as history."""

    egib_version = models.CharField(_("EGiB version id"), max_length=40, blank=True)
    version_start = models.DateTimeField(_("valid since"), null=True, blank=True)
    version_end = models.DateTimeField(_("valid until"), null=True, blank=True)
    geom = models.MultiPolygonField(_("geometry"), srid=SRID)
    attributes = models.JSONField(_("attributes"), default=dict)
    archived_at = models.DateTimeField(_("archived at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-version_start"]


class ParcelVersion(ArchivedVersion):
    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="versions")
    registered_area_ha = models.DecimalField(max_digits=12, decimal_places=4)

    class Meta(ArchivedVersion.Meta):
        verbose_name = _("parcel version")
        verbose_name_plural = _("parcel versions")


class LandUsePiece(models.Model):
    """Land-use and soil class piece of a parcel (klasoużytek): OFU, OZU, OZK and area."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="land_use",
                               verbose_name=_("parcel"))
    ofu = models.CharField(_("land use (OFU)"), max_length=4,
                           choices=coded_choices(LAND_USE_CODES))
    ozu = models.CharField(_("soil use (OZU)"), max_length=4, blank=True)
    ozk = models.CharField(_("soil class (OZK)"), max_length=4, blank=True,
                           choices=[(c, c) for c in SOIL_CLASSES])
    area_ha = models.DecimalField(_("area [ha]"), max_digits=12, decimal_places=4)
    geom = models.MultiPolygonField(_("geometry"), srid=SRID, null=True, blank=True)

    class Meta:
        verbose_name = _("land-use class piece")
        verbose_name_plural = _("land-use class pieces")
        constraints = [
            models.CheckConstraint(condition=Q(area_ha__gte=0), name="land_use_area_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.ofu}{'-' + self.ozk if self.ozk else ''} {self.area_ha} ha"


class Building(EgibObject):
    """Building (budynek) with its footprint and the parcels it stands on."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="buildings",
                             verbose_name=_("unit"))
    building_id = models.CharField(_("building id"), max_length=80)
    geom = models.MultiPolygonField(_("footprint"), srid=SRID)
    kst_class = models.CharField(_("KST class"), max_length=4,
                                 choices=coded_choices(KST_CLASSES))
    storeys_above = models.PositiveSmallIntegerField(_("storeys above ground"), default=1)
    storeys_below = models.PositiveSmallIntegerField(_("storeys below ground"), default=0)
    built_up_area_m2 = models.DecimalField(_("built-up area [m²]"), max_digits=10,
                                           decimal_places=2, null=True, blank=True)
    parcels = models.ManyToManyField(Parcel, related_name="buildings", blank=True,
                                     verbose_name=_("parcels"))

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        # As for parcels: the IIP identifier is the object; exports may repeat a placeholder
        # building id (the precinct id and ".0") for every building.
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "egib_namespace", "egib_local_id"],
                condition=Q(retired_at__isnull=True) & ~Q(egib_namespace="")
                & ~Q(egib_local_id=""), name="building_current_iip_unique"),
        ]
        indexes = [
            models.Index(fields=["building_id"], name="building_id_idx"),
            models.Index(fields=["unit", "egib_local_id"], name="building_local_id_idx"),
        ]

    def __str__(self) -> str:
        return self.building_id


class BuildingVersion(ArchivedVersion):
    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="versions")

    class Meta(ArchivedVersion.Meta):
        verbose_name = _("building version")
        verbose_name_plural = _("building versions")


class Address(models.Model):
    """Address point of a property (EGB_AdresNieruchomosci)."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="addresses",
                             verbose_name=_("unit"))
    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="addresses", verbose_name=_("parcel"))
    building = models.ForeignKey(Building, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="addresses", verbose_name=_("building"))
    locality = models.CharField(_("locality"), max_length=100)
    street = models.CharField(_("street"), max_length=150, blank=True)
    house_number = models.CharField(_("house number"), max_length=20)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    point = models.PointField(_("location"), srid=SRID, null=True, blank=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        indexes = [models.Index(fields=["unit", "street", "house_number"], name="address_idx")]

    def __str__(self) -> str:
        street = self.street or self.locality
        return f"{street} {self.house_number}, {self.postcode} {self.locality}".strip()


class Owner(models.Model):
    """A natural person (PESEL) or an institution (REGON) named in the cadastre.

    Personal data: shown only to roles listed in core.roles.PERSONAL_DATA_ROLES.
    """

    PERSON = "person"
    INSTITUTION = "institution"
    KIND_CHOICES = [(PERSON, _("natural person")), (INSTITUTION, _("institution"))]

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="owners",
                             verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=12, choices=KIND_CHOICES)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    second_name = models.CharField(_("second name"), max_length=100, blank=True)
    surname = models.CharField(_("surname"), max_length=150, blank=True)
    pesel = models.CharField(_("PESEL"), max_length=11, blank=True, validators=[validate_pesel])
    name = models.CharField(_("institution name"), max_length=300, blank=True)
    regon = models.CharField(_("REGON"), max_length=14, blank=True, validators=[validate_regon])
    address = models.TextField(_("address"), blank=True)
    egib_local_id = models.CharField(_("EGiB local id"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("owner")
        verbose_name_plural = _("owners")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="person") & ~Q(surname=""))
                | (Q(kind="institution") & ~Q(name="")),
                name="owner_named_by_kind",
            ),
        ]
        indexes = [models.Index(fields=["unit", "pesel"], name="owner_pesel_idx"),
                   models.Index(fields=["unit", "regon"], name="owner_regon_idx")]

    def __str__(self) -> str:
        if self.kind == self.PERSON:
            return f"{self.first_name} {self.surname}".strip()
        return self.name


class OwnershipShare(models.Model):
    """A share in a register unit held by an owner, or jointly by a married couple."""

    register_unit = models.ForeignKey(RegisterUnit, on_delete=models.CASCADE,
                                      related_name="shares", verbose_name=_("register unit"))
    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="shares",
                              verbose_name=_("owner"))
    spouse = models.ForeignKey(
        Owner, on_delete=models.PROTECT, null=True, blank=True, related_name="spouse_shares",
        verbose_name=_("spouse"), help_text=_("Set when the share is the spouses' joint property."),
    )
    right = models.CharField(_("right"), max_length=24, choices=RIGHT_CHOICES, default="ownership")
    numerator = models.PositiveIntegerField(_("share numerator"))
    denominator = models.PositiveIntegerField(_("share denominator"))

    class Meta:
        verbose_name = _("ownership share")
        verbose_name_plural = _("ownership shares")
        constraints = [
            models.CheckConstraint(
                condition=Q(numerator__gte=1) & Q(numerator__lte=models.F("denominator")),
                name="share_is_a_proper_fraction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"


class CadastreImport(Job):
    """One import of a county export: its file, options, outcome and report.

    `changed_extent` is the area the import changed (created, updated and retired
    objects, old and new geometry), for refreshing map caches. `report` lists the
    problems found, each with file, line and gml:id (personal data never appears).
    """

    source_name = models.CharField(_("file name"), max_length=255)
    source_path = models.CharField(
        _("stored file"), max_length=500, blank=True,
        help_text=_("Where an uploaded file is kept, under the media folder."))
    source_size = models.PositiveBigIntegerField(_("file size [bytes]"), null=True, blank=True)
    format = models.CharField(_("format"), max_length=16, default="auto")
    detected_format = models.CharField(_("detected format"), max_length=16, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    changed_extent = models.MultiPolygonField(_("changed extent"), srid=SRID, null=True,
                                              blank=True)
    report = models.JSONField(_("report"), default=list, blank=True)

    class Meta(Job.Meta):
        verbose_name = _("cadastre import")
        verbose_name_plural = _("cadastre imports")

    def __str__(self) -> str:
        return f"{self.source_name} ({self.get_status_display()})"


# The tax register and its reconciliation live in cadastre_sync.tax (issue 9).
from .tax.models import (  # noqa: E402, F401
    AccountHolder,
    ColumnProfile,
    ConversionFactor,
    FarmHolding,
    FindingEvent,
    PersonalDataAccess,
    ReconciliationChange,
    ReconciliationRun,
    TaxAccount,
    TaxFinding,
    TaxImport,
    TaxObject,
    Taxpayer,
    TaxRate,
    TaxSettings,
)
