#!/usr/bin/env bash
# Corral vs Apache ZooKeeper 3.8, side by side on this machine, with the shared benchmark
# (../shared/bench, relative to the repo). See README.md in this folder.
#
#   tools/bench/run.sh [options]              the standard matrix, Apache and Corral interleaved
#   tools/bench/run.sh --recovery [options]   restart time, RSS and node counts, both servers
#
# Options:
#   --repeat N        passes per system (default 1); each pass starts a fresh server with an
#                     empty data dir; passes alternate Apache, Corral, Apache, Corral, ...
#   --duration S      measured seconds per workload (default 10)
#   --warmup S        unmeasured seconds per workload (default 3)
#   --only a,b        only these workloads (create,set,get,mixed,set-lat,get-lat)
#   --pinned          load generator on CPU 0, server on CPU 1 (both systems)
#   --recovery        recovery comparison instead of the matrix
#   --znodes N        znodes of 100 B for --recovery (default 100000)
#   --out DIR         keep results here (default: a fresh mktemp dir, printed at the end)
#   --stand-in-apache run a second Apache ZooKeeper in Corral's place (to check this tool
#                     itself when apps/server is not built); its rows are still labelled corral
#   --ensemble        3-server ensembles instead of standalone servers: Apache's from the shared
#                     run.sh (--apache ensemble, session i on server i mod 3), Corral's from
#                     `corral ensemble --local 3` (same spread); failover and catch-up times
#                     are measured by ensemble-bench.mjs
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SHARED="${ZKBENCH_DIR:-$(cd "$REPO/.." && pwd)/shared/bench}"
# The bin shim: runs the esbuild bundle when it is fresh, else dist/cli.js (saying so on stderr).
CLI="$REPO/apps/server/bin/corral.js"
CLI_BUILT="$REPO/apps/server/dist/server-entry.js"
PY=/usr/bin/python3
NODE=${NODE:-node}
JAVA=${JAVA:-java}
JAVAC=${JAVAC:-javac}
ZK_CP=/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar

REPEAT=1 ; DURATION=10 ; WARMUP=3 ; ONLY="" ; PINNED=0 ; RECOVERY=0 ; ZNODES=100000
OUT="" ; STAND_IN=0 ; ENSEMBLE=0
# how long a server may take to answer srvr before we give up on it (a safety net, not a measure)
START_LIMIT_S=300
# how long SIGTERM may take before SIGKILL
STOP_LIMIT_S=20

usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; }

need_value() { [ $# -ge 2 ] && [ -n "$2" ] || { echo "$1 needs a value" >&2; exit 64; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) need_value "$@"; REPEAT="$2"; shift 2 ;;
    --duration) need_value "$@"; DURATION="$2"; shift 2 ;;
    --warmup) need_value "$@"; WARMUP="$2"; shift 2 ;;
    --only) need_value "$@"; ONLY="$2"; shift 2 ;;
    --pinned) PINNED=1; shift ;;
    --recovery) RECOVERY=1; shift ;;
    --znodes) need_value "$@"; ZNODES="$2"; shift 2 ;;
    --out) need_value "$@"; OUT="$2"; shift 2 ;;
    --stand-in-apache) STAND_IN=1; shift ;;
    --ensemble) ENSEMBLE=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 64 ;;
  esac
