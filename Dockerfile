FROM python:3.13-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV UV_PROJECT_ENVIRONMENT=/venv PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1
COPY pyproject.toml uv.lock ./
RUN pip install --no-cache-dir "uv==0.13.9" && uv sync --frozen --no-dev
COPY . .
RUN DJANGO_SETTINGS_MODULE=assistant_portal.settings.production DJANGO_SECRET_KEY=build \
    DJANGO_ALLOWED_HOSTS=build DATABASE_URL=postgres://build/build CACHE_URL=redis://build/1 \
    sh -c "python manage.py compilemessages --ignore=/venv -v 0 && python manage.py collectstatic --noinput -v 0"
RUN useradd --system --uid 1000 app && mkdir -p /app/media /backups && chown app /app/media /backups
USER app
ENV DJANGO_SETTINGS_MODULE=assistant_portal.settings.production
EXPOSE 8000
CMD ["gunicorn", "assistant_portal.wsgi", "-b", "0.0.0.0:8000", "--workers", "3"]
