#!/usr/bin/env bash
# make test-containers: the Dockerfile's two images and docker-compose.yml's stack, run with
# podman on this machine, and the end-to-end scenario against the containers (tests/containers).
#   1. podman, runc, debootstrap (Debian's packages) and podman-compose (its own venv under
#      var/containers/tools) when missing; settings from containers/containers.conf, not /etc.
#   2. stand-in base images tagged with the official names (scripts/containers/base-images.sh).
#   3. both images, one after the other, timed (CLEAN_BUILD=1: without podman's build cache).
#   4. the stack: docker-compose.yml + containers/compose.test.yml (the channels' fakes, the
#      stand-in PostgreSQL and Redis), started in dependency order, each health check run.
#   5. tests/containers with the app env's pytest: the scenario, then one container of each kind
#      killed mid-conversation.
#   6. logs to var/containers/logs, then everything removed (containers, networks, volumes),
#      also when a step fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export CONTAINERS_CONF=$ROOT/containers/containers.conf
WORK=var/containers
LOGS=$WORK/logs
TOOLS=$WORK/tools
PROJECT=${STACK_PROJECT:-grievance-test}
APP_PY=${APP_PY:-python3.11}
mkdir -p "$LOGS"
say() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# --- 1. tools -----------------------------------------------------------------------------
missing=()
for tool in podman runc debootstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  say "installing ${missing[*]} (Debian's packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap >/dev/null
fi
if [[ ! -x $TOOLS/bin/podman-compose ]]; then
  say "installing podman-compose into $TOOLS"
  "$APP_PY" -m venv "$TOOLS"
  "$TOOLS/bin/pip" install -q podman-compose==1.6.0
fi
COMPOSE=("$TOOLS/bin/podman-compose" -p "$PROJECT" -f docker-compose.yml -f containers/compose.test.yml
         --env-file "$WORK/test.env")

# --- 2. base images -------------------------------------------------------------------------
scripts/containers/base-images.sh

# --- 3. the two images ------------------------------------------------------------------------
# pip inside the build: this machine's CA bundle (docs/DEPLOYMENT.md).
# --format docker: the OCI image format has no HEALTHCHECK, and podman would drop it.
build=(podman build --format docker --layers -v "$ROOT/containers/pip.conf:/etc/pip.conf:ro"
       -v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/host-ca.crt:ro)
[[ -n ${CLEAN_BUILD:-} ]] && build+=(--no-cache)
for target in app rasa; do
  say "building grievance-$target"
  started=$(date +%s)
  if ! "${build[@]}" --target "$target" -t "localhost/grievance-$target" . >"$LOGS/build-$target.log" 2>&1; then
    tail -30 "$LOGS/build-$target.log"; exit 1
  fi
  size=$(podman image inspect -f '{{.Size}}' "localhost/grievance-$target")
  say "grievance-$target built in $(( $(date +%s) - started )) s, $(( size / 1000000 )) MB"
done

# --- 4. the stack -----------------------------------------------------------------------------
secret() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
GATEWAY_PORT=18080  # containers/compose.test.yml
umask 077
cat >"$WORK/test.env" <<ENV
POSTGRES_PASSWORD=$(secret)
SERVICE_TOKEN=$(secret)
RASA_SHARED_SECRET=$(secret)
METRICS_TOKEN=$(secret)
TELEGRAM_BOT_TOKEN=123456:containers-$(secret)
TELEGRAM_WEBHOOK_SECRET=$(secret)
TWILIO_ACCOUNT_SID=AC00000000000000000000000000000000
TWILIO_AUTH_TOKEN=test-auth-token-0123456789abcdef
TWILIO_WHATSAPP_FROM=whatsapp:+14155238886
TWILIO_TEMPLATE_SID=HX55555555555555555555555555555555
GATEWAY_PORT=$GATEWAY_PORT
PUBLIC_BASE_URL=http://127.0.0.1:$GATEWAY_PORT
FAKE_TELEGRAM_PORT=${FAKE_TELEGRAM_PORT:-18081}
FAKE_TWILIO_PORT=${FAKE_TWILIO_PORT:-18444}
ENV
umask 022
# Into this environment too: compose reads a variable from the environment before the env
# file, and `make` exports its development SERVICE_TOKEN and RASA_SHARED_SECRET (Makefile), so
# the containers would get those while the scenario used this file's.
set -a; source "$WORK/test.env"; set +a

