# Production image: gunicorn serving Django, the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# WeasyPrint needs Pango. The PDF report's fonts (every script of the six languages) ship in
# static/pdf/fonts/; DejaVu is only fontconfig's own fallback and never reaches a report.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
    fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements/base.lock requirements/base.lock
RUN pip install -r requirements/base.lock
COPY . .
RUN SECRET_KEY=build python manage.py compile_translations
RUN SECRET_KEY=collectstatic STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage \
    python manage.py collectstatic --no-input

RUN useradd --create-home --uid 10001 app && mkdir -p /app/media && chown app /app/media
USER app
ENV STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage
EXPOSE 8000
# Readiness: /health/ (database, cache, broker, storage, worker heartbeat) from inside the
# container, standard library only. The worker and beat services set their own (docker-compose.yml).
HEALTHCHECK --interval=30s --timeout=15s --start-period=30s --retries=3 \
    CMD ["python", "config/healthcheck.py"]
# gunicorn: workers, time-out, request line and header limits in config/gunicorn.conf.py.
CMD ["gunicorn", "config.wsgi", "--config", "config/gunicorn.conf.py"]
