# aoi as a container: non-root, and happy on a read-only root filesystem (state and temp files go to
# mounted volumes: AOI_STATE_DIR and /tmp).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY aiopslab-harness ./aiopslab-harness
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
ARG KUBECTL_VERSION=v1.31.4
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
 && curl -fsSLo /usr/local/bin/kubectl "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/$(dpkg --print-architecture)/kubectl" \
 && chmod 0755 /usr/local/bin/kubectl \
 && apt-get purge -y curl && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    AOI_STATE_DIR=/var/lib/aoi \
    HOME=/tmp
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY policies ./policies
COPY aiopslab-harness/problems ./aiopslab-harness/problems
COPY docs ./docs
RUN mkdir -p /var/lib/aoi && chown 10001:10001 /var/lib/aoi
USER 10001:10001
VOLUME ["/var/lib/aoi", "/tmp"]
ENTRYPOINT ["node", "/app/bin/aoi.js"]
CMD ["--help"]
