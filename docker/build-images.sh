#!/usr/bin/env bash
# Builds the sandbox image(s) under docker/, skipping any that are up to date.
# Where no registry is reachable, first makes the Debian base image from Debian packages (mmdebstrap) and tags it
# with its conventional name, so the Dockerfiles stay ordinary.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
force=${DOCKYARD_REBUILD:-0}
base=debian:bookworm-slim

say() { printf '[images] %s\n' "$*"; }

if ! docker info >/dev/null 2>&1; then
  say "error: the Docker engine does not answer (is dockerd running, and may this user use it?)" >&2
  exit 1
fi

ensure_base() {
  if docker image inspect "$base" >/dev/null 2>&1; then return; fi
  say "base image $base is missing: trying the registry"
  if timeout 20 docker pull -q "$base" >/dev/null 2>&1; then say "pulled $base"; return; fi
  if ! command -v mmdebstrap >/dev/null 2>&1; then
    say "error: no registry reachable and mmdebstrap is not installed (apt-get install -y mmdebstrap)" >&2
    exit 1
  fi
  say "no registry reachable: building $base from Debian packages with mmdebstrap (about 20 s)"
  mmdebstrap --quiet --variant=apt --include=ca-certificates bookworm - \
    | docker import --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$base" >/dev/null
  say "tagged $base"
}

# A content hash of the build context (and of the image it builds on, if one of ours) decides whether an image is up
# to date.
context_hash() {
  { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); echo "${2:-}"; } | sha256sum | cut -c1-16
}

build_flags=()
build() {
  local name=$1 dir=$2 parent=${3:-} hash current
  hash=$(context_hash "$dir" "$([ -n "$parent" ] && docker image inspect -f '{{.Id}}' "$parent" 2>/dev/null)")
  current=$(docker image inspect --format '{{ index .Config.Labels "dockyard.image-hash" }}' "$name" 2>/dev/null || true)
  if [ "$force" != 1 ] && [ "$current" = "$hash" ]; then
    say "$name is up to date ($hash)"
    return
  fi
  ensure_base
  say "building $name from $dir (context $hash)"
  local started=$SECONDS
  docker build "${build_flags[@]}" --label "dockyard.image-hash=$hash" -t "$name" "$dir" 2>&1 \
    | sed -u 's/^/[images]   /'
  say "built $name in $((SECONDS - started)) s"
}

build dockyard/sandbox:latest "$here/sandbox"
build dockyard/sandbox-docker:latest "$here/sandbox-docker" dockyard/sandbox:latest
build dockyard/registry:latest "$here/registry"
# A stand-in machine for `ssh` environment pools (its tests run against two of them).
build dockyard/sshd-host:latest "$here/sshd-host"

# `build-images.sh deploy` also builds what docker/compose.yaml runs (docs/deploy.md): the base images under their
# conventional names (pulled where a registry answers; otherwise made from Debian packages and, for Node.js, this
# machine's own Node.js 20), the TLS proxy, and Dockyard's web app and gateway from this checkout.
# Is the conventional image `$1` to be built here? Not when it is there and not ours (kept), nor when it is missing and
# the registry gives it (pulled); one of ours is built again if its context changed.
build_here() {
  local name=$1
  if docker image inspect "$name" >/dev/null 2>&1 \
    && [ -z "$(docker image inspect -f '{{ index .Config.Labels "dockyard.image-hash" }}' "$name")" ]; then
    say "$name is there (not made by Dockyard: kept)"
    return 1
  fi
  if ! docker image inspect "$name" >/dev/null 2>&1 && timeout 20 docker pull -q "$name" >/dev/null 2>&1; then
    say "pulled $name"
    return 1
  fi
}

conventional() {
  if build_here "$1"; then build "$1" "$2"; fi
}

node_major() { node -p 'process.versions.node.split(".")[0]'; }

node_context() {
  local node npm_dir
  node=$(readlink -f "$(command -v node)")
  npm_dir=$(readlink -f "$(dirname "$(readlink -f "$(command -v npm)")")/..")
  if [ "$(node_major)" != 20 ]; then
    say "error: node:20-bookworm-slim is made from this machine's Node.js, which is not version 20 ($node)" >&2
    exit 1
  fi
  local dir
  dir=$(mktemp -d)
  cp "$here/base/node/Dockerfile" "$node" "$dir/"
  cp -a "$npm_dir" "$dir/npm"
  cp -a "$(dirname "$node")/../include/node" "$dir/include"
  echo "$dir"
}

if [ "${1:-}" = deploy ]; then
  root=$(cd "$here/.." && pwd)
  # Build steps on the host's network: they only download packages, and hosts without Docker's default bridge
  # (daemon.json "bridge": "none") build too.
  build_flags=(--network host)
  ensure_base
  # Made from this machine's Node.js only when it is missing and no registry gives it (or ours may be out of date).
  if build_here node:20-bookworm-slim; then
    if docker image inspect node:20-bookworm-slim >/dev/null 2>&1 && [ "$(node_major)" != 20 ]; then
      say "node:20-bookworm-slim is there (made by Dockyard earlier; this machine's Node.js is not 20: kept)"
    else
      node_dir=$(node_context)
      trap 'rm -rf "$node_dir"' EXIT
      build node:20-bookworm-slim "$node_dir"
    fi
  fi
  conventional postgres:15-bookworm "$here/base/postgres"
  build dockyard/proxy:latest "$here/proxy"
  # npm in the build trusts what npm here trusts (a TLS-inspecting proxy's certificate, say).
  npm_ca=$(npm config get cafile 2>/dev/null || true)
  [ -s "$npm_ca" ] || npm_ca=${NODE_EXTRA_CA_CERTS:-}
  if [ -s "$npm_ca" ]; then cp "$npm_ca" "$here/dockyard/build-ca/npm-ca.pem"; else rm -f "$here/dockyard/build-ca/npm-ca.pem"; fi
  # Docker's layer cache decides what is rebuilt here: a checkout that changed rebuilds from its first changed layer.
  # The build stage is tagged too (dockyard/build-cache), so that its layers stay as the next build's cache while
  # those of earlier builds, untagged, go.
  for target in build gateway web; do
    tag=dockyard/$target:latest
    [ "$target" != build ] || tag=dockyard/build-cache:latest
    say "building $tag from this checkout"
    started=$SECONDS
    docker build "${build_flags[@]}" -f "$here/dockyard/Dockerfile" --target "$target" -t "$tag" "$root" 2>&1 \
      | sed -u 's/^/[images]   /'
    say "$tag is ready ($((SECONDS - started)) s)"
  done
  # What earlier builds left (an old image's layers, a superseded build stage): a gigabyte or so each.
  docker image prune -f --filter label=dockyard.build=deploy >/dev/null
fi
