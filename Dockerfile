# One image for every earshot service (producer, consumers, Spark jobs and a Spark master/worker,
# the dashboard, Airflow): the same code and entry points as the local stack (`earshot component …`).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    EARSHOT_CACHE_DIR=/opt/earshot/cache \
    EARSHOT_DATA_DIR=/data \
    VIRTUAL_ENV=/opt/earshot/venv \
    PATH=/opt/earshot/venv/bin:$PATH

# Java runs Spark; Maven fetches Spark's Kafka connector jars at build time.
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless maven procps \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
RUN python -m venv "$VIRTUAL_ENV" && pip install --no-cache-dir uv==0.13.9
COPY . .
RUN uv pip install --no-cache -c constraints.txt -e . \
 && EARSHOT_KAFKA_BOOTSTRAP=kafka:19092 MONGO_URI=mongodb://mongo:27017/ earshot stack fetch \
 && useradd --create-home --uid 10001 earshot && mkdir -p /data && chown -R earshot /data /opt/earshot/cache

USER earshot
CMD ["earshot", "--help"]
