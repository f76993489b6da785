# One image for every Cohort process; docker-compose.yml picks the command.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
COPY devstack ./devstack
RUN pip install --no-cache-dir . && useradd --system --uid 10001 cohort
USER cohort
EXPOSE 8001 8002 8003
