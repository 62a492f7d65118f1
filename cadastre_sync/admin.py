from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import UnitScopedAdmin

from .models import Address, Building, LandUsePiece, Owner, OwnershipShare, Parcel, Precinct


@admin.register(Precinct)
class PrecinctAdmin(UnitScopedAdmin):
    list_display = ["number", "name", "unit"]
    list_filter = ["unit"]
    search_fields = ["number", "name"]


class LandUseInline(admin.TabularInline):
    model = LandUsePiece
    fields = ["ofu", "ozu", "ozk", "area_ha"]
    extra = 0
    can_delete = False


class CurrentFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("current", _("current")), ("retired", _("retired"))]

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.filter(retired_at__isnull=True)
        if self.value() == "retired":
            return queryset.filter(retired_at__isnull=False)
        return queryset


@admin.register(Parcel)
class ParcelAdmin(UnitScopedAdmin):
    list_display = ["parcel_id", "precinct", "registered_area_ha", "land_register_number",
                    "retired_at"]
    list_filter = [CurrentFilter, "unit"]
    search_fields = ["parcel_id", "land_register_number"]
    list_select_related = ["precinct"]
    raw_id_fields = ["precinct", "register_unit"]
    inlines = [LandUseInline]
    readonly_fields = ["imported_at", "updated_at"]
    show_full_result_count = False


@admin.register(Building)
class BuildingAdmin(UnitScopedAdmin):
    list_display = ["building_id", "kst_class", "storeys_above", "built_up_area_m2", "retired_at"]
    list_filter = [CurrentFilter, "kst_class"]
    search_fields = ["building_id"]
    raw_id_fields = ["parcels"]
    show_full_result_count = False


@admin.register(Address)
class AddressAdmin(UnitScopedAdmin):
    list_display = ["street", "house_number", "locality", "postcode"]
    search_fields = ["street", "house_number", "locality"]
    raw_id_fields = ["parcel", "building"]
    show_full_result_count = False


class ShareInline(admin.TabularInline):
    model = OwnershipShare
    fk_name = "owner"
    fields = ["register_unit", "numerator", "denominator", "right"]
    raw_id_fields = ["register_unit"]
    extra = 0


@admin.register(Owner)
class OwnerAdmin(UnitScopedAdmin):
    """Personal data: ROLE_RIGHTS grants owners only to the roles in PERSONAL_DATA_ROLES."""

    list_display = ["__str__", "kind", "regon", "unit"]
    list_filter = ["kind"]
    search_fields = ["surname", "name", "regon", "pesel"]
    inlines = [ShareInline]
