#!/usr/bin/env bash
# Builds a local Node 20 base image from THIS machine's Node runtime, for engines that cannot reach
# a registry (CI here): a root filesystem holding node, npm, the shared libraries `ldd` lists,
# busybox as /bin/sh (Dockerfile RUN steps and `docker exec` need a shell, as in the official
# image), CA certificates and a `node` user (uid 1000, as in the official image), then
# `docker import`. The Dockerfile's default base stays the official node:20 image.
#   usage: scripts/build-base-image.sh [tag]      (default tag: sutazai-local/node:20)
# Prints the tag. Skips the work when an image with the same tag and the same node version exists.
set -euo pipefail
TAG=${1:-sutazai-local/node:20}
NODE=$(command -v node)
VERSION=$("$NODE" --version)
log() { echo "build-base-image: $*" >&2; }

if [ "$(docker image inspect -f '{{index .Config.Labels "org.sutazai.node-version"}}' "$TAG" 2>/dev/null || true)" = "$VERSION" ]; then
  log "$TAG already holds node $VERSION"
  echo "$TAG"
  exit 0
fi
case "$VERSION" in v20.*) ;; *) log "node $VERSION is not Node 20"; exit 1 ;; esac
command -v busybox >/dev/null || [ -x /bin/busybox ] || { log "busybox (busybox-static) is required"; exit 1; }
BUSYBOX=$(command -v busybox || echo /bin/busybox)

root=$(mktemp -d)
chmod 755 "$root" # mktemp makes it 0700: the image root must be readable by the node user
trap 'rm -rf "$root" "$root.tar"' EXIT
mkdir -p "$root"/{bin,usr/bin,usr/local/bin,usr/local/lib,etc/ssl/certs,tmp,home/node,root}
chmod 1777 "$root/tmp"

# node and every shared library it links, at the same paths (the dynamic loader included).
cp "$(readlink -f "$NODE")" "$root/usr/local/bin/node"
for lib in $(ldd "$NODE" | grep -oE '/[^ ]+'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

# npm, from the Node install that ships it (the build stage runs `npm ci`).
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

# A shell and the few tools a Dockerfile RUN step uses, as in the official image.
cp "$BUSYBOX" "$root/bin/busybox"
for c in sh mkdir chown chmod rm cp mv ln ls cat env id true false sleep wget; do
  ln -s busybox "$root/bin/$c"
done
ln -s /bin/busybox "$root/usr/bin/env"
[ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\n' >"$root/etc/group"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
chown 1000:1000 "$root/home/node"

tar -C "$root" --numeric-owner -cf "$root.tar" .
docker import \
  -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  -c "ENV NODE_VERSION=${VERSION#v}" \
  -c "LABEL org.sutazai.node-version=$VERSION" \
  -c 'CMD ["node"]' \
  "$root.tar" "$TAG" >/dev/null
log "imported $TAG (node $VERSION, $(du -h "$root.tar" | cut -f1) root filesystem)"
echo "$TAG"
