#!/usr/bin/env bash
# Stand-ins for the base images the Dockerfile and docker-compose.yml name, made on this machine
# because no container registry can be reached here. Each is tagged with the official name, so
# the Dockerfile is built exactly as a user builds it:
#   docker.io/library/debian:bookworm             debootstrap --variant=minbase (Debian's mirror)
#   docker.io/library/python:3.11-slim-bookworm   that + this machine's CPython 3.11 in /usr/local
#   docker.io/library/python:3.10-slim-bookworm   that + this machine's CPython 3.10 in /usr/local
# (both self-contained builds for Debian bookworm; bookworm's own packages have no 3.10).
# PostgreSQL and Redis: containers/stand-ins/{postgres,redis}.Containerfile from Debian's
# packages, tagged localhost/grievance-postgres:15 and localhost/grievance-redis:7 (other
# versions than compose's postgres:16-alpine / redis:7-alpine, so not given their names;
# containers/compose.test.yml swaps them in).
# An image that exists already is kept; REBUILD_BASE_IMAGES=1 makes them again.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${CONTAINERS_CONF:?run through scripts/containers/run.sh}"
WORK=var/containers
MIRROR="${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *//p; s/^deb \(http[^ ]*debian\) .*/\1/p' /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list 2>/dev/null | grep -v security | head -1 || true)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
mkdir -p "$WORK"

have() { [[ -z "${REBUILD_BASE_IMAGES:-}" ]] && podman image exists "$1"; }

if ! have docker.io/library/debian:bookworm; then
  echo "base: debian:bookworm from debootstrap ($MIRROR)"
  rm -rf "$WORK/rootfs-bookworm"
  debootstrap --variant=minbase bookworm "$WORK/rootfs-bookworm" "$MIRROR" >"$WORK/debootstrap.log"
  rootfs=$WORK/rootfs-bookworm
  # As Debian's official images are made: apt keeps no downloaded packages or lists, and dpkg
  # installs no documentation, manual pages or translations (what debootstrap put there goes).
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
DPKG
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
         "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/*
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  tar -C "$WORK/rootfs-bookworm" -c . \
    | podman import --change 'CMD ["bash"]' - docker.io/library/debian:bookworm >/dev/null
  rm -rf "$WORK/rootfs-bookworm"
fi

python_prefix() {  # the installation prefix of a self-contained CPython of that version
  local version=$1 interpreter
  if [[ $version == 3.10 ]]; then interpreter=$(scripts/find-python310.sh); else interpreter=python$version; fi
  "$interpreter" -c "import sys; assert sys.version_info[:2] == tuple(map(int, '$version'.split('.'))); print(sys.base_prefix)"
}

for version in 3.11 3.10; do
  tag=docker.io/library/python:$version-slim-bookworm
  have "$tag" && continue
  prefix=$(python_prefix "$version")
  echo "base: python:$version-slim-bookworm from $prefix"
  context="$WORK/python$version"
  rm -rf "$context" && mkdir -p "$context"
  cp containers/stand-ins/python.Containerfile "$context/Containerfile"
  # The interpreter and standard library, without what the official slim image leaves out too
  # (tests, tkinter, static library) and without the packages installed into it here.
  tar -C "$prefix" -c \
    --exclude="lib/python$version/test" --exclude="lib/python$version/idlelib" \
    --exclude="lib/python$version/tkinter" --exclude="lib/python$version/turtledemo" \
    --exclude="lib/python$version/lib-dynload/_tkinter*" --exclude='*.a' \
    --exclude="lib/python$version/site-packages/*" --exclude='__pycache__' \
    --exclude='share' \
    bin lib include >"$context/python.tar"
  podman build --quiet -t "$tag" "$context" >/dev/null
  rm -rf "$context"
done

for kind in postgres redis; do
  case $kind in postgres) tag=localhost/grievance-postgres:15 ;; redis) tag=localhost/grievance-redis:7 ;; esac
  have "$tag" && continue
  echo "base: $tag from Debian's packages"
  podman build --quiet -t "$tag" -f "containers/stand-ins/$kind.Containerfile" containers/stand-ins >/dev/null
done
