#!/bin/sh
# One database per deployable that owns data: blog_<name> for each name in BLOG_DATABASES
# (the launcher's naming: stacks/launcher/databases.py per_service_database_url), owned by
# POSTGRES_USER. The postgres image runs this once, on an empty data directory, from
# /docker-entrypoint-initdb.d (docker-compose.yml, and deploy/k8s/postgres.yaml's copy).
for name in $BLOG_DATABASES; do
  echo "creating database blog_$name"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --command "CREATE DATABASE \"blog_$name\" OWNER \"$POSTGRES_USER\"" || exit 1
done
