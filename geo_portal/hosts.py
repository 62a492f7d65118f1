"""Host names of the units: a unit's own address (geoportal.gmina-x.pl) opens its page and
centres the resident's map on it.

The site answers only the hosts it is configured for (DJANGO_ALLOWED_HOSTS) and the host
names recorded on units by their administrators or the operator, each as the exact name
(never a pattern): a request naming any other host is refused (400) before a view runs, so
a forged Host header cannot make the site build links or redirects to another site. The
units' names are read once a minute per process (or at once after a unit is saved there).
Forms stay same-origin on every host (CSRF compares Origin with the request's own host);
CSRF_TRUSTED_ORIGINS is for other origins and needs none of these names.
"""
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpRequest
from django.http.request import split_domain_port

CACHE_KEY = "geo_portal:unit_hosts"
CACHE_SECONDS = 60


def unit_hosts() -> dict[str, str]:
    """The units' host names, each with its unit's TERYT code."""
    found = cache.get(CACHE_KEY)
    if found is None:
        from core.models import AdministrativeUnit

        found = dict(AdministrativeUnit.objects.exclude(host_name="")
                     .values_list("host_name", "teryt"))
        cache.set(CACHE_KEY, found, CACHE_SECONDS)
    return found


def unit_hosts_forget(**_kwargs) -> None:
    cache.delete(CACHE_KEY)


class AllowedHosts(list):
    """settings.ALLOWED_HOSTS: the configured hosts, then the units' host names.

    Django checks a request's host by iterating this; the units' names are added then.
    Without a database (start-up, checks) only the configured hosts are answered."""

    def __iter__(self):
        yield from super().__iter__()
        try:
            names = unit_hosts()
        except (DatabaseError, RuntimeError):  # no database yet, or none allowed (tests)
            return
        yield from names


def _configured(domain: str) -> bool:
    """Is `domain` named as such among the configured hosts (the portal's own names)?"""
    from django.conf import settings

    return any(domain == name for name in list.__iter__(settings.ALLOWED_HOSTS))


def host_unit_teryt(request: HttpRequest) -> str | None:
    """The TERYT code of the unit whose host name the request came to, if any; none on
    the portal's own host names (read without the database)."""
    domain, _port = split_domain_port(request.get_host())
    if not domain or _configured(domain):
        return None
    return unit_hosts().get(domain.lower())


def host_unit(request: HttpRequest):
    """The unit whose host name the request came to, if any."""
    from core.models import AdministrativeUnit

    teryt = host_unit_teryt(request)
    return AdministrativeUnit.objects.filter(teryt=teryt).first() if teryt else None
