# syntax=docker/dockerfile:1

# Build a static binary. The build command is the one .ci/run smoke-tests;
# keep the two identical.
FROM golang:1.26 AS build
# The build context has no .git, so Go cannot stamp the commit itself:
#   docker build --build-arg VERSION="$(git describe --tags --always --dirty)" \
#     --build-arg COMMIT="$(git rev-parse HEAD)" \
#     --build-arg BUILD_TIME="$(git show -s --format=%cI HEAD)" -t briefbot .
ARG VERSION=devel
ARG COMMIT=unknown
ARG BUILD_TIME=unknown
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath \
	-ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.buildTime=${BUILD_TIME}" \
	-o /out/briefbot ./cmd/briefbot
# Volume mount points owned by nonroot (65532), so a fresh volume is writable.
RUN mkdir -p /out/data /out/briefings

# Distroless static: CA certificates and time zones, no shell, non-root.
FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=devel
ARG COMMIT=unknown
LABEL org.opencontainers.image.version="${VERSION}" org.opencontainers.image.revision="${COMMIT}"
COPY --from=build /out/briefbot /briefbot
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build --chown=65532:65532 /out/briefings /briefings
USER nonroot:nonroot
EXPOSE 8080
ENV BRIEFBOT_BRIEFINGS_DIR=/briefings BRIEFBOT_STORE_URL=sqlite:/data/briefbot.db
VOLUME ["/briefings", "/data"]
HEALTHCHECK CMD ["/briefbot", "healthcheck"]
ENTRYPOINT ["/briefbot"]
CMD ["serve"]