done
for v in "$REPEAT" "$ZNODES"; do
  [[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "--repeat and --znodes take a positive integer" >&2; exit 64; }
done

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

[ -x "$SHARED/run.sh" ] || { echo "shared benchmark not found at $SHARED (set ZKBENCH_DIR)" >&2; exit 1; }
if [ "$STAND_IN" = 0 ] && [ ! -f "$CLI_BUILT" ]; then
  echo "Corral is not built: $CLI_BUILT is missing. Run \`npm run build\` in $REPO first." >&2
  exit 1
fi
if [ "$ENSEMBLE" = 1 ] && { [ "$STAND_IN" = 1 ] || [ "$RECOVERY" = 1 ] || [ "$PINNED" = 1 ]; }; then
  echo "--ensemble runs the matrix only, unpinned, against Corral" >&2; exit 64
fi
if [ "$PINNED" = 1 ]; then
  command -v taskset >/dev/null || { echo "--pinned needs taskset (util-linux)" >&2; exit 1; }
fi

# the summariser reads every pass folder in --out: old results there would be mixed in
if [ -n "$OUT" ] && [ -d "$OUT" ] && [ -n "$(ls -A "$OUT")" ]; then
  echo "--out $OUT is not empty; give a new or empty folder" >&2; exit 64
fi
WORK="$(mktemp -d -t corral-bench.XXXXXX)"
[ -n "$OUT" ] || OUT="$(mktemp -d -t corral-bench-results.XXXXXX)"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

# Every process we start is recorded here and stopped by PID (or by the process group it leads,
# for the shared run.sh, whose own trap then stops the Apache servers and client JVMs it started).
SERVER_PIDS=()   # Corral (or stand-in) servers
GROUP_PIDS=()    # shared run.sh invocations, each the leader of its own process group
cleanup() {
  local p
  for p in "${GROUP_PIDS[@]:-}"; do [ -n "$p" ] && kill -TERM -- "-$p" 2>/dev/null || true; done
  for p in "${SERVER_PIDS[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done
  for p in "${GROUP_PIDS[@]:-}" "${SERVER_PIDS[@]:-}"; do
    [ -n "$p" ] || continue
    for _ in $(seq 1 $((STOP_LIMIT_S * 10))); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'log "interrupted; stopping everything this run started"; exit 130' INT TERM HUP

forget() { # list-name pid : drop pid so the trap never signals a recycled PID
  local -n list="$1"
  local keep=() q
  for q in "${list[@]:-}"; do [ -z "$q" ] || [ "$q" = "$2" ] || keep+=("$q"); done
  list=("${keep[@]:-}")
}

# ---- ports: a random free loopback port in 40000-49999 -----------------------------
free_port() {
  "$PY" - <<'PYEOF'
import random, socket
for _ in range(200):
    p = random.randint(40000, 49999)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
else:
    raise SystemExit("no free port in 40000-49999")
PYEOF
}
# shared run.sh puts the standalone Apache client port at port-base + 181
APACHE_PORT="$(free_port)"
APACHE_PORT_BASE=$((APACHE_PORT - 181))
CORRAL_PORT="$(free_port)"
while [ "$CORRAL_PORT" = "$APACHE_PORT" ]; do CORRAL_PORT="$(free_port)"; done
CORRAL_HP="127.0.0.1:$CORRAL_PORT"

# ---- four-letter words ---------------------------------------------------------------
fourlw() { # host:port word
  local h="${1%:*}" p="${1##*:}"
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf "%s" "$2" >&3 && cat <&3' "$h" "$p" "$2" 2>/dev/null || true
}
node_count() { fourlw "$1" srvr | awk -F': ' '/^Node count/{print $2}'; }
rss_kib() { awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# ---- Corral (or the stand-in) ------------------------------------------------------------
write_cfg() { # dir
  mkdir -p "$1/data" "$1/log"
  cat > "$1/zoo.cfg" <<EOF
tickTime=2000
dataDir=$1/data
dataLogDir=$1/log
clientPortAddress=127.0.0.1
clientPort=$CORRAL_PORT
4lw.commands.whitelist=*
maxClientCnxns=0
admin.enableServer=false
EOF
}

# starts the server on DIR/zoo.cfg in the background; sets LAUNCHED_PID (the server itself:
# taskset and the java/node launch both exec, so $! is the server's PID)
launch_corral() { # dir
  local d="$1" pin=()
  [ "$PINNED" = 1 ] && pin=(taskset -c 1)
  if [ "$STAND_IN" = 1 ]; then
    "${pin[@]}" "$JAVA" -Xmx1000m -Dorg.slf4j.simpleLogger.defaultLogLevel=info \
      -Dorg.slf4j.simpleLogger.logFile="$d/server.log" \
      -cp "$ZK_CP" org.apache.zookeeper.server.quorum.QuorumPeerMain "$d/zoo.cfg" >> "$d/stdout.log" 2>&1 &
  else
    "${pin[@]}" "$NODE" "$CLI" server --config "$d/zoo.cfg" >> "$d/stdout.log" 2>&1 &
  fi
  LAUNCHED_PID=$!
  # out of bash's job table: no "Killed" notice after the SIGKILL restart test; bash still
  # reaps it, and we stop it by PID
  disown "$LAUNCHED_PID"
  SERVER_PIDS+=("$LAUNCHED_PID")
}

# polls srvr every 50 ms until it answers with a Mode: line; fails if the process exits
wait_serving() { # pid host:port
  local deadline=$(( $(date +%s) + START_LIMIT_S ))
  while :; do
    fourlw "$2" srvr | grep -q '^Mode: ' && return 0
    kill -0 "$1" 2>/dev/null || return 1
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

start_corral() { # dir ; sets CORRAL_PID, or stops it and returns 1
  write_cfg "$1"
  launch_corral "$1"
  CORRAL_PID="$LAUNCHED_PID"
  if ! wait_serving "$CORRAL_PID" "$CORRAL_HP"; then
    log "Corral did not start serving on $CORRAL_HP; last output:"
    tail -n 30 "$1/stdout.log" >&2 || true
    stop_server "$CORRAL_PID"
    return 1
  fi
}

# `corral ensemble --local 3` in the background on a random base port (clients base..base+2,
# quorum base+100.., election base+200..); sets ENSEMBLE_PID (the launcher: SIGTERM to it stops
# every server by PID), ENSEMBLE_HP (the three client addresses) and ENSEMBLE_SERVER_PIDS.
# Returns 1 (launcher stopped) when the members do not serve as leader/follower.
start_corral_ensemble() { # dir
  local d="$1" base hp modes deadline
  base=$(( $(free_port) / 10 * 10 )); [ "$base" -le 49700 ] || base=$((base - 300))
  mkdir -p "$d"
  "$NODE" "$CLI" ensemble --local 3 --base-port "$base" --data-dir "$d/data" >> "$d/stdout.log" 2>&1 &
  ENSEMBLE_PID=$!
  disown "$ENSEMBLE_PID"
  SERVER_PIDS+=("$ENSEMBLE_PID")
  ENSEMBLE_HP="127.0.0.1:$base,127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2))"
  deadline=$(( $(date +%s) + 120 ))
  while :; do
    modes=""
    for hp in ${ENSEMBLE_HP//,/ }; do modes+="$(fourlw "$hp" srvr | awk -F': ' '/^Mode/{print $2}') "; done
    case "$modes" in *leader*) [ "$(wc -w <<< "$modes")" = 3 ] && break ;; esac
    if [[ "$modes" == *standalone* ]] || ! kill -0 "$ENSEMBLE_PID" 2>/dev/null || [ "$(date +%s)" -ge "$deadline" ]; then
      log "Corral ensemble not serving as leader/follower (modes: ${modes:-none}); last output:"
      tail -n 20 "$d/stdout.log" >&2 || true
      stop_server "$ENSEMBLE_PID"
      return 1
    fi
    sleep 0.1
  done
  ENSEMBLE_SERVER_PIDS="$(grep -o 'server [0-9]: pid [0-9]*' "$d/stdout.log" | awk '{print $4}' | paste -sd, -)"
}

stop_server() { # pid [signal]
  local p="$1" sig="${2:-TERM}"
  kill "-$sig" "$p" 2>/dev/null || true
  for _ in $(seq 1 $((STOP_LIMIT_S * 10))); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$p" 2>/dev/null; then
    log "server $p still running ${STOP_LIMIT_S} s after SIG$sig; sending SIGKILL"
    kill -KILL "$p" 2>/dev/null || true
  fi
  wait "$p" 2>/dev/null || true
  forget SERVER_PIDS "$p"
}

# ---- the shared benchmark ----------------------------------------------------------------
# Runs shared run.sh with the given arguments in its own process group (so an interrupt stops
# its client JVM and servers at once), waits for it, returns its exit status.
shared() { # args...
  # its stdout (its own per-system table) is kept in --out as summary.txt; progress is on stderr
  setsid "$SHARED/run.sh" "$@" > /dev/null &
  local pid=$!
  GROUP_PIDS+=("$pid")
  local rc=0
  wait "$pid" || rc=$?
  forget GROUP_PIDS "$pid"
  return "$rc"
}

COMMON=(--duration "$DURATION" --warmup "$WARMUP")
[ -n "$ONLY" ] && COMMON+=(--only "$ONLY")
APACHE_PIN=() ; CLIENT_PIN=()
if [ "$PINNED" = 1 ]; then APACHE_PIN=(--client-cpus 0 --server-cpus 1); CLIENT_PIN=(--client-cpus 0); fi

corral_version() {
  if [ "$STAND_IN" = 1 ]; then echo "stand-in: Apache ZooKeeper 3.8.0"; else
    echo "corral $(git -C "$REPO" log -1 --format=%h 2>/dev/null || echo '?')$(git -C "$REPO" status --porcelain 2>/dev/null | grep -q . && echo ' (dirty tree)')"
  fi
}
write_meta() { # kind
  "$PY" -c 'import json,sys; a=sys.argv; print(json.dumps(dict(kind=a[1], repeat=int(a[2]), duration_s=float(a[3]),
      warmup_s=float(a[4]), only=a[5] or None, pinned=a[6]=="1", stand_in_apache=a[7]=="1", corral=a[8],
      znodes=int(a[9]), date=a[10], machine=a[11], loadavg_at_start=a[12])))' \
    "$1" "$REPEAT" "$DURATION" "$WARMUP" "$ONLY" "$PINNED" "$STAND_IN" "$(corral_version)" "$ZNODES" \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs" \
    "$(cut -d' ' -f1-3 /proc/loadavg)" > "$OUT/meta.json"
}

# ---- the matrix, interleaved ------------------------------------------------------------------
run_matrix() {
  local APACHE_MODE=standalone
  [ "$ENSEMBLE" = 1 ] && APACHE_MODE=ensemble
  write_meta "$([ "$ENSEMBLE" = 1 ] && echo matrix-ensemble || echo matrix)"
  local pass d rc
  for pass in $(seq 1 "$REPEAT"); do
    log "pass $pass/$REPEAT: Apache ZooKeeper 3.8 $APACHE_MODE (port base $APACHE_PORT_BASE)"
    rc=0
    shared --apache "$APACHE_MODE" --repeat 1 --port-base "$APACHE_PORT_BASE" "${COMMON[@]}" \
      "${APACHE_PIN[@]}" --out "$OUT/apache-pass$pass" || rc=$?
    [ "$rc" = 0 ] || { log "Apache pass $pass failed (exit $rc); see $OUT/apache-pass$pass"; mkdir -p "$OUT/apache-pass$pass"; echo "$rc" > "$OUT/apache-pass$pass/FAILED"; }

    d="$WORK/corral-pass$pass"
    if [ "$ENSEMBLE" = 1 ]; then
      if ! start_corral_ensemble "$d"; then
        mkdir -p "$OUT/corral-pass$pass"
        cp "$d/stdout.log" "$OUT/corral-pass$pass/server-stdout.log" 2>/dev/null || true
        echo "no ensemble" > "$OUT/corral-pass$pass/FAILED"
        log "Corral ensemble did not start: Apache passes only"
        continue
      fi
      log "pass $pass/$REPEAT: Corral ensemble on $ENSEMBLE_HP (servers $ENSEMBLE_SERVER_PIDS)"
      rc=0
      shared --target "$ENSEMBLE_HP" --repeat 1 --server-pids "$ENSEMBLE_SERVER_PIDS" "${COMMON[@]}" \
        --out "$OUT/corral-pass$pass" || rc=$?
      stop_server "$ENSEMBLE_PID"
      cp "$d/stdout.log" "$OUT/corral-pass$pass/server-stdout.log" 2>/dev/null || true
      [ "$rc" = 0 ] || { log "Corral pass $pass failed (exit $rc); see $OUT/corral-pass$pass"; mkdir -p "$OUT/corral-pass$pass"; echo "$rc" > "$OUT/corral-pass$pass/FAILED"; }
      rm -rf "$d"
      continue
    fi
    if ! start_corral "$d"; then
      mkdir -p "$OUT/corral-pass$pass"
      cp "$d/stdout.log" "$OUT/corral-pass$pass/server-stdout.log" 2>/dev/null || true
      echo "did not start" > "$OUT/corral-pass$pass/FAILED"
      log "Corral did not start: no further passes"
      break
    fi
    log "pass $pass/$REPEAT: Corral on $CORRAL_HP (pid $CORRAL_PID)"
    rc=0
    shared --target "$CORRAL_HP" --repeat 1 --server-pids "$CORRAL_PID" "${COMMON[@]}" \
      "${CLIENT_PIN[@]}" --out "$OUT/corral-pass$pass" || rc=$?
    if ! kill -0 "$CORRAL_PID" 2>/dev/null; then
      log "Corral (pid $CORRAL_PID) exited during pass $pass; last output:"
      tail -n 30 "$d/stdout.log" >&2 || true
      if [ "$rc" = 0 ]; then rc=1; fi
    fi
    stop_server "$CORRAL_PID"
    cp "$d/stdout.log" "$OUT/corral-pass$pass/server-stdout.log" 2>/dev/null || true
    [ "$rc" = 0 ] || { log "Corral pass $pass failed (exit $rc); see $OUT/corral-pass$pass"; mkdir -p "$OUT/corral-pass$pass"; echo "$rc" > "$OUT/corral-pass$pass/FAILED"; }
    rm -rf "$d"
  done
}

summarise() { "$PY" "$HERE/summarize.py" "$OUT" | tee "$OUT/summary.txt" || true; }

# ---- recovery --------------------------------------------------------------------------------
# Same procedure as the shared run.sh --recovery, for Corral: populate, RSS, SIGTERM, restart
# on the same data, time to serving; plus a SIGKILL restart.
give_up() { # Corral's recovery cannot go on: show what there is, then stop (the trap cleans up)
  mkdir -p "$OUT/corral-recovery"; echo failed > "$OUT/corral-recovery/FAILED"
  summarise
  exit 1
}
run_recovery() {
  write_meta recovery
  local rc=0
  log "recovery: Apache ZooKeeper 3.8 with $ZNODES znodes (port $APACHE_PORT)"
  shared --recovery --recovery-znodes "$ZNODES" --port-base "$APACHE_PORT_BASE" "${APACHE_PIN[@]}" \
    --out "$OUT/apache-recovery" || rc=$?
  if [ "$rc" != 0 ]; then
    log "Apache recovery failed (exit $rc); see $OUT/apache-recovery"
    mkdir -p "$OUT/apache-recovery"; echo "$rc" > "$OUT/apache-recovery/FAILED"
  fi

  local classes="$WORK/classes"
  mkdir -p "$classes"
  "$JAVAC" -nowarn -d "$classes" -cp "$ZK_CP" "$SHARED/ZkBench.java"
  local bench=()
  [ "$PINNED" = 1 ] && bench=(taskset -c 0)
  bench+=("$JAVA" -XX:+UseParallelGC -Xms512m -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn
          -cp "$classes:$ZK_CP" ZkBench)

  local d="$WORK/corral-recovery" t0 t1
  mkdir -p "$OUT/corral-recovery"
  write_cfg "$d"
  t0=$(date +%s%N); launch_corral "$d"; CORRAL_PID="$LAUNCHED_PID"
  wait_serving "$CORRAL_PID" "$CORRAL_HP" || { log "Corral did not start"; tail -n 30 "$d/stdout.log" >&2; give_up; }
  t1=$(date +%s%N)
  local first_ns=$((t1 - t0))

  log "recovery: Corral (pid $CORRAL_PID) populating $ZNODES znodes of 100 bytes"
  local pop pop_rc=0
  pop="$("${bench[@]}" --connect "$CORRAL_HP" --workload populate --znodes "$ZNODES" \
        --sessions 4 --outstanding 250 --value-size 100 --root /recovery --label corral/recovery/populate \
        --server-pids "$CORRAL_PID" 2>>"$OUT/corral-recovery/populate.stderr")" || pop_rc=$?
  [ -n "$pop" ] || { log "populate failed (exit $pop_rc):"; tail -n 20 "$OUT/corral-recovery/populate.stderr" >&2; give_up; }
  echo "$pop" > "$OUT/corral-recovery/populate.json"
  local count_before; count_before="$(node_count "$CORRAL_HP")"
  sleep 2
  local rss_loaded; rss_loaded="$(rss_kib "$CORRAL_PID")"
  log "recovery: node count ${count_before:-?}, RSS ${rss_loaded} KiB; SIGTERM and restart"

  local s0 s1
  s0=$(date +%s%N); stop_server "$CORRAL_PID" TERM; s1=$(date +%s%N)
  local stop_ns=$((s1 - s0))
  du -sb "$d/data" "$d/log" > "$OUT/corral-recovery/datadir-bytes.txt" 2>/dev/null || true
  ls -lR "$d/data" "$d/log" > "$OUT/corral-recovery/datadir.txt" 2>/dev/null || true

  t0=$(date +%s%N); launch_corral "$d"; CORRAL_PID="$LAUNCHED_PID"
  wait_serving "$CORRAL_PID" "$CORRAL_HP" || { log "Corral did not come back after SIGTERM"; tail -n 30 "$d/stdout.log" >&2; give_up; }
  t1=$(date +%s%N)
  local restart_ns=$((t1 - t0))
  local count_after; count_after="$(node_count "$CORRAL_HP")"
  sleep 2
  local rss_restarted; rss_restarted="$(rss_kib "$CORRAL_PID")"
  log "recovery: back in $((restart_ns / 1000000)) ms, node count ${count_after:-?}; SIGKILL and restart"

  stop_server "$CORRAL_PID" KILL
  t0=$(date +%s%N); launch_corral "$d"; CORRAL_PID="$LAUNCHED_PID"
  wait_serving "$CORRAL_PID" "$CORRAL_HP" || { log "Corral did not come back after SIGKILL"; tail -n 30 "$d/stdout.log" >&2; give_up; }
  t1=$(date +%s%N)
  local kill_restart_ns=$((t1 - t0))
  local count_after_kill; count_after_kill="$(node_count "$CORRAL_HP")"
  stop_server "$CORRAL_PID"
  cp "$d/stdout.log" "$OUT/corral-recovery/server-stdout.log" 2>/dev/null || true

  # start-up cost alone: a fresh empty data dir, measured last as the shared run.sh does
  local e="$WORK/corral-empty"
  write_cfg "$e"
  t0=$(date +%s%N); launch_corral "$e"; CORRAL_PID="$LAUNCHED_PID"
  wait_serving "$CORRAL_PID" "$CORRAL_HP" || { log "empty Corral did not start"; tail -n 30 "$e/stdout.log" >&2; give_up; }
  t1=$(date +%s%N)
  local empty_ns=$((t1 - t0))
  sleep 2   # let start-up garbage settle before reading RSS, as the shared run.sh does
  local rss_empty; rss_empty="$(rss_kib "$CORRAL_PID")"
  stop_server "$CORRAL_PID"

  "$PY" -c 'import json,sys; a=sys.argv; p=json.loads(a[1]); n=lambda s: int(s) if s.strip().isdigit() else None
print(json.dumps(dict(system="corral", workload="recovery", znodes_requested=int(a[2]),
    node_count_before=n(a[3]), node_count_after=n(a[4]), node_count_after_kill9=n(a[5]),
    restart_to_serving_s=round(int(a[6])/1e9,3), kill9_restart_to_serving_s=round(int(a[7])/1e9,3),
    empty_start_to_serving_s=round(int(a[8])/1e9,3), sigterm_to_exit_s=round(int(a[9])/1e9,3),
    rss_loaded_mib=round(int(a[10])/1024,1), rss_after_restart_mib=round(int(a[11])/1024,1),
    rss_empty_mib=round(int(a[12])/1024,1), populate_ops_per_s=p.get("ops_per_s"),
    populate_errors=p.get("errors"), populate_server_cpu_pct=p.get("server_cpu_pct"),
    first_start_to_serving_s=round(int(a[13])/1e9,3))))' \
    "$pop" "$ZNODES" "$count_before" "$count_after" "$count_after_kill" "$restart_ns" "$kill_restart_ns" \
    "$empty_ns" "$stop_ns" "$rss_loaded" "$rss_restarted" "$rss_empty" "$first_ns" > "$OUT/corral-recovery/recovery.json"
}

log "results: $OUT"
if [ "$RECOVERY" = 1 ]; then run_recovery; else run_matrix; fi
summarise
log "results kept in $OUT (summary.json, summary.md, summary.txt)"
if ls "$OUT"/*/FAILED > /dev/null 2>&1; then exit 1; fi
