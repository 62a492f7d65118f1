from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.admin import UnitScopedAdmin

from .models import (
    PlanArea,
    PlanDocument,
    PlanDrawing,
    Raster,
    RasterImport,
    TileCacheJob,
    ZoningPlan,
    ZoningZone,
)
from .rasters import NAME_PATTERN, raster_delete, raster_import_submit, raster_republish


@admin.register(ZoningPlan)
class ZoningPlanAdmin(UnitScopedAdmin):
    list_display = ["name", "kind", "identifier", "resolution_number", "valid_from", "unit"]
    list_filter = ["kind", "unit"]
    search_fields = ["name", "identifier", "resolution_number"]


@admin.register(PlanArea)
class PlanAreaAdmin(UnitScopedAdmin):
    """Infill, downtown and social standards areas of a general plan (APP GML)."""

    unit_path = "plan__unit"
    list_display = ["local_id", "label", "kind", "plan"]
    list_filter = ["kind"]
    search_fields = ["local_id", "plan__name"]
    raw_id_fields = ["plan"]


@admin.register(PlanDocument)
class PlanDocumentAdmin(UnitScopedAdmin):
    """A plan's formal documents (APP DokumentFormalny): read from APP files, or entered
    here for a plan read from another format; published in the APP data set."""

    unit_path = "plan__unit"
    list_display = ["title", "role", "number", "date", "plan"]
    list_filter = ["role"]
    search_fields = ["title", "number", "local_id", "plan__name"]
    raw_id_fields = ["plan"]


@admin.register(PlanDrawing)
class PlanDrawingAdmin(UnitScopedAdmin):
    """A plan's drawings (APP RysunekAktuPlanowaniaPrzestrzennego): where the georeferenced
    GeoTIFF of its graphic part is published."""

    unit_path = "plan__unit"
    list_display = ["title", "resolution", "valid_from", "plan"]
    search_fields = ["title", "local_id", "plan__name"]
    raw_id_fields = ["plan"]


@admin.register(ZoningZone)
class ZoningZoneAdmin(UnitScopedAdmin):
    unit_path = "plan__unit"
    list_display = ["label", "symbol", "plan", "max_height_m", "max_built_up_share"]
    list_filter = ["symbol", "plan__kind"]
    search_fields = ["label", "symbol", "local_id"]
    raw_id_fields = ["plan"]


@admin.register(TileCacheJob)
class TileCacheJobAdmin(UnitScopedAdmin):
    """Seeds and refreshes of the tile caches: a record with progress, never edited."""

    list_display = ["created_at", "kind", "unit", "reason", "status", "progress_percent",
                    "message"]
    list_filter = ["kind", "status", "unit"]
    search_fields = ["reason"]
    readonly_fields = ["kind", "unit", "created_by", "reason", "caches", "levels", "changed_at",
                       "status", "progress_done", "progress_total", "counts", "message", "log",
                       "created_at", "started_at", "finished_at", "area"]

    @admin.display(description=_("progress"))
    def progress_percent(self, obj: TileCacheJob) -> str:
        return "" if obj.progress is None else f"{obj.progress:.0%}"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Raster)
class RasterAdmin(UnitScopedAdmin):
    """Published rasters; added with `manage.py add_raster`, which checks and converts them."""

    list_display = ["name", "title", "unit", "resolution", "bands", "size_bytes", "created"]
    list_filter = ["unit"]
    search_fields = ["name", "title", "source_name"]
    readonly_fields = ["unit", "name", "source_name", "path", "extent", "resolution", "bands",
                       "data_type", "size_bytes", "created"]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        raster_republish()  # the title is in the capabilities

    def delete_model(self, request, obj: Raster) -> None:
        raster_delete(raster=obj)

    def delete_queryset(self, request, queryset) -> None:
        for raster in queryset:
            raster_delete(raster=raster)


class RasterUploadForm(forms.ModelForm):
    """Upload an orthophoto or GeoTIFF; the job worker checks, converts and publishes it."""

    upload = forms.FileField(label=_("file"), help_text=_(
        "An 8-bit GeoTIFF (grey, colour table, RGB or RGBA) with its coordinate system."))

    class Meta:
        model = RasterImport
        fields = ["unit", "title", "name"]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if name and not NAME_PATTERN.match(name):
            raise forms.ValidationError(_("Use 2 to 60 lowercase letters, digits and "
                                          "underscores, starting with a letter."))
        return name


@admin.register(RasterImport)
class RasterImportAdmin(UnitScopedAdmin):
    """Raster uploads: adding one stores the file and queues its publication."""

    list_display = ["created_at", "source_name", "title", "unit", "status", "message"]
    list_filter = ["status", "unit"]
    readonly_fields = ["unit", "created_by", "source_name", "title", "name", "raster", "status",
                       "message", "log", "created_at", "started_at", "finished_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = RasterUploadForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["unit", "upload", "title", "name"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def has_change_permission(self, request, obj=None) -> bool:
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        if not self._allowed(request, "add", obj):
            raise PermissionDenied
        data = form.cleaned_data
        job = raster_import_submit(unit=data["unit"], upload=data["upload"],
                                   title=data["title"], name=data["name"], by=request.user)
        obj.__dict__.update({k: v for k, v in job.__dict__.items() if not k.startswith("_")})
        self.message_user(request, _("%(name)s is queued; this page shows when it is "
                                     "published or why it was refused.")
                          % {"name": job.source_name})

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(reverse("admin:layers_rasterimport_change", args=[obj.pk]))
