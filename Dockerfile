# Loket's container image: a release build, then a slim runtime that runs as
# a non-root user with its data in the /data volume.
#   docker build -t loket .
#   docker run -p 8080:8080 -v loket-data:/data loket
# Not built in CI: the CI machine has no container engine (see
# docs/deployment.md).

# ---- build ----
FROM docker.io/library/rust:1.95-bookworm AS build
WORKDIR /src
# The dependencies first, so a code change does not rebuild them.
COPY Cargo.toml Cargo.lock ./
COPY crates ./crates
COPY migrations ./migrations
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin loket \
 && install -D -m 0755 target/release/loket /out/loket

# ---- runtime ----
FROM docker.io/library/debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 loket \
 && useradd --system --uid 10001 --gid loket --home-dir /data --shell /usr/sbin/nologin loket \
 && mkdir -p /data && chown loket:loket /data && chmod 0700 /data
COPY --from=build /out/loket /usr/local/bin/loket
USER 10001:10001
ENV LOKET_ADDR=0.0.0.0:8080 \
    LOKET_DATA_DIR=/data \
    LOKET_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/loket"]
CMD ["serve"]
