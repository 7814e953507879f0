# shellcheck shell=bash disable=SC2034  # the DAEMON_* variables are read by the scripts that source it
# One discountd on a temporary folder, for the scripts: start it, wait until it
# answers, stop it with SIGTERM and collect its exit status, clean up on exit.
# (Python scripts: the Daemon class of scripts/lib/discountd_py.py.)
#
#   . scripts/lib/daemon.sh
#   daemon_binaries "${build[@]}" -- discountd discountd-crashload
#                                     # DAEMON_BIN_DIR: DISCOUNTD_BIN_DIR, else built now
#   daemon_init crash-test            # DAEMON_DIR (temporary; the script's work folder too),
#                                     # DAEMON_SOCK, DAEMON_DATA, DAEMON_LOG; cleanup on exit
#   daemon_start "$bin/discountd" --log-level warning || exit 1
#                                     # starts it, returns once it accepts a connection;
#                                     # 1 with DAEMON_ERROR set if it exits or takes too long
#   daemon_stop || echo "exit status $DAEMON_STATUS"
#                                     # SIGTERM, wait; 0 only when it exited 0
#   daemon_kill                       # SIGKILL, as a crash would
#   daemon_start_another "$bin/discountd" 2 --postgres "$URL" || exit 1
#                                     # one more daemon beside it (several hosts on one
#                                     # store): DAEMON_DIR/d2.sock, data2, daemon2.log;
#                                     # killed on exit
#
# The daemon gets --socket "$DAEMON_SOCK" --data-dir "$DAEMON_DATA" and the
# arguments given; its stdout and stderr go to DAEMON_LOG (appended, across restarts).
# On exit, whatever the reason: the script's own daemon_on_exit STATUS runs first
# when it defines one (to stop what else it started), the daemon is killed if it
# still runs, and DAEMON_DIR is removed unless DAEMON_KEEP says otherwise:
#   DAEMON_KEEP=never (default) | failure (keep it when the script fails) | always
# A kept folder is named on stderr. A script sets its default with
# `: "${DAEMON_KEEP:=failure}"`, so that DAEMON_KEEP=always in the environment wins.
#
# Settings: DAEMON_START_WAIT (seconds until it must answer, default 30),
#           DAEMON_STOP_WAIT (seconds after SIGTERM before SIGKILL, default 30).

DAEMON_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DAEMON_NAME=${DAEMON_NAME:-discountd}
DAEMON_BIN_DIR=""
DAEMON_DIR="" DAEMON_SOCK="" DAEMON_DATA="" DAEMON_LOG=""
DAEMON_PID="" DAEMON_STATUS="" DAEMON_ERROR=""
DAEMON_OTHER_PIDS=()
DAEMON_KEEP=${DAEMON_KEEP:-}
DAEMON_START_WAIT=${DAEMON_START_WAIT:-30}
DAEMON_STOP_WAIT=${DAEMON_STOP_WAIT:-30}

