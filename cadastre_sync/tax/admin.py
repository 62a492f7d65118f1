"""Administration of the tax configuration: council rates per year, the unit's tax district
and tolerances, column profiles of its tax system; conversion factors and the personal
data access log for superusers. Rights per unit from core.roles.ROLE_RIGHTS."""
from django.contrib import admin

from core.admin import UnitScopedAdmin

from .models import ColumnProfile, ConversionFactor, PersonalDataAccess, TaxRate, TaxSettings


@admin.register(TaxRate)
class TaxRateAdmin(UnitScopedAdmin):
    list_display = ["year", "key", "rate", "unit", "source"]
    list_filter = ["year", "key", "unit"]


@admin.register(TaxSettings)
class TaxSettingsAdmin(UnitScopedAdmin):
    list_display = ["unit", "tax_district", "area_tolerance_ha", "area_tolerance_share",
                    "floor_area_tolerance_share", "exempt_register_groups"]


@admin.register(ColumnProfile)
class ColumnProfileAdmin(UnitScopedAdmin):
    list_display = ["name", "unit", "is_default"]
    list_filter = ["unit"]


@admin.register(ConversionFactor)
class ConversionFactorAdmin(admin.ModelAdmin):
    list_display = ["land_group", "soil_class", "district", "factor", "valid_from", "valid_to",
                    "verified"]
    list_filter = ["land_group", "district", "verified"]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "unit", "action", "subject"]
    list_filter = ["unit", "action"]
    readonly_fields = ["at", "user", "unit", "action", "subject", "taxpayer_ids"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
