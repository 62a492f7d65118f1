from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import UnitScopedAdmin

from .errors import Problem
from .import_report import problems_csv, report_lines
from .importers.base import FORMAT_CHOICES, parse_field_map
from .models import (
    Address,
    Building,
    CadastreImport,
    LandUsePiece,
    Owner,
    OwnershipShare,
    Parcel,
    Precinct,
)
from .services import cadastre_import_submit, upload_limit


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


class CadastreImportUploadForm(forms.ModelForm):
    """Upload a county export and start its import in the background."""

    upload = forms.FileField(label=_("file"), help_text=_(
        "EGiB GML (2021 or 2015), SWDE, or a file OGR reads (GeoPackage, zipped Shapefile, "
        "GeoJSON)."))
    strict = forms.BooleanField(label=_("strict: all or nothing"), required=False,
                                help_text=_("Refuse the whole file on any error. Without it "
                                            "only the faulty objects are left out (and "
                                            "invalid polygons repaired), all reported."))
    dry_run = forms.BooleanField(label=_("dry run"), required=False,
                                 help_text=_("Check and count everything, write nothing."))
    field_map = forms.CharField(label=_("field mapping"), required=False, help_text=_(
        "Only for OGR files, e.g. parcel_id=ID_DZIALKI,area=POLE"))

    class Meta:
        model = CadastreImport
        fields = ["unit", "format"]
        widgets = {"format": forms.Select(choices=[(f, f) for f in FORMAT_CHOICES])}

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        limit = upload_limit()
        if upload.size > limit:
            raise forms.ValidationError(_("The file is larger than %(mb)d MB.")
                                        % {"mb": limit // 1024 ** 2})
        return upload

    def clean_field_map(self) -> dict:
        try:
            return parse_field_map(self.cleaned_data["field_map"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


@admin.register(CadastreImport)
class CadastreImportAdmin(UnitScopedAdmin):
    """The import jobs of a unit; adding one uploads a file and queues its import.

    A job is a record: it is never edited or deleted here.
    """

    list_display = ["created_at", "source_name", "unit", "status", "progress_percent",
                    "message"]
    list_filter = ["status", "unit"]
    search_fields = ["source_name"]
    # The options and counts are shown in words (options_text, the report), never as the
    # JSON they are kept in.
    readonly_fields = ["unit", "created_by", "source_name", "source_size", "format",
                       "detected_format", "options_text", "status", "progress_done",
                       "progress_total", "message", "report_lines", "log",
                       "created_at", "started_at", "finished_at", "changed_extent"]
    exclude = ["report", "source_path", "options", "counts"]

    @admin.display(description=_("progress"))
    def progress_percent(self, obj: CadastreImport) -> str:
        return "" if obj.progress is None else f"{obj.progress:.0%}"

    @admin.display(description=_("options"))
    def options_text(self, obj: CadastreImport) -> str:
        options = obj.options or {}
        parts = [str(_("strict: all or nothing")) if options.get("strict")
                 else str(_("lenient: faulty objects left out"))]
        if options.get("dry_run"):
            parts.append(str(_("dry run")))
        if mapping := options.get("field_map"):
            parts.append(f"{_('field mapping')}: "
                         + ",".join(f"{k}={v}" for k, v in mapping.items()))
        return "; ".join(parts)

    @admin.display(description=_("report"))
    def report_lines(self, obj: CadastreImport) -> str:
        if obj.status in (CadastreImport.QUEUED, CadastreImport.RUNNING):
            return "—"
        lines = report_lines(
            source=obj.source_name, fmt=obj.detected_format, counts=obj.counts or {},
            problems=[Problem.from_dict(p) for p in obj.report],
            imported=obj.status == CadastreImport.SUCCEEDED,
            dry_run=bool((obj.options or {}).get("dry_run")))
        csv_url = reverse("admin:cadastre_sync_cadastreimport_report_csv", args=[obj.pk])
        return format_html('<pre>{}</pre><a href="{}">{}</a>', "\n".join(lines), csv_url,
                           _("Every problem as a CSV file"))

    def get_urls(self):
        return [path("<int:pk>/report.csv", self.admin_site.admin_view(self.report_csv),
                     name="cadastre_sync_cadastreimport_report_csv"), *super().get_urls()]

    def report_csv(self, request, pk: int) -> HttpResponse:
        """The job's problems, one a row; only for those who may see the job."""
        job = self.get_queryset(request).filter(pk=pk).first()
        if job is None or not self.has_view_permission(request, job):
            raise Http404
        response = HttpResponse(problems_csv(Problem.from_dict(p) for p in job.report),
                                content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-report.csv"'
        return response

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = CadastreImportUploadForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["unit", "upload", "format", "strict", "dry_run", "field_map"]
        return self.readonly_fields

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
        job = cadastre_import_submit(
            unit=data["unit"], upload=data["upload"], fmt=data["format"],
            strict=data["strict"], dry_run=data["dry_run"], field_map=data["field_map"],
            by=request.user)
        obj.__dict__.update({k: v for k, v in job.__dict__.items() if not k.startswith("_")})
        self.message_user(request, _("The import of %(name)s is queued; this page shows its "
                                     "progress.") % {"name": job.source_name})

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(reverse("admin:cadastre_sync_cadastreimport_change",
                                            args=[obj.pk]))

# The tax register's configuration pages (cadastre_sync.tax).
from .tax import admin as tax_admin  # noqa: E402, F401
