# TimeoutStopSec of the service, in seconds: the rollback switch's `timeout` (15 min when unset)
# plus 5 min for the resets and the notifications, so that a stop leaves room for the rollback
# before SIGKILL. The same rule as `xs-upgrade systemd` (src/cli/systemdUnits.ts,
# stopTimeoutSeconds); test/e2e/nixModule.test.ts checks the two agree. Nix builtins only.
config:
let
  rollback = if (config.rollbackSwitch or null) != null then config.rollbackSwitch else config.switch;
  timeout = if builtins.isAttrs rollback then rollback.timeout or null else null;
  # The config's durations: "90s", "45min", "1h 30m" (systemd's time spans).
  unitMs = {
    ms = 1; msec = 1;
    s = 1000; sec = 1000; secs = 1000; second = 1000; seconds = 1000;
    m = 60000; min = 60000; mins = 60000; minute = 60000; minutes = 60000;
    h = 3600000; hr = 3600000; hrs = 3600000; hour = 3600000; hours = 3600000;
    d = 86400000; day = 86400000; days = 86400000;
    w = 604800000; week = 604800000; weeks = 604800000;
  };
  parts = builtins.filter builtins.isList (builtins.split "([0-9]+) *([a-z]+)" timeout);
  durationMs = builtins.foldl' (
    sum: part: sum + builtins.fromJSON (builtins.elemAt part 0) * unitMs.${builtins.elemAt part 1}
  ) 0 parts;
  rollbackMs = if timeout == null then 15 * 60000 else durationMs;
  totalMs = rollbackMs + 5 * 60000;
in
# Whole seconds, rounded up.
(totalMs + 999) / 1000
