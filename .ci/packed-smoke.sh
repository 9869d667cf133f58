#!/usr/bin/env bash
# Packed-install smoke test: the tarball `npm pack` makes is the product. It is installed into a temporary
# prefix with production dependencies only, and the README's commands run from that install, away from
# the checkout (another working directory, HOME and state dir), so nothing of the sources or of tsx can help.
# Run alone with `bash .ci/packed-smoke.sh` (or `npm run smoke:packed`); .ci/run calls it after the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/aoi-packed-smoke.XXXXXX")
sim_pid=''
serve_pid=''
cleanup() {
  for pid in "$sim_pid" "$serve_pid"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

section() { printf '\n=== [%3d s] %s\n' "$((SECONDS - started))" "$*"; }
fail() {
  printf 'packed-smoke: FAILED: %s\n' "$*" >&2
  exit 1
}

# Runs aoi from the install and checks its exit code: expect_exit CODES LOGFILE ARGS... (CODES: 0 or 0|3)
expect_exit() {
  local want=$1 log=$2
  shift 2
  local got=0
  printf '$ aoi %s\n' "$*"
  (cd "$tmp/work" && "$aoi" "$@") >"$log" 2>&1 || got=$?
  sed 's/^/  | /' "$log"
  [[ "|$want|" == *"|$got|"* ]] || fail "aoi $* exited $got, expected $want"
  printf '  exit %s (as expected: %s)\n' "$got" "$want"
}

section "npm pack (prepack builds dist/)"
npm pack --silent --pack-destination "$tmp" >/dev/null
tarball=$(ls "$tmp"/aoi-*.tgz)
tar -tzf "$tarball" | sed 's#^package/##' | sort >"$tmp/contents"
printf '%s: %s bytes, %s files\n' "$(basename "$tarball")" "$(wc -c <"$tarball")" "$(wc -l <"$tmp/contents")"
for needed in bin/aoi.js dist/src/cli/main.js dist/aiopslab-harness/sim/index.js policies/default.yaml \
  policies/bench.yaml aiopslab-harness/problems/hotel-reservation.yaml docs/policy-reference.md \
  README.md package.json; do
  grep -qx "$needed" "$tmp/contents" || fail "the tarball lacks $needed"
done
grep -q '^docs/schema/.*\.json$' "$tmp/contents" || fail 'the tarball lacks the JSON Schemas under docs/schema/'
if grep -E '^(src|tests|bench|scripts|node_modules)/|\.map$|\.ts$' "$tmp/contents" | grep -v '\.d\.ts$' | head -5 | grep .; then
  fail 'the tarball ships sources, tests or source maps (above)'
fi
echo 'contents: dist, bin, policies, problem catalog, docs; no sources, tests or source maps'

section "npm install -g --omit=dev (temporary prefix)"
# The registry's tarballs are in npm's cache after `npm ci`; --prefer-offline uses them when they are.
npm install -g --prefix "$tmp/prefix" --omit=dev --prefer-offline --no-audit --no-fund --loglevel=error "$tarball"
installed="$tmp/prefix/lib/node_modules/aoi"
aoi="$tmp/prefix/bin/aoi"
[ -x "$aoi" ] || fail "no aoi on the install's bin path ($aoi)"
[ ! -e "$installed/node_modules/tsx" ] || fail 'tsx was installed with production dependencies'
[ ! -e "$installed/src" ] || fail 'the install has the TypeScript sources'
echo "installed: $installed (no tsx, no sources)"

mkdir -p "$tmp/work" "$tmp/home"
export HOME="$tmp/home" AOI_STATE_DIR="$tmp/state"
unset KUBECONFIG

section "aoi --help"
expect_exit 0 "$tmp/help.log" --help
grep -q 'diagnose' "$tmp/help.log" || fail '--help does not list diagnose'

section "aoi diagnose --sim (read-only: an incident, exit 1)"
expect_exit 1 "$tmp/diagnose.log" diagnose --sim k8s_target_port-misconfig-mitigation-1 --reasoner rules
grep -q '^INCIDENT' "$tmp/diagnose.log" || fail 'diagnose --sim did not report an INCIDENT'

section "the README's main job: diagnose --sim … --apply --policy bench --approve (exit 0)"
expect_exit 0 "$tmp/apply.log" diagnose --sim k8s_target_port-misconfig-mitigation-1 --apply --policy bench --approve
find "$AOI_STATE_DIR" -name 'audit.jsonl' -size +0 | grep -q . || fail 'the apply left no audit entry'

section "aoi sim start (background), kubectl and aoi observe against it"
kubeconfig="$tmp/sim.kubeconfig"
(cd "$tmp/work" && exec "$aoi" sim start --port 0 --kubeconfig "$kubeconfig") >"$tmp/sim.log" 2>&1 &
sim_pid=$!
# The simulator settles its cluster before it listens; a generous limit because CI machines may be busy.
for _ in $(seq 1 300); do
  grep -q 'Press Ctrl-C to stop' "$tmp/sim.log" && break
  kill -0 "$sim_pid" 2>/dev/null || { cat "$tmp/sim.log"; fail 'aoi sim start exited before it was ready'; }
  sleep 0.1
done
grep -q 'Press Ctrl-C to stop' "$tmp/sim.log" || { cat "$tmp/sim.log"; fail 'aoi sim start was not ready within 30 s'; }
sed 's/^/  | /' "$tmp/sim.log"
namespace=$(sed -n 's/.* running in namespace \([^ ,]*\).*/\1/p' "$tmp/sim.log" | head -1)
[ -n "$namespace" ] || fail 'aoi sim start named no namespace'
if command -v kubectl >/dev/null 2>&1; then
  printf '$ kubectl --kubeconfig %s get pods -A\n' "$kubeconfig"
  kubectl --kubeconfig "$kubeconfig" get pods -A >"$tmp/kubectl.log" 2>&1 || { cat "$tmp/kubectl.log"; fail 'kubectl get pods -A failed'; }
  sed 's/^/  | /' "$tmp/kubectl.log" | head -8
  printf '  | … %s lines\n' "$(wc -l <"$tmp/kubectl.log")"
  grep -q "^$namespace " "$tmp/kubectl.log" || fail "kubectl lists no pod in $namespace"
else
  echo 'kubectl not on PATH: the kubectl check is SKIPPED (.ci/run installs it)'
fi
# A healthy app that has run for a while (the simulator serves its history): no incident, nothing unread.
expect_exit 0 "$tmp/observe.log" observe --kubeconfig "$kubeconfig" -n "$namespace"
grep -q '^Incident: no' "$tmp/observe.log" || fail 'aoi observe gave no verdict line'
kill -INT "$sim_pid"
sim_status=0
wait "$sim_pid" || sim_status=$?
sim_pid=''
[ "$sim_status" -eq 0 ] || { cat "$tmp/sim.log"; fail "aoi sim start exited $sim_status on SIGINT"; }
echo "aoi sim start stopped on SIGINT (exit 0): $(tail -1 "$tmp/sim.log")"

section "On call: diagnose --alert, aoi serve with the example alert, aoi mcp (the README's commands)"
alert="$installed/docs/examples/alert.json"
[ -f "$alert" ] || fail "the package ships no $alert"
expect_exit 1 "$tmp/alert.log" diagnose --sim astronomy_shop_cart_service_failure-localization-1 --alert "$alert" --reasoner rules
grep -q '^INCIDENT' "$tmp/alert.log" || fail 'diagnose --alert did not report an INCIDENT'
"$aoi" serve --sim astronomy_shop_cart_service_failure-localization-1 --port 0 --reasoner rules >"$tmp/serve.out" 2>"$tmp/serve.err" &
serve_pid=$!
# Starting a simulated cluster and a server from the install: generous, since the machine may be busy.
for _ in $(seq 1 120); do grep -q 'serving on http' "$tmp/serve.err" && break; sleep 0.5; done
serve_url=$(grep -o 'serving on http://[0-9.]*:[0-9]*' "$tmp/serve.err" | sed 's/serving on //')
[ -n "$serve_url" ] || { cat "$tmp/serve.err"; fail 'aoi serve did not start listening within 60 s'; }
code=$(curl -s -o /dev/null -w '%{http_code}' "$serve_url/alertmanager" -H 'Content-Type: application/json' -d @"$alert")
[ "$code" = 200 ] || fail "aoi serve answered $code to the example alert"
for _ in $(seq 1 240); do [ -s "$tmp/serve.out" ] && break; sleep 0.5; done
[ -s "$tmp/serve.out" ] || { cat "$tmp/serve.err"; fail 'aoi serve wrote no answer within 120 s'; }
kill -TERM "$serve_pid"
serve_status=0
wait "$serve_pid" || serve_status=$?
serve_pid=''
[ "$serve_status" -eq 0 ] || { cat "$tmp/serve.err"; fail "aoi serve exited $serve_status on SIGTERM"; }
echo "aoi serve answered: $(head -c 160 "$tmp/serve.out")"
mcp_requests='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"smoke","version":"0"}}}
{"jsonrpc":"2.0","method":"notifications/initialized"}
{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
# stdin stays open a few seconds so the answers come back before the server sees end of input.
{ printf '%s\n' "$mcp_requests"; sleep 5; } | timeout 120 "$aoi" mcp --sim k8s_target_port-misconfig-mitigation-1 >"$tmp/mcp.out" 2>"$tmp/mcp.err" || true
grep -q '"name":"propose_action"' "$tmp/mcp.out" || { cat "$tmp/mcp.err"; fail 'aoi mcp listed no propose_action tool'; }
echo "aoi mcp listed its tools"

section "packed-install smoke: passed in $((SECONDS - started)) s"
