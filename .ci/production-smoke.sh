#!/usr/bin/env bash
# Production smoke test (issue 11): bring Chorus up exactly as the README's production section
# says -- DEBUG=false, a generated SECRET_KEY, ALLOWED_HOSTS, `chorus migrate`,
# `chorus collectstatic --noinput`, `gunicorn config.wsgi` -- and fetch the login page, a hashed
# static file (name read from the manifest) and /healthz through it. Any other status fails.
#
# Runs on a temporary SQLite database; also on PostgreSQL when SMOKE_PG_URL names a throwaway
# database (its name must contain "smoke": it is dropped and recreated, then dropped again).
# gunicorn binds 127.0.0.1 on a free port and is stopped in every case.
#   .ci/production-smoke.sh                      (make prod-smoke)
#   SMOKE_PG_URL=postgres://postgres@127.0.0.1:5432/chorus_smoke .ci/production-smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
HOST=chorus.example.com
WORK=$(mktemp -d "${TMPDIR:-/tmp}/chorus-smoke.XXXXXX")
GUNICORN_PID=""
PG_DB_CREATED=""

stop_gunicorn() {
  if [[ -n "$GUNICORN_PID" ]] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$GUNICORN_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$GUNICORN_PID" 2>/dev/null || true
    wait "$GUNICORN_PID" 2>/dev/null || true
  fi
  GUNICORN_PID=""
}

pg_admin() {  # pg_admin create|drop URL: (re)create or drop the database the URL names
  "$BIN/python" - "$1" "$2" <<'PY'
import sys

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

action, url = sys.argv[1], sys.argv[2]
params = conninfo_to_dict(url)
name = params.pop("dbname", "")
if "smoke" not in name:
    sys.exit(f"SMOKE_PG_URL must name a throwaway database whose name contains 'smoke', not {name!r}.")
with psycopg.connect(**params, dbname="postgres", autocommit=True) as conn:
    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    if action == "create":
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
PY
}

cleanup() {
  stop_gunicorn
  if [[ -n "$PG_DB_CREATED" ]]; then pg_admin drop "$PG_DB_CREATED" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "production smoke: FAILED: $*" >&2
  if [[ -f "$WORK/gunicorn.log" ]]; then
    echo "---- gunicorn log (last 60 lines)" >&2
    tail -n 60 "$WORK/gunicorn.log" >&2
  fi
  exit 1
}

# fetch PATH EXPECTED_STATUS [extra curl args...]: the body lands in $WORK/body.
fetch() {
  local path=$1 expected=$2 status
  shift 2
  status=$(curl -sS -o "$WORK/body" -w '%{http_code}' --max-time 20 \
    -H "Host: $HOST" "$@" "http://127.0.0.1:$PORT$path") || fail "GET $path: no answer"
  [[ "$status" == "$expected" ]] || {
    head -c 2000 "$WORK/body" >&2 || true
    fail "GET $path answered $status, expected $expected"
  }
  echo "  GET $path -> $status"
}

smoke() {  # smoke LABEL DATABASE_URL
  local label=$1 database_url=$2
  echo "== production smoke on $label"
  rm -rf "$WORK/static" "$WORK/media" "$WORK/gunicorn.log"
  export DEBUG=false ALLOWED_HOSTS=$HOST SITE_URL=https://$HOST BEHIND_PROXY=true \
    DATABASE_URL=$database_url TASK_BACKEND=database \
    STATIC_ROOT=$WORK/static MEDIA_ROOT=$WORK/media
  SECRET_KEY=$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(64))')
  export SECRET_KEY

  "$BIN/chorus" migrate --noinput --verbosity 0 || fail "chorus migrate exited $?"
  "$BIN/chorus" collectstatic --noinput --verbosity 0 || fail "chorus collectstatic exited $?"
  [[ -f "$WORK/static/staticfiles.json" ]] || fail "collectstatic wrote no staticfiles.json"
  # A new installation has no organization: every page leads to /setup/ until one exists.
  # Scripted installs create it with `chorus init`, as the README's production section says.
  CHORUS_ADMIN_PASSWORD="smoke-$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(24))')" \
    "$BIN/chorus" init --name "Smoke Test Inc" --domain smoke.example --jurisdiction US \
    --timezone UTC --language en --admin-email admin@smoke.example --admin-name "Smoke Admin" \
    --preset balanced >/dev/null || fail "chorus init exited $?"

  PORT=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$BIN/gunicorn" config.wsgi --bind "127.0.0.1:$PORT" --workers 2 --timeout 30 \
    --error-logfile "$WORK/gunicorn.log" --access-logfile "$WORK/gunicorn.log" &
  GUNICORN_PID=$!
  local ready=""
  for _ in $(seq 100); do
    kill -0 "$GUNICORN_PID" 2>/dev/null || fail "gunicorn exited during start-up"
    if curl -s -o /dev/null --max-time 2 -H "Host: $HOST" "http://127.0.0.1:$PORT/healthz"; then
      ready=1; break
    fi
    sleep 0.2
  done
  [[ -n "$ready" ]] || fail "gunicorn did not answer within 20 s"

  # The TLS-terminating proxy of the README sets X-Forwarded-Proto (BEHIND_PROXY=true).
  local https=(-H "X-Forwarded-Proto: https")
  fetch /healthz 200
  grep -q '"status": "ok"' "$WORK/body" || fail "/healthz body is not {\"status\": \"ok\"}"
  fetch /login/ 200 "${https[@]}"
  local css chart
  css=$("$BIN/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["paths"]["css/chorus.css"])' "$WORK/static/staticfiles.json")
  chart=$("$BIN/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["paths"]["vendor/chart/chart.umd.min.js"])' "$WORK/static/staticfiles.json")
  grep -q "/static/$css" "$WORK/body" || fail "the login page does not link the hashed stylesheet $css"
  fetch "/static/$css" 200 "${https[@]}"
  cmp -s "$WORK/body" "$WORK/static/$css" || fail "/static/$css is not the collected file"
  fetch "/static/$chart" 200 "${https[@]}"
  # Without the proxy header the request is plain http: it must be redirected to https.
  fetch /login/ 301
  stop_gunicorn
  echo "   $label: OK"
}

smoke SQLite "sqlite:///$WORK/chorus.sqlite3"
if [[ -n "${SMOKE_PG_URL:-}" ]]; then
  pg_admin create "$SMOKE_PG_URL" || fail "could not create the database of SMOKE_PG_URL"
  PG_DB_CREATED=$SMOKE_PG_URL
  smoke PostgreSQL "$SMOKE_PG_URL"
fi
echo "production smoke passed"
