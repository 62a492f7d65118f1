"""Residents' accounts around django-allauth: what sign-up asks besides e-mail and password,
where a person lands after logging in, and the page where they keep their details."""
from allauth.account import stages
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.selectors import person_contact
from core.services import person_details_update

from .navigation import landing_url


class ResidentDetailsForm(forms.Form):
    """Name and address, asked once at sign-up (also after login.gov.pl, which gives the name)
    and used to fill in every application."""

    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=gettext_lazy("Surname"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    address = forms.CharField(
        label=gettext_lazy("Address for correspondence"), max_length=400, required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
        help_text=gettext_lazy("Street, number, postal code and town; your applications "
                               "start with it."))
    phone = forms.CharField(label=gettext_lazy("Phone (optional)"), max_length=40,
                            required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))

    DETAILS = ("first_name", "last_name", "address", "phone")

    def details(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in self.DETAILS}

    def signup(self, request: HttpRequest, user) -> None:
        """Called by allauth once the account exists (its form adds e-mail and password)."""
        person_details_update(user=user, **self.details())


class EmailVerificationStage(stages.EmailVerificationStage):
    """Accounts that an administrator made (staff, the demo's) never signed up and have no
    address on record to confirm; every account that signed up itself, here or through
    login.gov.pl, has one, and must have confirmed it before it logs in."""

    def handle(self):
        user = self.login.user
        if not self.login.signup and not EmailAddress.objects.filter(user_id=user.pk).exists():
            return None, True
        return super().handle()


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return landing_url(request.user)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        # Whoever signs up is a resident; staff roles come by invitation afterwards.
        return reverse("permits:mine")

    def get_login_stages(self) -> list[str]:
        default = "allauth.account.stages.EmailVerificationStage"
        ours = f"{EmailVerificationStage.__module__}.{EmailVerificationStage.__qualname__}"
        return [ours if stage == default else stage for stage in super().get_login_stages()]


@login_required
def my_details(request: HttpRequest) -> HttpResponse:
    contact = person_contact(user=request.user)
    form = ResidentDetailsForm(request.POST or None, initial={
        "first_name": request.user.first_name, "last_name": request.user.last_name,
        "address": contact.get("address", ""), "phone": contact.get("phone", "")})
    if request.method == "POST" and form.is_valid():
        person_details_update(user=request.user, **form.details())
        messages.success(request, _("Your details are saved."))
        return redirect("my-details")
    return render(request, "account/my_details.html", {"form": form},
                  status=400 if request.method == "POST" else 200)
