"""Administration of permits, scoped by unit through core.roles.ROLE_RIGHTS: a unit
administrator switches application kinds on and off and sets the office's details, corrects
deadlines and sets the council's own fee rates; the species dictionary is the superuser's."""
from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.access import units_for
from core.admin import UnitScopedAdmin
from core.roles import OPERATOR

from . import kinds
from .models import (
    Application,
    ApplicationEvent,
    DeadlineRule,
    KindSetting,
    ServiceTemplate,
    ServiceTemplateKind,
)
from .trees.models import FeeRate, ReplacementPlanting, Species
from .workflow import STATE_CHOICES


class KindChoiceForm(forms.ModelForm):
    kind = forms.ChoiceField(choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds.choices()
        self.fields["kind"].label = self._meta.model._meta.get_field("kind").verbose_name


def kind_label(code: str) -> str:
    kind = kinds.get(code)
    return str(kind.title) if kind is not None else code


class KindFilter(admin.SimpleListFilter):
    title = _("application kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return kinds.choices()

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


def procedure_label(kind_code: str, procedure: str) -> str:
    """A procedure by its label ("zezwolenie"); "" (every procedure of the kind): a dash."""
    kind = kinds.get(kind_code)
    if not procedure:
        return "–"
    return str(kind.procedure_labels.get(procedure, procedure)) if kind else procedure


class KindLabelled:
    """Lists show a kind, its procedure and an outcome by their labels, never their codes."""

    @admin.display(description=_("application kind"), ordering="kind")
    def kind_title(self, obj) -> str:
        return kind_label(obj.kind)

    @admin.display(description=_("procedure"), ordering="procedure")
    def procedure_title(self, obj) -> str:
        return procedure_label(obj.kind, obj.procedure)

    @admin.display(description=_("decision"), ordering="outcome")
    def outcome_title(self, obj) -> str:
        kind = kinds.get(obj.kind)
        found = next((o for o in kind.outcomes if o.code == obj.outcome), None) if kind else None
        return str(found.label) if found else (obj.outcome or "–")


@admin.register(KindSetting)
class KindSettingAdmin(KindLabelled, UnitScopedAdmin):
    form = KindChoiceForm
    list_display = ["unit", "kind_title", "enabled", "office_name", "case_prefix"]
    list_filter = ["enabled", KindFilter, "unit"]
    list_editable = ["enabled"]


class OwnUnitRequired:
    """Rows without a unit (the law's defaults for every unit) are the superuser's; a unit
    administrator's row names one of their units, refused as a form error otherwise.

    Every staff member who may see the table also sees those national rows, read-only,
    beside their own: a unit's rows refine the law's, and are read against them."""

    def get_queryset(self, request):
        own = super().get_queryset(request)
        if request.user.is_superuser:
            return own
        national = self.model._default_manager.filter(unit__isnull=True)
        return (own | national).distinct()

    def has_view_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.unit_id is None:
            return super().has_view_permission(request)
        return super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.unit_id is None:
            return request.user.is_superuser
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.unit_id is None:
            return request.user.is_superuser
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("applies to"), ordering="unit")
    def scope(self, obj) -> str:
        return obj.unit.name if obj.unit_id else _("every unit (national law)")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        unit = form.base_fields.get("unit")
        if unit is not None and not request.user.is_superuser:
            unit.required = True
            unit.error_messages = {**unit.error_messages, "required": _(
                "Choose your unit: rows for every unit are set by the system administrator.")}
        return form


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(KindLabelled, OwnUnitRequired, UnitScopedAdmin):
    form = KindChoiceForm
    list_display = ["kind_title", "procedure_title", "state", "days", "scope", "source"]
    list_filter = [KindFilter, "state"]

    def changelist_view(self, request, extra_context=None):
        # The kinds' statutory defaults are in force wherever no row corrects them.
        states = dict(STATE_CHOICES)
        rows = [{"kind": kind.title, "procedure": procedure_label(kind.code, d.procedure),
                 "state": states.get(d.state),
                 "days": d.days, "note": d.note, "source": d.source}
                for kind in kinds.all_kinds() for d in kind.deadlines]
        return super().changelist_view(
            request, {**(extra_context or {}), "statutory_deadlines": rows})


@admin.register(FeeRate)
class FeeRateAdmin(OwnUnitRequired, UnitScopedAdmin):
    list_display = ["subject", "group", "band_from", "rate", "scope", "source"]
    list_filter = ["subject", "unit"]


@admin.register(Species)
class SpeciesAdmin(admin.ModelAdmin):
    list_display = ["name_pl", "latin_name", "is_tree", "is_shrub", "fee_group", "shrub_group",
                    "notification_threshold_cm"]
    list_filter = ["fee_group", "is_tree", "is_shrub"]
    search_fields = ["name_pl", "name_en", "latin_name"]


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    fields = ["at", "action", "from_state", "to_state", "actor", "actor_role", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class PlantingInline(admin.TabularInline):
    model = ReplacementPlanting
    fields = ["number", "species", "place", "deadline"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(KindLabelled, UnitScopedAdmin):
    """Read-only: applications change only through the workflow (the case pages and API)."""

    list_display = ["case_number", "kind_title", "procedure_title", "state", "outcome_title",
                    "submitted_at", "deadline", "unit"]
    list_filter = [KindFilter, "state", "unit"]
    search_fields = ["case_number", "parcel_links__parcel_ident"]
    inlines = [PlantingInline, EventInline]
    exclude = ["parcels"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(state="draft")


class ServiceTemplateKindInline(admin.TabularInline):
    model = ServiceTemplateKind
    form = KindChoiceForm
    extra = 1


@admin.register(ServiceTemplate)
class ServiceTemplateAdmin(admin.ModelAdmin):
    """Templates belong to no unit: regional operators keep them for the units they host."""

    list_display = ["name", "level"]
    inlines = [ServiceTemplateKindInline]

    def _operator(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or (
            user.is_staff and units_for(user, [OPERATOR]).exists()))

    def has_module_permission(self, request) -> bool:
        return self._operator(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._operator(request)

    def has_add_permission(self, request) -> bool:
        return self._operator(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._operator(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._operator(request)