teardown() {
  local status=$?
  say "logs to $LOGS; removing the stack"
  for name in $(podman ps -a --filter "label=io.podman.compose.project=$PROJECT" --format '{{.Names}}'); do
    podman logs "$name" >"$LOGS/$name.log" 2>&1 || true
  done
  remove_stack
  rm -f "$WORK/test.env"
  exit "$status"
}
remove_stack() {  # by the project's label, so it works without the compose file's settings too
  local ids
  ids=$(podman ps -aq --filter "label=io.podman.compose.project=$PROJECT")
  [[ -z $ids ]] || podman rm -f -t 5 $ids >/dev/null 2>&1 || true
  for volume in $(podman volume ls -q | grep "^${PROJECT}_" || true); do podman volume rm -f "$volume" >/dev/null; done
  for network in $(podman network ls --format '{{.Name}}' | grep "^${PROJECT}_" || true); do podman network rm -f "$network" >/dev/null; done
}
trap teardown EXIT
trap 'exit 130' INT TERM
remove_stack  # what a killed run left behind

containers_of() {
  podman ps -a --filter "label=io.podman.compose.project=$PROJECT" \
    --filter "label=com.docker.compose.service=$1" --format '{{.Names}}'
}
# podman 4.3 runs health checks from systemd timers, and there is no systemd here; podman-compose
# then starts a service without waiting for its dependencies' health. So: start in the order
# the depends_on conditions give, and run each container's health check until it passes.
healthy() {  # service, timeout in seconds
  local deadline=$(( $(date +%s) + $2 )) name
  [[ -n $(containers_of "$1") ]] || { say "no container of $1"; return 1; }
  for name in $(containers_of "$1"); do
    until podman healthcheck run "$name" >/dev/null 2>&1; do
      if (( $(date +%s) > deadline )); then
        say "$name is not healthy after $2 s"; podman logs --tail 40 "$name"; return 1
      fi
      sleep 2
    done
  done
}
up() { "${COMPOSE[@]}" up -d --no-deps "$@" >>"$LOGS/up.log" 2>&1 || { tail -20 "$LOGS/up.log"; return 1; }; }

say "starting the stack"
STACK_STARTED_AT=$(date +%s.%N)
up postgres redis fake-telegram fake-twilio
healthy postgres 120 && healthy redis 60
up migrate
podman wait "$(containers_of migrate)" | grep -qx 0 || { podman logs "$(containers_of migrate)"; exit 1; }
up backend worker
healthy backend 240
up actions
healthy actions 180
up rasa-1 rasa-2 gateway
healthy worker 120 && healthy gateway 120 && healthy fake-telegram 30 && healthy fake-twilio 30
healthy rasa-1 300 && healthy rasa-2 300
say "every container healthy, $(( $(date +%s) - ${STACK_STARTED_AT%.*} )) s after the stack was started"
podman stats --no-stream --format '{{.Name}} {{.MemUsage}}' >"$LOGS/memory.txt" 2>&1 || true

# --- 5. the scenario --------------------------------------------------------------------------
export STACK_PROJECT=$PROJECT STACK_STARTED_AT
export STACK_GATEWAY_URL=http://127.0.0.1:$GATEWAY_PORT
export STACK_TELEGRAM_URL=http://127.0.0.1:$FAKE_TELEGRAM_PORT
export STACK_TWILIO_URL=http://127.0.0.1:$FAKE_TWILIO_PORT
.venv/bin/pytest -p no:cacheprovider -q -s tests/containers
