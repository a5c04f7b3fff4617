#!/bin/sh
# Builds every image docker-compose.yml needs without an image registry: a Debian base image
# made from Debian's packages (mmdebstrap, then `docker import`), the project's image from
# the Dockerfile on that base, and the stand-ins for redis, postgres and nginx
# (deploy/compose/local/*.Dockerfile, used through docker-compose.local.yml).
#
#   deploy/compose/local/build-images.sh        (make test-containers runs it)
#
# The base and the stand-ins are skipped when their image exists already (BLOG_REBUILD=1
# rebuilds them); the project's image is built every time (from the build cache when the
# code has not changed), so that it never runs an older checkout's code.
set -eu
cd "$(dirname "$0")/../../.."
base=blog-debian:bookworm
here=deploy/compose/local

has_image() { [ "${BLOG_REBUILD:-}" != 1 ] && docker image inspect "$1" >/dev/null 2>&1; }

# BuildKit (the Dockerfile uses COPY --chmod): the docker CLI's buildx plugin, else Debian's
# docker.io CLI, which has BuildKit built in.
builder=docker
if ! docker buildx version >/dev/null 2>&1 && [ -x /usr/bin/docker ]; then builder=/usr/bin/docker; fi

if ! has_image "$base"; then
  command -v mmdebstrap >/dev/null || { echo "mmdebstrap is missing: apt-get install mmdebstrap" >&2; exit 69; }
  echo "== base image $base (mmdebstrap, Debian bookworm)"
  tarball=$(mktemp --suffix=.tar)
  # python-is-python3 and pip on PATH: what the python:3.11-slim images give the Dockerfile.
  # The machine's own CA certificates (if any) go in too, for a registry reached through a
  # TLS-inspecting proxy.
  mmdebstrap --variant=minbase --format=tar \
    --include=ca-certificates,python3,python3-venv,python3-pip,python-is-python3 \
    --customize-hook='if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/"; chroot "$1" update-ca-certificates >/dev/null; fi' \
    --customize-hook='rm -f "$1"/usr/lib/python3*/EXTERNALLY-MANAGED; rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
    bookworm "$tarball"
  docker import --change 'CMD ["bash"]' "$tarball" "$base" >/dev/null
  rm -f "$tarball"
fi

# The build uses the host's network: apt and pip reach their registries as the host does.
build_image() {
  tag=$1; shift
  echo "== $tag"
  DOCKER_BUILDKIT=1 "$builder" build --network host --build-arg "PYTHON_IMAGE=$base" --build-arg "BASE_IMAGE=$base" -t "$tag" "$@"
}
build() {
  has_image "$1" || build_image "$@"
}
build_image blog-twice:0.1.0 .
build blog-local/redis:bookworm -f "$here/redis.Dockerfile" "$here"
build blog-local/postgres:bookworm -f "$here/postgres.Dockerfile" "$here"
build blog-local/nginx:bookworm -f "$here/nginx.Dockerfile" "$here"
