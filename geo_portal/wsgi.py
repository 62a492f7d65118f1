"""WSGI entry point: gunicorn serves the pages, the API and MapProxy from this one app."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_portal.settings")
application = get_wsgi_application()

# Each worker starts its warm mapserv processes now, in the background, rather than on the
# first maps a visitor asks of it (gunicorn loads this module in every worker it forks).
from layers.mapproxy_config import publication_warm_in_background  # noqa: E402

publication_warm_in_background()
