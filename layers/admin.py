from django.contrib import admin

from core.admin import UnitScopedAdmin

from .models import ZoningPlan, ZoningZone


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
