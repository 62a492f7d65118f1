"""login.gov.pl (Węzeł Krajowy) as a SAML 2.0 identity provider, configured per deployment.

Each deployment registers its own service provider with the national node and sets these
variables; without LOGIN_GOV_PL_IDP_ENTITY_ID the button is not offered at all.

  LOGIN_GOV_PL_IDP_ENTITY_ID     the node's entity ID
  LOGIN_GOV_PL_IDP_METADATA_URL  its metadata (preferred), or instead:
  LOGIN_GOV_PL_IDP_SSO_URL       its single sign-on address and
  LOGIN_GOV_PL_IDP_CERT_FILE     its signing certificate (PEM)
  LOGIN_GOV_PL_SP_ENTITY_ID      our entity ID as registered (default: our metadata address)
  LOGIN_GOV_PL_SP_CERT_FILE, LOGIN_GOV_PL_SP_KEY_FILE
                                 our certificate and key: requests are signed with them
"""
from pathlib import Path

from .env import env_str

# The slug in our SAML addresses: /accounts/saml/login-gov-pl/{login,acs,metadata}/.
LOGIN_GOV_PL = "login-gov-pl"

# The node describes a natural person with eIDAS attribute names; first match wins.
EIDAS = "http://eidas.europa.eu/attributes/naturalperson/"
ATTRIBUTE_MAPPING = {
    "uid": [EIDAS + "PersonIdentifier"],
    "first_name": [EIDAS + "CurrentGivenName", "urn:oid:2.5.4.42"],
    "last_name": [EIDAS + "CurrentFamilyName", "urn:oid:2.5.4.4"],
    "email": ["urn:oid:0.9.2342.19200300.100.1.3"],
}


def _pem(path: str) -> str | None:
    return Path(path).read_text() if path else None


def login_gov_pl_apps() -> list[dict]:
    """The SOCIALACCOUNT_PROVIDERS["saml"]["APPS"] entry for this deployment, or none."""
    entity_id = env_str("LOGIN_GOV_PL_IDP_ENTITY_ID", "")
    if not entity_id:
        return []
    metadata_url = env_str("LOGIN_GOV_PL_IDP_METADATA_URL", "")
    idp = {"entity_id": entity_id}
    if metadata_url:
        idp["metadata_url"] = metadata_url
    else:
        idp.update(sso_url=env_str("LOGIN_GOV_PL_IDP_SSO_URL"),
                   x509cert=_pem(env_str("LOGIN_GOV_PL_IDP_CERT_FILE")))
    sp_entity_id = env_str("LOGIN_GOV_PL_SP_ENTITY_ID", "")
    return [login_gov_pl_app(
        idp=idp, sp_entity_id=sp_entity_id,
        sp_cert=_pem(env_str("LOGIN_GOV_PL_SP_CERT_FILE", "")),
        sp_key=_pem(env_str("LOGIN_GOV_PL_SP_KEY_FILE", "")))]


def login_gov_pl_app(*, idp: dict, sp_entity_id: str = "", sp_cert: str | None = None,
                     sp_key: str | None = None) -> dict:
    advanced = {
        "strict": True,
        # Only signed assertions are believed; the node signs them.
        "want_assertion_signed": True,
        "want_attribute_statement": True,
        "reject_deprecated_algorithm": True,
        "reject_idp_initiated_sso": True,
    }
    if sp_cert and sp_key:
        advanced.update(x509cert=sp_cert, private_key=sp_key, authn_request_signed=True)
    return {
        "name": "login.gov.pl",
        "provider_id": idp["entity_id"],
        "client_id": LOGIN_GOV_PL,
        "settings": {
            "idp": idp,
            "sp": {"entity_id": sp_entity_id} if sp_entity_id else {},
            "attribute_mapping": ATTRIBUTE_MAPPING,
            "advanced": advanced,
        },
    }
