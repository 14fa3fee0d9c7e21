# One image for every earshot service (producer, consumers, Spark jobs and a Spark master/worker,
# the dashboard, Airflow): the same code and entry points as the local stack (`earshot component …`).
# Layers from the least to the most often changed: system packages, Python dependencies, Spark's
# Kafka connector jars, then the code, so a code edit reinstalls nothing.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    EARSHOT_CACHE_DIR=/opt/earshot/cache \
    EARSHOT_DATA_DIR=/data \
    VIRTUAL_ENV=/opt/earshot/venv \
    PATH=/opt/earshot/venv/bin:$PATH

# Java runs Spark (and the Spark master/worker of the cluster profile).
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless procps \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The locked dependencies only (pyproject's [project] list, pinned by constraints.txt).
COPY pyproject.toml constraints.txt README.md ./
RUN python -m venv "$VIRTUAL_ENV" \
 && pip install --no-cache-dir uv==0.13.9 \
 && uv pip install --no-cache -c constraints.txt -r pyproject.toml

# Spark's Kafka connector jars, resolved by Maven at build time into the cache dir; Maven and its
# local repository leave in the same layer, so neither stays in the image. (infra.services finds
# the connector's folder through spark_jobs.session.)
COPY core/ core/
COPY infra/ infra/
COPY spark_jobs/ spark_jobs/
RUN apt-get update \
 && apt-get install -y --no-install-recommends maven \
 && EARSHOT_KAFKA_BOOTSTRAP=kafka:19092 MONGO_URI=mongodb://mongo:27017/ python -c \
    "from core.settings import get_settings; from infra.stack import fetch; print(fetch(get_settings()))" \
 && apt-get purge -y --auto-remove maven \
 && rm -rf /var/lib/apt/lists/* /root/.m2

COPY . .
RUN uv pip install --no-cache --no-deps -c constraints.txt -e . \
 && useradd --create-home --uid 10001 earshot \
 && mkdir -p /data && chown earshot /data

USER earshot
CMD ["earshot", "--help"]
