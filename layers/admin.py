from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import UnitScopedAdmin

from .models import Raster, TileCacheJob, ZoningPlan, ZoningZone
from .rasters import raster_delete, raster_republish


@admin.register(ZoningPlan)
class ZoningPlanAdmin(UnitScopedAdmin):
    list_display = ["name", "kind", "identifier", "resolution_number", "valid_from", "unit"]
    list_filter = ["kind", "unit"]
    search_fields = ["name", "identifier", "resolution_number"]


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
