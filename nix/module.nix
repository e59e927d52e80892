# NixOS module for xs-upgrade: `services.xs-upgrade`. Its options mirror the config DSL
# (schemas/xs-upgrade.schema.json); it writes /etc/xs-upgrade/host.json with pkgs.formats.json and
# defines the oneshot service and its timer, as `xs-upgrade systemd` does on other hosts.
{ config, lib, pkgs, ... }:

let
  cfg = config.services.xs-upgrade;
  inherit (lib) mkEnableOption mkIf mkOption types literalExpression;

  json = pkgs.formats.json { };

  argv = types.listOf types.str;
  commandObject = types.submodule {
    options = {
      name = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Prefix of the command's output lines in the log.";
      };
      run = mkOption {
        type = types.either types.str argv;
        description = "A string (run by /bin/sh -c) or an argv list (run without a shell).";
      };
      timeout = mkOption {
        type = types.nullOr (types.strMatching "[0-9]+(ms|s|m|h)");
        default = null;
        example = "90s";
        description = "Stop the command after this long (SIGTERM, then SIGKILL 10 s later).";
      };
      env = mkOption {
        type = types.attrsOf types.str;
        default = { };
        description = "Extra environment variables.";
      };
      cwd = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Working directory.";
      };
    };
  };
  command = types.oneOf [ types.str argv commandObject ];

  repo = types.submodule {
    options = {
      name = mkOption {
        type = types.strMatching "[A-Za-z0-9][A-Za-z0-9._-]*";
        description = "Short name used in logs and saved state; unique per host.";
      };
      path = mkOption {
        type = types.str;
        description = "The repo's work tree.";
      };
      remote = mkOption {
        type = types.str;
        default = "origin";
        description = "The git remote to fetch from.";
      };
      branch = mkOption {
        type = types.str;
        default = "main";
        description = "The branch that is fast-forwarded to remote/branch.";
      };
    };
  };

  # JSON has no null: drop unset options so that the validator's defaults apply.
  clean = value:
    if builtins.isAttrs value then
      lib.mapAttrs (_: clean) (lib.filterAttrs (_: v: v != null) value)
    else if builtins.isList value then
      map clean value
    else
      value;

  settings = clean ({
    inherit (cfg) mode schedule randomizedDelaySec fixedRandomDelay persistent stateDir;
    inherit (cfg) buildBeforeSwitch validationChecks onValidationFailure keepRuns;
    switch = cfg.switch;
    build = cfg.build;
    rollbackSwitch = cfg.rollbackSwitch;
    metricsFile = cfg.metricsFile;
    notify = cfg.notify;
    system = if cfg.systemProfile == null then null else { profile = cfg.systemProfile; };
    reboot = cfg.reboot;
  } // lib.optionalAttrs (cfg.mode == "local") {
    inherit (cfg) repos preUpdateHooks;
  });

  configFile = json.generate "xs-upgrade.json" settings;

  servicePath = [ pkgs.git pkgs.coreutils config.nix.package ];

  # The service and the boot check run the same way: one xs-upgrade command, as a oneshot.
  oneshot = command: {
    Type = "oneshot";
    ExecStart = "${cfg.package}/bin/xs-upgrade ${command} --config /etc/xs-upgrade/host.json";
    # SIGTERM to xs-upgrade alone: it stops its step and rolls back.
    KillMode = "mixed";
    TimeoutStopSec = cfg.timeoutStopSec;
    StateDirectory = lib.mkIf (cfg.stateDir == "/var/lib/xs-upgrade") "xs-upgrade";
    StateDirectoryMode = "0700";
  };
