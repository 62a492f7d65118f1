"""Reads about people that more than one app needs."""
from .models import PersonProfile


def person_contact(*, user) -> dict[str, str]:
    """The name and address an application form starts with: the account's own."""
    if not user or not user.is_authenticated:
        return {}
    profile = PersonProfile.objects.filter(user=user).first()
    return {"name": user.get_full_name(), "address": profile.address if profile else "",
            "phone": profile.phone if profile else ""}
