# One image for every Cohort process; docker-compose.yml picks the command.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# Certificates are rendered by WeasyPrint, which draws text with Pango.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*
# Dependencies first, exactly as locked and hash-checked, so code changes reuse this layer.
COPY requirements/app.txt ./requirements/app.txt
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements/app.txt
COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
COPY devstack ./devstack
RUN pip install --no-cache-dir --no-deps --no-build-isolation . && useradd --system --uid 10001 cohort
USER cohort
EXPOSE 8000 8001 8002 8003
