# shellcheck shell=bash
# run_with_stall_guard MINUTES COMMAND...: runs COMMAND, its output shown as it
# comes; if the output stops growing for MINUTES, kills COMMAND's process group
# and runs it once more (that run's status stands).
#
# Why: on this Linux, libdispatch's timer for ContinuousClock was seen stuck
# under the parallel test suite (its timerfd expired, its epoll registration
# left disarmed), so every Task.sleep in the test process, the tests' own and
# postgres-nio's pool timers alike, waited forever with no thread busy. A
# stalled run prints the timer state it found.
run_with_stall_guard() {
  local minutes=$1 attempt out pid last size idle status
  shift
  for attempt in 1 2; do
    out=$(mktemp)
    set -m
    "$@" > >(tee "$out") 2>&1 &
    pid=$!
    set +m
    last=-1 idle=0
    while kill -0 "$pid" 2>/dev/null; do
      sleep 10
      size=$(stat -c %s "$out" 2>/dev/null || echo 0)
      if [ "$size" = "$last" ]; then idle=$((idle + 10)); else idle=0 last=$size; fi
      if [ "$idle" -ge $((minutes * 60)) ]; then
        echo "stall-guard: no output for $minutes min (attempt $attempt): $*" >&2
        for p in $(pgrep -f xctest || true); do
          for f in /proc/"$p"/fdinfo/*; do
            if grep -q clockid "$f" 2>/dev/null; then
              echo "stall-guard: pid $p timerfd ${f##*/}: $(grep -E 'clockid|ticks|it_value' "$f" | tr '\n' ' ')" >&2
            fi
          done
        done
        kill -TERM -- "-$pid" 2>/dev/null || true
        sleep 2
        kill -KILL -- "-$pid" 2>/dev/null || true
        pkill -KILL -f xctest 2>/dev/null || true
        break
      fi
    done
    if wait "$pid"; then status=0; else status=$?; fi
    rm -f "$out"
    [ "$idle" -ge $((minutes * 60)) ] || return "$status"
  done
  echo "stall-guard: stalled twice: $*" >&2
  return 1
}