in
{
  options.services.xs-upgrade = {
    enable = mkEnableOption "unattended, rollback-safe upgrades with xs-upgrade";

    package = mkOption {
      type = types.package;
      description = "The xs-upgrade package; its bin/xs-upgrade is run by the service.";
    };

    mode = mkOption {
      type = types.enum [ "local" "remote" ];
      default = "local";
      description = "local: the repos on this host are pulled. remote: build and switch name a remote source.";
    };

    schedule = mkOption {
      type = types.str;
      default = "04:00";
      description = "When the timer runs (systemd OnCalendar), as system.autoUpgrade.dates.";
    };

    randomizedDelaySec = mkOption {
      type = types.strMatching "[0-9]+(ms|s|m|h)";
      default = "0s";
      description = "Random delay after the schedule, as system.autoUpgrade.randomizedDelaySec.";
    };

    fixedRandomDelay = mkOption {
      type = types.bool;
      default = false;
      description = "Keep the same random delay between runs, as system.autoUpgrade.fixedRandomDelay.";
    };

    persistent = mkOption {
      type = types.bool;
      default = true;
      description = "Run at boot when the host was off at the scheduled time, as system.autoUpgrade.persistent.";
    };

    stateDir = mkOption {
      type = types.str;
      default = "/var/lib/xs-upgrade";
      description = "Where saved commits, run records and the lock are kept.";
    };

    repos = mkOption {
      type = types.listOf repo;
      default = [ ];
      example = literalExpression ''[ { name = "nix-config"; path = "/etc/nixos/nix-config"; } ]'';
      description = "The git repos holding this host's configuration (local mode).";
    };

    preUpdateHooks = mkOption {
      type = types.listOf command;
      default = [ ];
      example = [ "chezmoi re-add" ];
      description = "Commands run first; a failure aborts with the host untouched (local mode only).";
    };

    buildBeforeSwitch = mkOption {
      type = types.bool;
      default = true;
      description = "Run `build` after pulling.";
    };

    build = mkOption {
      type = types.nullOr command;
      default = null;
      example = "nh os build /etc/nixos/nix-config";
      description = "Builds the new system without activating it; required with buildBeforeSwitch.";
    };

    validationChecks = mkOption {
      type = types.listOf command;
      default = [ ];
      description = "Commands run before the switch; each must exit 0.";
    };

    onValidationFailure = mkOption {
      type = types.enum [ "rollback" "notify" "ignore" ];
      default = "rollback";
      description = "What a failed check does: roll back, notify and switch anyway, or switch anyway.";
    };

    switch = mkOption {
      type = command;
      example = "nh os switch /etc/nixos/nix-config";
      description = "Activates the new system.";
    };

    rollbackSwitch = mkOption {
      type = types.nullOr command;
      default = null;
      example = [ "nixos-rebuild" "switch" "--rollback" ];
      description = "Returns the system to its previous generation after a failed switch. Leave unset with systemProfile: xs-upgrade then returns to exactly the saved generation.";
    };

    reboot = mkOption {
      type = types.nullOr json.type;
      default = null;
      example = literalExpression ''{ when = "needed"; window = { lower = "01:00"; upper = "05:00"; }; }'';
      description = "Reboot when the new system needs it (see docs/reboots.md); with it, the boot-check service checks each boot after an upgrade.";
    };

    systemProfile = mkOption {
      type = types.nullOr types.str;
      default = "/nix/var/nix/profiles/system";
      description = "The Nix system profile (config key system.profile): its generation is saved before the switch, and a system rollback returns to exactly that generation. null: no profile handling.";
    };

    notify = mkOption {
      type = types.listOf json.type;
      default = [ ];
      description = "Webhooks and commands told about runs; see docs/config.md.";
    };

    keepRuns = mkOption {
      type = types.ints.between 1 10000;
      default = 30;
      description = "How many run records to keep.";
    };

    metricsFile = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "/var/lib/prometheus-node-exporter-text-files/xs-upgrade.prom";
      description = "A Prometheus text file for node_exporter's textfile collector.";
    };

    timeoutStopSec = mkOption {
      type = types.str;
      default = "25min";
      description = "Time the service gets to stop: enough to finish a rollback.";
    };
  };

  config = mkIf cfg.enable {
    assertions = [
      {
        assertion = cfg.mode == "local" || cfg.preUpdateHooks == [ ];
        message = "services.xs-upgrade.preUpdateHooks are only valid in local mode.";
      }
      {
        assertion = cfg.mode == "local" || cfg.repos == [ ];
        message = "services.xs-upgrade.repos are only valid in local mode.";
      }
      {
        assertion = cfg.mode == "remote" || cfg.repos != [ ];
        message = "services.xs-upgrade.repos must name at least one repo in local mode.";
      }
      {
        assertion = !cfg.buildBeforeSwitch || cfg.build != null;
        message = "services.xs-upgrade.build is required while buildBeforeSwitch is true.";
      }
    ];

    environment.etc."xs-upgrade/host.json".source = configFile;

    systemd.services.xs-upgrade = {
      description = "xs-upgrade: upgrade this host from its config repos, or roll back";
      wants = [ "network-online.target" ];
      after = [ "network-online.target" ];
      # A config change must not restart (and so interrupt) a running upgrade.
      restartIfChanged = false;
      path = servicePath;
      serviceConfig = oneshot "run";
    };

    # After a reboot the run asked for: check the boot, roll back once if it is bad.
    systemd.services.xs-upgrade-boot-check = mkIf (cfg.reboot != null && (cfg.reboot.when or "never") != "never") {
      description = "xs-upgrade: check the boot after an upgrade, roll back once if it is bad";
      after = [ "multi-user.target" ];
      wantedBy = [ "multi-user.target" ];
      restartIfChanged = false;
      path = servicePath;
      serviceConfig = oneshot "boot-check";
    };

    systemd.timers.xs-upgrade = {
      wantedBy = [ "timers.target" ];
      timerConfig = {
        OnCalendar = cfg.schedule;
        RandomizedDelaySec = cfg.randomizedDelaySec;
        FixedRandomDelay = cfg.fixedRandomDelay;
        Persistent = cfg.persistent;
        Unit = "xs-upgrade.service";
      };
    };
  };
}
