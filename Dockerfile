# SutazAI container image. Multi-stage: the build stage installs every dependency and compiles
# TypeScript; the runtime stage holds production dependencies, dist/ and bin/ only, runs as the
# unprivileged `node` user (uid 1000), keeps its data in the /data volume and writes nowhere else,
# so it runs with --read-only (plus a tmpfs on /tmp).
#   docker build -t sutazai/sutazai:dev .
#   docker build --build-arg BASE_IMAGE=sutazai-local/node:20 --build-arg NPM_CI_FLAGS=--offline \
#     --network none -t sutazai/sutazai:dev .        # offline: see scripts/build-image.sh
# Details, networking and the offline build: docs/deploy.md.
ARG BASE_IMAGE=node:20-bookworm-slim

FROM ${BASE_IMAGE} AS build
# Extra npm ci flags: `--offline` installs from deploy/docker/npm-cache (staged by
# scripts/build-image.sh) when the engine cannot reach the registry.
ARG NPM_CI_FLAGS=
WORKDIR /app
COPY package.json package-lock.json ./
COPY deploy/docker/npm-cache/ /tmp/npm-cache/
# --ignore-scripts: no dependency needs an install script, and `prepare` compiles below instead.
RUN npm ci --cache /tmp/npm-cache --ignore-scripts --no-audit --no-fund --loglevel=error $NPM_CI_FLAGS
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error \
 && rm -rf /tmp/npm-cache

FROM ${BASE_IMAGE} AS runtime
ENV NODE_ENV=production \
    SUTAZAI_HOST=0.0.0.0 \
    SUTAZAI_PORT=10010 \
    SUTAZAI_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
RUN mkdir -p /data && chown 1000:1000 /data
VOLUME ["/data"]
USER node
EXPOSE 10010
# Readiness (/ready): 503 while a required dependency is down, so "healthy" means ready to serve.
# The worker role serves no HTTP; its compose service overrides this check (docs/deploy.md).
HEALTHCHECK --interval=5s --timeout=3s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.SUTAZAI_PORT||10010)+'/ready',{signal:AbortSignal.timeout(2500)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# `sutazai up` drains on the first SIGTERM (docs/operations.md); give it more than its own
# 10 s force-exit bound: `docker stop -t 15`, compose stop_grace_period: 15s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/sutazai.js"]
CMD ["up"]
