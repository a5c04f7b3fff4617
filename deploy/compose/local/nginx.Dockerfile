# Stand-in for nginx:1.27-alpine, from Debian's package (docker-compose.local.yml): reads
# /etc/nginx/conf.d/*.conf as the official image does; wget for the health check.
ARG BASE_IMAGE=blog-debian:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends nginx-light wget \
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/* \
    && ln -sf /dev/stdout /var/log/nginx/access.log \
    && ln -sf /dev/stderr /var/log/nginx/error.log
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
