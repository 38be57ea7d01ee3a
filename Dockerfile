FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# Chinese fonts for PDFs (every character a box without them) and pango/harfbuzz for WeasyPrint;
# libharfbuzz-subset0 keeps a one-page PDF at ~0.1 s instead of seconds.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install .
COPY . .
RUN DEBUG=0 SECRET_KEY=build FIELD_ENCRYPTION_KEYS=1:00000000000000000000000000000000 BLIND_INDEX_KEY=build \
    python manage.py collectstatic --noinput

RUN useradd --system --home /app partyadmin && mkdir -p /app/var && chown partyadmin /app/var
USER partyadmin
EXPOSE 8000
CMD ["gunicorn", "partyadmin.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
