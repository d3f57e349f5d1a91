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
  docker build --label "dockyard.image-hash=$hash" -t "$name" "$dir" 2>&1 \
    | sed -u 's/^/[images]   /'
  say "built $name in $((SECONDS - started)) s"
}

build dockyard/sandbox:latest "$here/sandbox"
build dockyard/sandbox-docker:latest "$here/sandbox-docker" dockyard/sandbox:latest
build dockyard/registry:latest "$here/registry"
