# Production image of the single servicedesk binary. FEATURES=kurrentdb builds the KurrentDB
# backend in (its gRPC client is a large build the other deployments do not need).
FROM rust:1-bookworm AS build
ARG FEATURES=""
WORKDIR /src
COPY . .
RUN cargo build --release --bin servicedesk --features "$FEATURES"

FROM debian:bookworm-slim
RUN useradd --system --home /var/lib/servicedesk servicedesk && mkdir -p /var/lib/servicedesk \
    && chown servicedesk /var/lib/servicedesk
COPY --from=build /src/target/release/servicedesk /usr/local/bin/servicedesk
USER servicedesk
ENV SERVICEDESK_DATA_DIR=/var/lib/servicedesk SERVICEDESK_LISTEN=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["servicedesk"]
CMD ["serve"]
