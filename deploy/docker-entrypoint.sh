#!/bin/sh
# Runs one deployable of the blog in the container image.
#
#   BLOG_SERVICE  which deployable: monolith (default), posts, comments, moderation, query,
#                 eventbus or aggregator (stacks/routes.py); it picks the settings module
#                 <package>.settings, the WSGI app <package>.wsgi and the Celery app <package>.
#   $1            the role: web (default) | worker | migrate | wait-for-migrations;
#                 anything else runs as a command, e.g. `python manage.py createsuperuser`.
#   PORT (8000), WEB_CONCURRENCY (gunicorn processes), WEB_THREADS (threads each; both the
#   service's shape unless set, shared/web_shape.py: two of four for the monolith and query,
#   one of eight for the others),
#   PROMETHEUS_MULTIPROC_DIR (/tmp/blog-metrics); a worker serves its own /metrics on
#   WORKER_METRICS_HOST (0.0.0.0 here):WORKER_METRICS_PORT when that is set.
#
# web, worker and migrate run what the launcher runs (stacks/launcher/processes.py
# _web_command, _worker_command; stacks/launcher/databases.py migrate), which
# tests/test_deploy.py checks; except that gunicorn opens no control socket (a local
# admin socket under $HOME, which is read-only here). BLOG_ENTRYPOINT_DRY_RUN=1
# prints the command, one argument a line, instead of running it.
set -eu

service="${BLOG_SERVICE:-monolith}"
case "$service" in
  "" | *[!a-z]*) echo "BLOG_SERVICE must be a deployable's name, not '$service'" >&2; exit 64 ;;
  monolith) package=monolith ;;
  *) package="micro.$service" ;;
esac
export DJANGO_SETTINGS_MODULE="$package.settings"

run() {
  if [ "${BLOG_ENTRYPOINT_DRY_RUN:-}" = 1 ]; then
    printf '%s\n' "$@"
    exit 0
  fi
  exec "$@"
}

# Prometheus multiprocess mode, as the launcher runs it: every process of this container
# counts in one folder, emptied at start, that /metrics adds up.
metrics_folder() {
  export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-/tmp/blog-metrics}"
  if [ "${BLOG_ENTRYPOINT_DRY_RUN:-}" != 1 ]; then
    rm -rf "$PROMETHEUS_MULTIPROC_DIR"
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
  fi
}

role="${1:-web}"
case "$role" in
  web)
    metrics_folder
    # "workers threads", WEB_CONCURRENCY and WEB_THREADS applied (shared/web_shape.py).
    shape="$(python -m shared.web_shape "$service")"
    run python -m gunicorn "$package.wsgi:application" \
      --bind "0.0.0.0:${PORT:-8000}" \
      --worker-class shared.gunicorn_worker.IdleThreadWorker \
      --workers "${shape% *}" --threads "${shape#* }" \
      --graceful-timeout 5 --timeout 30 \
      --config python:shared.gunicorn_conf \
      --no-control-socket
    ;;
  worker)
    metrics_folder
    # The worker touches this file once it consumes its queue (the health check looks
    # for it); a stale one from before a restart must not count.
    export BLOG_READY_FILE="${BLOG_READY_FILE:-/tmp/blog-worker-ready}"
    # Its own /metrics (shared/instrumentation/worker_metrics.py): no web process shares
    # this container's metrics folder.
    export WORKER_METRICS_HOST="${WORKER_METRICS_HOST:-0.0.0.0}"
    # No Django system checks at the worker's start (stacks/launcher/processes.py WORKER_ENV):
    # migrate ran them; running them again imports the whole URLconf, 6 MiB a worker.
    export CELERY_SKIP_CHECKS=1
    rm -f "$BLOG_READY_FILE"
    # Celery's worker without its command line (shared/messaging/worker.py): its queue,
    # the solo pool, no gossip, mingle or heartbeats.
    run python -m shared.messaging.worker "$service" --hostname "$service@%h" --loglevel INFO
    ;;
  migrate)
    run python manage.py migrate --noinput --settings="$package.settings"
    ;;
  wait-for-migrations)
    # For Kubernetes init containers: wait until the migration Job has done its work.
    until python manage.py migrate --check --noinput >/dev/null 2>&1; do
      echo "waiting for $service's migrations"
      sleep 2
    done
    ;;
  *)
    exec "$@"
    ;;
esac
