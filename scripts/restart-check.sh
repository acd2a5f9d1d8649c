#!/usr/bin/env bash
# Acceptance check of the process lifecycle (issue 2): on an empty DATA_DIR, `npm start` serves
# /healthz 200 within 15 s; data survives a clean restart, a `kill -9` of the whole process group,
# and a `kill -9` of the node process alone (orphaned embedded PostgreSQL).
# Usage: scripts/restart-check.sh            (after `npm install`; uses PORT=3999 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-3999}
DIR=$(mktemp -d /tmp/gop-restart-XXXXXX)
LOG=$DIR.log
BASE=http://127.0.0.1:$PORT
PASSWORD=restart-check-pass
PGID=

cleanup() {
  [ -n "$PGID" ] && kill -TERM -- "-$PGID" 2>/dev/null || true
  sleep 2
  rm -rf "$DIR" "$DIR.cookies"
}
trap cleanup EXIT

now() { date +%s%N; }

start() {
  local t0
  t0=$(now)
  DATA_DIR=$DIR PORT=$PORT ADMIN_PASSWORD=$PASSWORD LOG_LEVEL=warn setsid npm start >>"$LOG" 2>&1 </dev/null &
  PGID=$!
  disown
  for _ in $(seq 1 300); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")" = 200 ]; then
      echo "  /healthz 200 after $(( ($(now) - t0) / 1000000 )) ms"
      return 0
    fi
    sleep 0.1
  done
  echo "  FAIL: no /healthz 200 within 30 s (log: $LOG)"
  exit 1
}

csrf() {
  curl -s -c "$DIR.cookies" -H 'content-type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" "$BASE/api/auth/login" |
    node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).csrfToken'
}

add_department() {
  local token
  token=$(csrf)
  curl -s -o /dev/null -w '%{http_code}' -b "$DIR.cookies" -H "x-csrf-token: $token" \
    -H 'content-type: application/json' -d "{\"name\":\"$1\"}" "$BASE/api/departments" | grep -q 201
}

expect_departments() {
  csrf >/dev/null
  local names
  names=$(curl -s -b "$DIR.cookies" "$BASE/api/departments")
  for n in "$@"; do
    if ! grep -q "\"$n\"" <<<"$names"; then
      echo "  FAIL: department $n lost"
      exit 1
    fi
  done
  echo "  data kept: $*"
}

wait_gone() {
  for _ in $(seq 1 200); do kill -0 -- "-$1" 2>/dev/null || return 0; sleep 0.1; done
}

echo "1. first start on an empty DATA_DIR ($DIR)"
start
add_department 检查部门一

echo "2. clean restart (SIGTERM to the process group)"
kill -TERM -- "-$PGID"
wait_gone "$PGID"
start
expect_departments 检查部门一
add_department 检查部门二

echo "3. kill -9 of the whole process group, then start"
kill -9 -- "-$PGID"
sleep 0.5
start
expect_departments 检查部门一 检查部门二
add_department 检查部门三

echo "4. kill -9 of the node process alone (PostgreSQL left running), then start"
kill -9 "$(pgrep -g "$PGID" -x node)"
sleep 0.5
start
expect_departments 检查部门一 检查部门二 检查部门三

rm -f "$LOG"
echo "OK"
