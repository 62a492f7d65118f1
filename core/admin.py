"""Administration pages, scoped by unit: staff see and change only their units' rows.

API tokens are personal: each user manages their own (a superuser everyone's)."""
import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.contrib.gis.admin import GISModelAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .access import roles_grantable, roles_granting, scope_queryset, units_allowing
from .boundaries import boundary_from_file
from .errors import GeoPortalError, InvalidInput
from .models import AdministrativeUnit, ApiToken, LegalRule, Membership
from .rules import RULES, rules_in_force
from .services import api_token_create, membership_grant, membership_revoke, unit_boundary_set


class UnitScopedAdmin(GISModelAdmin):
    """Rights come from core.roles.ROLE_RIGHTS, per unit, never from global permissions."""

    unit_path = "unit"

    def _label(self) -> str:
        return self.model._meta.label_lower

    def _allowed(self, request, action: str, obj=None) -> bool:
        user = request.user
        if user.is_superuser:
            return True
        if not user.is_active or not user.is_staff or not roles_granting(self._label(), action):
            return False
        units = units_allowing(user, self._label(), action)
        if obj is None:
            return units.exists()
        return units.filter(pk=self._unit_of(obj).pk).exists()

    def _unit_of(self, obj) -> AdministrativeUnit:
        for part in self.unit_path.split("__"):
            obj = getattr(obj, part)
        return obj

    def get_queryset(self, request) -> QuerySet:
        return scope_queryset(super().get_queryset(request), request.user, "view", self.unit_path)

    def has_module_permission(self, request) -> bool:
        return self._allowed(request, "view")

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request, "view", obj)

    def has_add_permission(self, request) -> bool:
        return self._allowed(request, "add")

    def has_change_permission(self, request, obj=None) -> bool:
        return self._allowed(request, "change", obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._allowed(request, "delete", obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A staff member may attach rows only to units they may change.
        if db_field.related_model is AdministrativeUnit and not request.user.is_superuser:
            kwargs["queryset"] = units_allowing(request.user, self._label(), "change")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        if not self._allowed(request, "change" if change else "add", obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)


def _read_boundary(upload, teryt: str):
    """The boundary in an uploaded file (kept under its own extension for GDAL)."""
    suffix = Path(upload.name).suffix.lower()[:8]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"boundary{suffix if suffix.isascii() else ''}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        return boundary_from_file(path, teryt=teryt)


class AdministrativeUnitForm(forms.ModelForm):
    boundary_file = forms.FileField(
        label=gettext_lazy("boundary file"), required=False,
        help_text=gettext_lazy("PRG (zipped shapefile or GML) or any file GDAL reads; the "
                               "feature naming this unit's TERYT code is taken. Leave empty to "
                               "derive the boundary from the cadastre imports."))

    class Meta:
        model = AdministrativeUnit
        fields = ["teryt", "name", "office_name", "office_address", "office_email", "tax_id",
                  "bank_account", "host_name"]

    def clean(self) -> dict:
        data = super().clean()
        upload, teryt = data.get("boundary_file"), data.get("teryt")
        if upload and teryt:
            try:
                data["boundary"] = _read_boundary(upload, teryt)
            except InvalidInput as exc:
                self.add_error("boundary_file", str(exc.message))
        return data


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(UnitScopedAdmin):
    unit_path = "pk"
    form = AdministrativeUnitForm
    list_display = ["teryt", "name", "level", "boundary_source"]
    search_fields = ["teryt", "name"]
    readonly_fields = ["level", "boundary_source"]
    fields = ["teryt", "name", "level", "office_name", "office_address", "office_email",
              "tax_id", "bank_account", "host_name", "boundary_file", "boundary_source",
              "boundary"]

    def save_model(self, request, obj, form, change) -> None:
        if form.cleaned_data.get("boundary_file"):
            obj.boundary = form.cleaned_data["boundary"]
        super().save_model(request, obj, form, change)
        if {"boundary", "boundary_file"} & set(form.changed_data):
            # Given by hand or by file: no cadastre import replaces it any more.
            unit_boundary_set(unit=obj, boundary=obj.boundary)

    def get_queryset(self, request) -> QuerySet:
        qs = super(UnitScopedAdmin, self).get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk__in=units_allowing(request.user, self._label(), "view"))

    def _unit_of(self, obj) -> AdministrativeUnit:
        return obj


class MembershipForm(forms.ModelForm):
    """A grant is checked against the granter's own rights before it is saved."""

    granter = None

    class Meta:
        model = Membership
        fields = ["user", "unit", "role", "position"]

    def clean(self):
        data = super().clean()
        unit, role = data.get("unit"), data.get("role")
        if unit is not None and role and role not in roles_grantable(self.granter, unit):
            self.add_error("role", _("You may not grant this role in this unit."))
        return data


@admin.register(Membership)
class MembershipAdmin(UnitScopedAdmin):
    """Roles are granted and revoked, never edited, and only through the services, which
    bound every grant by the granter's own rights (core.roles.GRANTS). A unit administrator
    invites staff by e-mail on the unit's page; here they see and revoke roles."""

    form = MembershipForm
    list_display = ["user", "unit", "role", "granted_at"]
    list_filter = ["role", "unit"]
    search_fields = ["user__username", "user__last_name", "user__email", "unit__name",
                     "unit__teryt"]
    autocomplete_fields = ["user"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.granter = request.user
        return form

    def has_add_permission(self, request) -> bool:
        # Picking any account from a list is the superuser's; staff invite by e-mail.
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        # Only the position printed on documents changes, on others' roles the admin may
        # grant; the role itself never does.
        return (obj is not None and obj.user_id != request.user.pk
                and obj.role in roles_grantable(request.user, obj.unit))

    def get_fields(self, request, obj=None) -> list[str]:
        return ["user", "unit", "role", "position"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return ["user", "unit", "role"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is None:
            return super().has_delete_permission(request)
        return obj.role in roles_grantable(request.user, obj.unit)

    def save_model(self, request, obj, form, change) -> None:
        if change:
            Membership.objects.filter(pk=obj.pk).update(position=obj.position)
            return
        try:
            granted = membership_grant(user=obj.user, unit=obj.unit, role=obj.role,
                                       by=request.user)
        except GeoPortalError as exc:
            raise PermissionDenied(str(exc.message)) from exc
        obj.pk, obj.granted_at = granted.pk, granted.granted_at

    def delete_model(self, request, obj) -> None:
        try:
            membership_revoke(user=obj.user, unit=obj.unit, role=obj.role, by=request.user)
        except GeoPortalError as exc:
            raise PermissionDenied(str(exc.message)) from exc

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic():
            for membership in queryset.select_related("user", "unit"):
                self.delete_model(request, membership)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens for desktop GIS clients: everyone with the administration manages their own,
    a superuser everybody's. The token is shown once, right after it is created."""

    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "expires_at",
                    "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "name", "user__username"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_queryset(self, request) -> QuerySet:
        qs = super().get_queryset(request).select_related("user")
        return qs if request.user.is_superuser else qs.filter(user=request.user)

    def get_fields(self, request, obj=None) -> list[str]:
        fields = ["name", "expires_at"]
        if request.user.is_superuser:
            fields.insert(0, "user")
        return fields + (self.readonly_fields if obj else [])

    def _own(self, request, obj) -> bool:
        return request.user.is_superuser or obj is None or obj.user_id == request.user.pk

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request) and self._own(request, obj)

    def has_add_permission(self, request) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked, never deleted: the list keeps who had access when

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        user = obj.user if request.user.is_superuser and obj.user_id else request.user
        token, key = api_token_create(user=user, name=obj.name, expires_at=obj.expires_at)
        obj.pk, obj.user, obj.prefix, obj.digest = token.pk, user, token.prefix, token.digest
        messages.warning(request, format_html(
            _("The new token for {user} is <code>{key}</code>. Copy it now: it is not stored "
              "and cannot be shown again."), user=user, key=key))

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, _("Tokens revoked: %(count)d.") % {"count": count})


class InForceFilter(admin.SimpleListFilter):
    title = gettext_lazy("in force")
    parameter_name = "in_force"

    def lookups(self, request, model_admin):
        return [("today", gettext_lazy("today")), ("all", gettext_lazy("any time"))]

    def queryset(self, request, queryset):
        if self.value() == "today":
            today = timezone.localdate()
            return queryset.filter(valid_from__lte=today).exclude(valid_to__lt=today)
        return queryset


class LegalRuleForm(forms.ModelForm):
    key = forms.ChoiceField(label=gettext_lazy("rule"), choices=())

    class Meta:
        model = LegalRule
        fields = ["key", "value", "unit", "valid_from", "valid_to", "act", "article",
                  "journal", "verified", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = sorted(
            ((key, f"{area}: {label}") for key, (area, label) in RULES.items()),
            key=lambda choice: str(choice[1]))


@admin.register(LegalRule)
class LegalRuleAdmin(UnitScopedAdmin):
    """National rows (unit empty) are shown to every staff member who may see rules, as the
    defaults their unit inherits, and changed only by a superuser; a unit's own rows (a
    council resolution) by its administrator. "Rules in force today" lists every rule table."""

    list_display = ["key", "rule_name", "value", "unit_or_national", "valid_from", "valid_to",
                    "source", "verified"]
    list_filter = [InForceFilter, "verified", "key", ("unit", admin.EmptyFieldListFilter)]
    search_fields = ["key", "act", "article", "journal", "note"]
    change_list_template = "admin/core/legalrule/change_list.html"
    form = LegalRuleForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        unit = form.base_fields.get("unit")
        if unit is not None and not request.user.is_superuser:
            unit.required = True
            unit.error_messages = {**unit.error_messages, "required": gettext_lazy(
                "Choose your unit: national rules are set by the system administrator.")}
        return form

    @admin.display(description=gettext_lazy("rule"))
    def rule_name(self, obj) -> str:
        return str(RULES.get(obj.key, ("", obj.key))[1])

    @admin.display(description=gettext_lazy("unit"))
    def unit_or_national(self, obj) -> str:
        return str(obj.unit) if obj.unit_id else _("national (every unit)")

    def get_queryset(self, request) -> QuerySet:
        qs = super(UnitScopedAdmin, self).get_queryset(request).select_related("unit")
        if request.user.is_superuser:
            return qs
        return qs.filter(unit__isnull=True) | qs.filter(
            unit__in=units_allowing(request.user, self._label(), "view"))

    def _allowed(self, request, action: str, obj=None) -> bool:
        if obj is not None and obj.unit_id is None and not request.user.is_superuser:
            return action == "view" and super()._allowed(request, "view")
        return super()._allowed(request, action, obj)

    def get_urls(self):
        view = self.admin_site.admin_view(self.in_force_view)
        return [path("in-force/", view, name="core_legalrule_in_force"), *super().get_urls()]

    def in_force_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        units = (AdministrativeUnit.objects.all() if request.user.is_superuser
                 else units_allowing(request.user, self._label(), "view"))
        rows = rules_in_force(on=today, units=units)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": _("Legal rules in force on %(date)s") % {"date": today.isoformat()},
                   "rows": rows, "unverified": sum(1 for r in rows if not r.verified)}
        return TemplateResponse(request, "admin/core/legalrule/in_force.html", context)
