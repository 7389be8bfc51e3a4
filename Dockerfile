# Tipline: one static binary with templates, static files and migrations
# embedded, running as a non-root user.
#
#   docker build -t tipline .
#   docker run -p 127.0.0.1:8080:8080 -p 127.0.0.1:8081:8081 -v tipline-data:/data tipline
#
# The image has no browser: award reports print in a headless Chromium
# reached over the DevTools protocol (TIPLINE_CHROMIUM_URL; the chromium
# service of docker-compose.yml). Nor has it curl: the health check is
# `tipline healthcheck`, which asks the casework listener for /readyz.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/tipline ./cmd/tipline \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/tipline /usr/local/bin/tipline
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV TIPLINE_DATA_DIR=/data \
    TIPLINE_INTAKE_ADDR=0.0.0.0:8080 \
    TIPLINE_CASEWORK_ADDR=0.0.0.0:8081
# /tmp is where uploads to S3 spill the parts that fill slowly, as files
# with no name (O_TMPFILE): a volume, so that they lie on the host's disk
# (the image's own overlay file system opens no such file before Linux 6.6).
VOLUME /data /tmp
EXPOSE 8080 8081
HEALTHCHECK --interval=30s --timeout=15s --start-period=60s --retries=3 \
  CMD ["/usr/local/bin/tipline", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/tipline"]
CMD ["serve"]
