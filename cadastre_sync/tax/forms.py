"""Forms of the tax pages: what officers type in, validated before a service sees it."""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ColumnProfile, TaxFinding
from .rules import FINDING_CATEGORIES


class FindingFilterForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("all"))] + [(c, n) for c, n, _col
                                                              in FINDING_CATEGORIES])
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("all")), *TaxFinding.STATUS_CHOICES])
    severity = forms.ChoiceField(label=_("Severity"), required=False,
                                 choices=[("", _("all")), *TaxFinding.SEVERITY_CHOICES])
    assigned = forms.ChoiceField(label=_("Assigned"), required=False, choices=[
        ("", _("anyone")), ("me", _("to me")), ("nobody", _("to nobody"))])
    parcel = forms.CharField(label=_("Parcel or building id"), required=False, max_length=64)


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(label=_("Assign to"), queryset=None, required=False,
                                     empty_label=_("nobody"))

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=4000)


class ResolveForm(forms.Form):
    text = forms.CharField(label=_("Action taken"), widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=4000,
                           help_text=_("e.g. taxpayer summoned to file a declaration, "
                                       "decision issued"))


class DismissForm(forms.Form):
    text = forms.CharField(label=_("Why this is not a discrepancy"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Later runs will not raise it again."))


class RunForm(forms.Form):
    year = forms.IntegerField(label=_("Tax year"), min_value=2000, max_value=2100)
    full = forms.BooleanField(
        label=_("Compare everything"), required=False,
        help_text=_("Otherwise only what changed since the last run is re-checked, when "
                    "the year, rates and rules are the same."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.now().year


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Export of the tax system (CSV or XLSX)"))
    profile = forms.ModelChoiceField(label=_("Column profile"), queryset=None, required=False,
                                     empty_label=_("default"), to_field_name="name")
    strict = forms.TypedChoiceField(
        label=_("When some rows have errors"), coerce=lambda v: v == "strict",
        choices=[("lenient", _("import the good rows and list the refused ones")),
                 ("strict", _("import nothing"))], initial="lenient",
        widget=forms.RadioSelect)

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = ColumnProfile.objects.filter(
            unit__in=[unit.pk] if unit else []) | ColumnProfile.objects.filter(unit=None)
