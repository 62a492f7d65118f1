# geo_portal application image: the web server (pages, API, MapProxy) and the job worker.
FROM debian:bookworm-slim
ENV DEBIAN_FRONTEND=noninteractive PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY scripts/system-packages.txt /tmp/system-packages.txt
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv python3-dev build-essential \
      $(grep -v '^\s*#' /tmp/system-packages.txt | grep -v -e '^postgresql' -e '^chromium' -e '^postgis$') \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN python3 -m venv /app/.venv && /app/.venv/bin/pip install --no-cache-dir . \
 && npm ci --no-audit --no-fund && npm run build \
 && cd geo_portal && ../.venv/bin/python ../manage.py compilemessages -v 0
ENV PATH=/app/.venv/bin:$PATH DJANGO_SETTINGS_MODULE=geo_portal.settings.production \
    GEO_PORTAL_VAR_DIR=/var/lib/geo_portal
EXPOSE 8000
CMD ["gunicorn", "geo_portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", \
     "--worker-class", "gthread", "--threads", "4", "--no-control-socket", "--access-logfile", "-"]
