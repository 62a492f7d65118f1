"""Zoning data: general plans (plan ogólny) and local plans (MPZP) with their zones."""
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AdministrativeUnit

SRID = 2180


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
    geom = models.MultiPolygonField(_("geometry"), srid=SRID)

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        constraints = [
            models.UniqueConstraint(fields=["plan", "local_id"], name="zone_unique_local_id"),
        ]

    def __str__(self) -> str:
        return self.label
