"""A SAML 2.0 identity provider run locally for the tests: pysaml2's IdP behind a small HTTP
server on the loopback, answering like login.gov.pl does for a natural person (eIDAS
attributes, signed assertions). Nothing in it is a stand-in for our code: the portal talks
to it over HTTP exactly as to the national node (metadata, redirect binding, POST back).
"""
import datetime
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

URI_FORMAT = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
EIDAS = "http://eidas.europa.eu/attributes/naturalperson/"


def key_and_certificate(folder: Path, name: str) -> tuple[Path, Path, str]:
    """A fresh RSA key and self-signed certificate: files, and the certificate's PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    key_path, cert_path = folder / f"{name}.key", folder / f"{name}.crt"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    cert_path.write_text(pem)
    return key_path, cert_path, pem


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


class LocalIdP:
    """pysaml2's IdP at http://127.0.0.1:<port>/ with /metadata and /sso/redirect.

    Whoever asks is authenticated as `person` (a dict of eIDAS attribute values): the
    national node's own login (trusted profile, bank, e-ID) is out of scope here.
    """

    def __init__(self, folder: Path, person: dict[str, str]) -> None:
        self.person = person
        self.httpd = make_server("127.0.0.1", 0, self._wsgi, handler_class=_Quiet)
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        self.entity_id = f"{self.base}/metadata"
        key, cert, self.certificate = key_and_certificate(folder, "idp")
        config = IdPConfig()
        config.load({
            "entityid": self.entity_id,
            "service": {"idp": {
                "endpoints": {"single_sign_on_service": [
                    (f"{self.base}/sso/redirect", BINDING_HTTP_REDIRECT)]},
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "policy": {"default": {"lifetime": {"minutes": 5},
                                       "attribute_restrictions": None,
                                       "name_form": URI_FORMAT}},
            }},
            "key_file": str(key), "cert_file": str(cert),
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "metadata": {},
        })
        self.server = Server(config=config)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "LocalIdP":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def trust(self, sp_metadata: str) -> None:
        """Register the service provider (its metadata, as the node's operator does)."""
        self.server.metadata.load("inline", sp_metadata)

    def _wsgi(self, environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/metadata":
            body = create_metadata_string(None, self.server.config, sign=False)
            start_response("200 OK", [("Content-Type", "application/samlmetadata+xml")])
            return [body if isinstance(body, bytes) else body.encode()]
        if path == "/sso/redirect":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            html = self._respond(query["SAMLRequest"][0], query.get("RelayState", [""])[0])
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [html.encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def _respond(self, saml_request: str, relay_state: str) -> str:
        request = self.server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT).message
        args = self.server.response_args(request, [BINDING_HTTP_POST])
        identity = {EIDAS + name: [value] for name, value in self.person.items()}
        response = self.server.create_authn_response(
            identity, userid=self.person["PersonIdentifier"],
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT,
                           text=f"wk-{self.person['PersonIdentifier']}"),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
                   "authn_auth": self.entity_id},
            sign_assertion=True, sign_response=True, sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256, **args)
        http = self.server.apply_binding(BINDING_HTTP_POST, str(response), args["destination"],
                                         relay_state, response=True)
        return http["data"]


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action, self.fields = "", {}

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs.get("action", "")
        elif tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value", "")


def auto_post_form(html: str) -> tuple[str, dict[str, str]]:
    """The action and fields of the self-submitting form the IdP answers with."""
    form = _Form()
    form.feed(html)
    return form.action, form.fields