# daemon_binaries [SWIFT BUILD FLAGS...] -- PRODUCT...: DAEMON_BIN_DIR is
# DISCOUNTD_BIN_DIR when that is set (no build); else the products are built
# with the flags (installing what the build needs) and it is their folder.
daemon_binaries() {
    local flags=() product
    while [ $# -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    if [ -n "${DISCOUNTD_BIN_DIR:-}" ]; then
        DAEMON_BIN_DIR=$DISCOUNTD_BIN_DIR
        return 0
    fi
    # shellcheck source=ensure-packages.sh
    . "$DAEMON_LIB/ensure-packages.sh"
    ensure_packages build || return 1
    for product in "$@"; do
        swift build "${flags[@]}" --product "$product" >&2 || return 1
    done
    DAEMON_BIN_DIR=$(swift build "${flags[@]}" --show-bin-path)
}

# daemon_init NAME: the temporary folder and the exit trap. NAME names the folder
# (discountd-NAME.XXXXXX) and prefixes the library's messages.
daemon_init() {
    DAEMON_NAME=$1
    DAEMON_DIR=$(mktemp -d "${TMPDIR:-/tmp}/discountd-$DAEMON_NAME.XXXXXX") || {
        echo "$DAEMON_NAME: mktemp failed" >&2
        exit 2
    }
    DAEMON_SOCK=$DAEMON_DIR/d.sock
    DAEMON_DATA=$DAEMON_DIR/data
    DAEMON_LOG=$DAEMON_DIR/daemon.log
    trap daemon_cleanup EXIT
    trap 'exit 130' INT TERM HUP
}

daemon_cleanup() {
    local status=$?
    if declare -F daemon_on_exit >/dev/null; then daemon_on_exit "$status"; fi
    local pid
    for pid in "$DAEMON_PID" "${DAEMON_OTHER_PIDS[@]}"; do
        [ -n "$pid" ] || continue
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    DAEMON_PID="" DAEMON_OTHER_PIDS=()
    if [ -n "$DAEMON_DIR" ]; then
        if [ "$DAEMON_KEEP" = always ] || { [ "$DAEMON_KEEP" = failure ] && [ "$status" -ne 0 ]; }; then
            echo "$DAEMON_NAME: kept $DAEMON_DIR" >&2
        else
            rm -rf "$DAEMON_DIR"
        fi
    fi
    return "$status"
}

# daemon_start BINARY [ARGUMENTS...]: starts it and waits until it answers.
daemon_start() {
    local binary=$1
    shift
    "$binary" --socket "$DAEMON_SOCK" --data-dir "$DAEMON_DATA" "$@" >>"$DAEMON_LOG" 2>&1 &
    DAEMON_PID=$!
    DAEMON_STATUS="" DAEMON_ERROR=""
    daemon_wait_ready "$DAEMON_SOCK" "$DAEMON_PID" "$DAEMON_START_WAIT" && return 0
    if ! daemon_alive; then
        daemon_reap
        DAEMON_ERROR="the daemon exited with status $DAEMON_STATUS before it answered on $DAEMON_SOCK"
    else
        DAEMON_ERROR="the daemon did not answer on $DAEMON_SOCK within $DAEMON_START_WAIT s"
    fi
    return 1
}

# daemon_start_another BINARY N [ARGUMENTS...]: another daemon beside the first, on
# DAEMON_DIR/dN.sock with data in DAEMON_DIR/dataN and its log in DAEMON_DIR/daemonN.log;
# returns once it answers (1 with DAEMON_ERROR set if not). Killed on exit.
daemon_start_another() {
    local binary=$1 n=$2
    shift 2
    local socket=$DAEMON_DIR/d$n.sock
    "$binary" --socket "$socket" --data-dir "$DAEMON_DIR/data$n" "$@" >>"$DAEMON_DIR/daemon$n.log" 2>&1 &
    DAEMON_OTHER_PIDS+=($!)
    daemon_wait_ready "$socket" "$!" "$DAEMON_START_WAIT" && return 0
    DAEMON_ERROR="daemon $n did not answer on $socket within $DAEMON_START_WAIT s (log: $DAEMON_DIR/daemon$n.log)"
    return 1
}

# daemon_wait_ready SOCKET PID SECONDS: 0 once something accepts a connection on
# SOCKET; 1 when PID exits first or SECONDS pass. Serves for any server on a
# Unix socket (scripts/load-test's peers too). The socket file alone is not
# enough: one left by a killed daemon refuses connections.
daemon_wait_ready() {
    local socket=$1 pid=$2 deadline=$((SECONDS + $3))
    while kill -0 "$pid" 2>/dev/null; do
        if [ -S "$socket" ] && daemon_connects "$socket"; then return 0; fi
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.05
    done
    return 1
}

# daemon_connects SOCKET: 0 when a connection to SOCKET is accepted (without
# Python to try it, when the socket file is there).
daemon_connects() {
    [ -x /usr/bin/python3 ] || return 0
    /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])' "$1" 2>/dev/null
}

daemon_alive() { [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; }

# daemon_reap: waits for the daemon, which has exited or is about to; DAEMON_STATUS.
daemon_reap() {
    DAEMON_STATUS=0
    wait "$DAEMON_PID" 2>/dev/null || DAEMON_STATUS=$?
    DAEMON_PID=""
}

# daemon_stop: SIGTERM, then waits up to DAEMON_STOP_WAIT seconds for it to exit,
# then SIGKILL (DAEMON_STATUS=timeout). Its exit status is DAEMON_STATUS; returns 0
# only when that is 0.
daemon_stop() {
    local deadline=$((SECONDS + DAEMON_STOP_WAIT))
    [ -n "$DAEMON_PID" ] || { DAEMON_ERROR="no daemon to stop"; return 1; }
    kill -TERM "$DAEMON_PID" 2>/dev/null || true
    while daemon_alive && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
    if daemon_alive; then
        kill -KILL "$DAEMON_PID" 2>/dev/null || true
        wait "$DAEMON_PID" 2>/dev/null || true
        DAEMON_PID="" DAEMON_STATUS=timeout
        return 1
    fi
    daemon_reap
    [ "$DAEMON_STATUS" -eq 0 ]
}

# daemon_kill: SIGKILL, as a crash would; the data folder stays for a restart.
daemon_kill() {
    [ -n "$DAEMON_PID" ] || return 0
    kill -KILL "$DAEMON_PID" 2>/dev/null || true
    daemon_reap
}

# daemon_rss_kb: the daemon's resident memory (VmRSS), in kB.
daemon_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON_PID/status"; }

# daemon_show_log: the last 40 lines of the daemon's log, indented, on stdout.
daemon_show_log() {
    if [ -s "$DAEMON_LOG" ]; then
        echo "$DAEMON_NAME: last lines of the daemon log ($DAEMON_LOG):"
        tail -n 40 "$DAEMON_LOG" | sed 's/^/    | /'
    fi
}
