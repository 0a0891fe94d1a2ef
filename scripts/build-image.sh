#!/usr/bin/env bash
# Builds the SutazAI image on an engine that cannot reach a registry (CI here):
#  1. a local Node 20 base image from this machine's runtime (scripts/build-base-image.sh);
#  2. an npm cache staged on the host (which can reach the npm registry) in deploy/docker/npm-cache,
#     because a container here cannot: the engine has no bridge (host networking only) and the
#     registry is reached through a TLS proxy whose CA only the host trusts;
#  3. `docker build --network none` (the build needs no network) with `npm ci --offline` from that cache.
# The image is tagged by a hash of its inputs, so an unchanged tree reuses the image at once.
#   usage: scripts/build-image.sh [repository]   (default $SUTAZAI_IMAGE_REPO or sutazai-local/sutazai)
#   env SUTAZAI_BASE_IMAGE: the base tag to build/use (default sutazai-local/node:20). Prints the tag.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO_NAME=${1:-${SUTAZAI_IMAGE_REPO:-sutazai-local/sutazai}}
log() { echo "build-image: $*" >&2; }

base=$(scripts/build-base-image.sh "${SUTAZAI_BASE_IMAGE:-sutazai-local/node:20}")
inputs=$( (cat Dockerfile .dockerignore package.json package-lock.json tsconfig.json tsconfig.build.json
  find src bin -type f ! -name '*.test.ts' | LC_ALL=C sort | xargs cat
  docker image inspect -f '{{.Id}}' "$base") | sha256sum | cut -c1-16)
tag="$REPO_NAME:$inputs"
if docker image inspect "$tag" >/dev/null 2>&1; then
  log "$tag is up to date"
  echo "$tag"
  exit 0
fi

cache=deploy/docker/npm-cache
if [ ! -f "$cache/.staged-$(sha256sum package-lock.json | cut -c1-16)" ]; then
  log "staging the npm cache from the registry (host network)"
  find "$cache" -mindepth 1 -maxdepth 1 ! -name .gitkeep ! -name .gitignore -exec rm -rf {} +
  stage=$(mktemp -d)
  cp package.json package-lock.json "$stage/"
  (cd "$stage" && npm ci --cache "$OLDPWD/$cache" --prefer-offline --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  rm -rf "$stage"
  touch "$cache/.staged-$(sha256sum package-lock.json | cut -c1-16)"
fi

log "building $tag on $base"
DOCKER_BUILDKIT=0 docker build --network none --build-arg BASE_IMAGE="$base" \
  --build-arg NPM_CI_FLAGS=--offline --label org.sutazai.inputs="$inputs" -t "$tag" . >&2
echo "$tag"
