# Chorus image: one image for the web app, the task worker and the stream consumer
# (docker-compose.yml runs all three). Build: docker build -t chorus .
FROM python:3.11-slim-bookworm

# pg_dump/pg_restore for `chorus backup` (PostgreSQL 15 client, as the compose database).
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    DEBUG=false \
    LOG_FORMAT=json \
    MEDIA_ROOT=/data/media \
    GUNICORN_BIND=0.0.0.0:8000

WORKDIR /app
COPY pyproject.toml README.md ./
COPY chorus ./chorus
COPY config ./config
COPY templates ./templates
COPY static ./static
COPY deploy ./deploy
COPY manage.py ./
# Editable install: settings find templates/ and static/ beside config/ (BASE_DIR=/app).
RUN pip install -e . \
 && useradd --system --uid 10001 --home-dir /app chorus \
 && mkdir -p /app/var /data/media \
 && DEBUG=false ALLOWED_HOSTS=build SECRET_KEY=build-only-not-a-secret-0123456789-0123456789-0123456789 \
    chorus collectstatic --noinput --verbosity 0 \
 && chown -R chorus:chorus /app/var /data

USER chorus
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi"]
