"""The unit administrator's pages: the units they set up, their staff, invitations by e-mail.

Thin: every grant, revocation and invitation goes through core.services, which bound it by
the administrator's own rights (core.roles.GRANTS)."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import services
from core.access import roles_grantable
from core.errors import GeoPortalError
from core.models import AdministrativeUnit, Membership, StaffInvitation
from core.roles import ROLE_CHOICES

from . import selectors


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=())

    def __init__(self, *args, roles: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(c, label) for c, label in ROLE_CHOICES if c in roles]


def _unit_or_404(request: HttpRequest, teryt: str) -> AdministrativeUnit:
    unit = selectors.units_set_up_by(user=request.user).filter(teryt=teryt).first()
    if unit is None:
        raise Http404
    return unit


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    units = list(selectors.units_set_up_by(user=request.user))
    if len(units) == 1:
        return redirect("unit-setup", teryt=units[0].teryt)
    return render(request, "geo_portal/unit/list.html", {"units": units})


@login_required
def unit_setup(request: HttpRequest, teryt: str) -> HttpResponse:
    unit = _unit_or_404(request, teryt)
    grantable = roles_grantable(request.user, unit)
    form = InviteForm(request.POST or None, roles=grantable)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, token = services.staff_invitation_create(
                unit=unit, role=form.cleaned_data["role"], email=form.cleaned_data["email"],
                by=request.user)
        except GeoPortalError as exc:
            messages.error(request, str(exc.message))
        else:
            _send_invitation(request, invitation, token)
            messages.success(request, _("Invitation sent to %(email)s.") % {
                "email": invitation.email})
            return redirect("unit-setup", teryt=unit.teryt)
    return render(request, "geo_portal/unit/setup.html", {
        "unit": unit, "form": form, "grantable": grantable,
        "staff": selectors.unit_staff(unit=unit),
        "invitations": selectors.unit_open_invitations(unit=unit),
        "links": selectors.unit_setup_links(user=request.user),
    }, status=400 if request.method == "POST" else 200)


def _send_invitation(request: HttpRequest, invitation: StaffInvitation, token: str) -> None:
    link = request.build_absolute_uri(reverse("invitation", args=[token]))
    context = {"invitation": invitation, "link": link, "inviter": _full_name(request.user)}
    send_mail(
        subject=_("Invitation to %(unit)s on geo_portal") % {"unit": invitation.unit.name},
        message=render_to_string("geo_portal/unit/invitation_email.txt", context, request),
        from_email=None, recipient_list=[invitation.email])


def _full_name(user) -> str:
    return user.get_full_name() or user.get_username()


@login_required
@require_POST
def staff_remove(request: HttpRequest, teryt: str, pk: int) -> HttpResponse:
    unit = _unit_or_404(request, teryt)
    membership = Membership.objects.select_related("user").filter(unit=unit, pk=pk).first()
    if membership is None:
        raise Http404
    try:
        services.membership_revoke(user=membership.user, unit=unit, role=membership.role,
                                   by=request.user)
    except GeoPortalError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(name)s no longer holds the role %(role)s.") % {
            "name": _full_name(membership.user), "role": membership.get_role_display()})
    return redirect("unit-setup", teryt=unit.teryt)


@login_required
@require_POST
def invitation_withdraw(request: HttpRequest, teryt: str, pk: int) -> HttpResponse:
    unit = _unit_or_404(request, teryt)
    invitation = StaffInvitation.objects.filter(unit=unit, pk=pk).first()
    if invitation is None:
        raise Http404
    try:
        services.staff_invitation_revoke(invitation=invitation, by=request.user)
    except GeoPortalError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Invitation withdrawn."))
    return redirect("unit-setup", teryt=unit.teryt)


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link: who invites to what; an invitee with the invited address's
    account accepts it, anyone else is told to log in (or sign up) with that address."""
    try:
        invite = services.staff_invitation_open(token=token)
    except GeoPortalError as exc:
        return render(request, "geo_portal/unit/invitation.html", {"error": exc.message},
                      status=exc.status)
    if request.method == "POST" and request.user.is_authenticated:
        try:
            services.staff_invitation_accept(token=token, user=request.user)
        except GeoPortalError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("You now work in %(unit)s as %(role)s.") % {
                "unit": invite.unit.name, "role": invite.get_role_display()})
            return redirect("home")
    matches = (request.user.is_authenticated
               and (request.user.email or "").lower() == invite.email)
    return render(request, "geo_portal/unit/invitation.html", {
        "invite": invite, "inviter": _full_name(invite.invited_by), "matches": matches,
        "next": request.get_full_path(), "signup_url": reverse("account_signup")})
