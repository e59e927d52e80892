# Generated from schemas/xs-upgrade.schema.json by scripts/gen-nix-options.mjs: do not edit.
# The option declarations of services.xs-upgrade that mirror the config file, one per schema
# property, at every level. nix/module.nix adds the module's own options (enable, package, path,
# secrets); nix/config.nix turns the values back into the JSON config.
{ lib }:
let
  inherit (lib) mkOption types;
  Repo = types.submodule {
    options = {
      name = mkOption {
        type = types.str;
        description = "Short name used in logs and saved state; unique per host.";
      };
      path = mkOption {
        type = types.str;
        description = "The repo's work tree. A relative path is resolved against the config file's folder.";
      };
      remote = mkOption {
        type = types.nullOr (types.str);
        default = "origin";
        description = "The git remote to fetch from.";
      };
      branch = mkOption {
        type = types.nullOr (types.str);
        default = "main";
        description = "The branch that is checked out and fast-forwarded to remote/branch.";
      };
      requireSignedCommits = mkOption {
        type = types.nullOr (types.bool);
        default = false;
        description = "The new upstream commit must carry an SSH signature by a key in allowedSignersFile (`git verify-commit`), or nothing is pulled.";
      };
      allowedSignersFile = mkOption {
        type = types.nullOr (types.str);
        default = null;
        description = "An ssh allowed_signers file (see ssh-keygen(1)) naming the keys that may sign. Relative to the config file's folder.";
      };
    };
  };
  Command = types.oneOf [ types.str Argv CommandObject ];
  Argv = types.listOf (types.str);
  CommandObject = types.submodule {
    options = {
      name = mkOption {
        type = types.nullOr (types.str);
        default = null;
        description = "Shown in logs as the output prefix.";
      };
      run = mkOption {
        type = types.oneOf [ types.str Argv ];
        description = "A string (run by /bin/sh -c) or an argv array (run without a shell).";
      };
      timeout = mkOption {
        type = types.nullOr (Duration);
        default = null;
        description = "Stop the command after this long (SIGTERM, then SIGKILL 10s later).";
      };
      env = mkOption {
        type = types.nullOr (types.attrsOf (types.str));
        default = null;
        description = "Extra environment variables.";
      };
      secretEnv = mkOption {
        type = types.nullOr (types.attrsOf (types.str));
        default = null;
        description = "Environment variables whose values are secrets: passed to the command like `env`, and replaced by *** in logs, run records, --dry-run and --inspect output.";
      };
      cwd = mkOption {
        type = types.nullOr (types.str);
        default = null;
        description = "Working directory; relative to the config file's folder.";
      };
    };
  };
  MaintenanceWindow = types.submodule {
    options = {
      days = mkOption {
        type = types.nullOr (types.listOf (types.enum [ "Mon" "Tue" "Wed" "Thu" "Fri" "Sat" "Sun" ]));
        default = null;
        description = "The days the window starts on (default every day).";
      };
      start = mkOption {
        type = TimeOfDay;
      };
      length = mkOption {
        type = Duration;
      };
      timeZone = mkOption {
        type = types.nullOr (types.str);
        default = null;
        description = "An IANA time zone such as Europe/Berlin (default the host's).";
      };
    };
  };
  TimeOfDay = types.str;
  Duration = types.str;
  NotifyEvent = types.enum [ "success" "installed-for-boot" "nothing-new" "held-back" "fetch-failed" "skipped" "no-slot" "fleet-unavailable" "failure" "rolled-back" "rollback-failed" "validation-failed" "recalled" ];
  Notification = types.submodule {
    options = {
      name = mkOption {
        type = types.nullOr (types.str);
        default = null;
        description = "Shown in logs; default \"webhook 1\", \"command 2\", ...";
      };
      on = mkOption {
        type = types.nullOr (types.listOf (NotifyEvent));
        default = [ "failure" "validation-failed" ];
        description = "The events this notification is sent for.";
      };
      webhook = mkOption {
        type = types.nullOr (Webhook);
        default = null;
      };
      command = mkOption {
        type = types.nullOr (Command);
        default = null;
        description = "Run with XS_UPGRADE_EVENT, XS_UPGRADE_RESULT, XS_UPGRADE_ERROR, XS_UPGRADE_HOST, XS_UPGRADE_SAVED_COMMITS and XS_UPGRADE_FINAL_COMMITS in its environment.";
      };
    };
  };
  Webhook = types.submodule {
    options = {
      url = mkOption {
        type = types.oneOf [ types.str SecretRef ];
        description = "Where the JSON payload is POSTed: an http:// or https:// URL, or a secret reference ({\"env\": NAME} or {\"credential\": NAME}) so the URL, which often carries a token, stays out of the config file and the Nix store. Never written to logs or records past its origin.";
      };
      headers = mkOption {
        type = types.nullOr (types.attrsOf (types.oneOf [ types.str SecretRef ]));
        default = null;
        description = "Extra request headers (e.g. Authorization), each a value or a secret reference; never written to logs or records.";
      };
      timeout = mkOption {
        type = types.nullOr (Duration);
        default = "10s";
        description = "How long one attempt may take.";
      };
      retries = mkOption {
        type = types.nullOr (types.int);
        default = 2;
        description = "Further attempts after a network error or a 5xx answer, with growing pauses.";
      };
    };
  };
  HealthCheck = types.submodule {
    options = {
      name = mkOption {
        type = types.nullOr (types.str);
        default = null;
        description = "Shown in logs; default \"health 1\", ...";
      };
      command = mkOption {
        type = types.nullOr (Command);
        default = null;
        description = "Passes when it exits 0.";
      };
      http = mkOption {
        type = types.nullOr (HttpCheck);
        default = null;
      };
      retries = mkOption {
        type = types.nullOr (types.int);
        default = 3;
        description = "Further attempts after a failed one.";
      };
      interval = mkOption {
        type = types.nullOr (Duration);
        default = "5s";
        description = "Pause between attempts.";
      };
    };
  };
  HttpCheck = types.submodule {
    options = {
      url = mkOption {
        type = types.str;
        description = "Fetched with GET.";
      };
      expectStatus = mkOption {
        type = types.nullOr (types.int);
        default = 200;
        description = "The status the answer must have.";
      };
      timeout = mkOption {
        type = types.nullOr (Duration);
        default = "10s";
        description = "How long one attempt may take.";
      };
    };
  };
  SecretRef = types.submodule {
    options = {
      env = mkOption {
        type = types.nullOr (types.str);
        default = null;
        description = "The environment variable that holds the value.";
      };
      credential = mkOption {
        type = types.nullOr (types.str);
        default = null;
        description = "The systemd credential that holds the value, read from $CREDENTIALS_DIRECTORY/NAME.";
      };
    };
  };
in
{
  mode = mkOption {
    type = types.nullOr (types.enum [ "local" "remote" ]);
    default = "local";
    description = "local: the repos on this host are pulled before building. remote: build and switch name a remote source; no repos, no hooks.";
  };
  schedule = mkOption {
    type = types.nullOr (types.str);
    default = "04:00";
    description = "When the systemd timer starts a run (systemd OnCalendar syntax).";
  };
  randomizedDelaySec = mkOption {
    type = types.nullOr (Duration);
    default = "0s";
    description = "The systemd timer waits a random time up to this long after `schedule` (RandomizedDelaySec), so a fleet does not upgrade at once.";
  };
  fixedRandomDelay = mkOption {
    type = types.nullOr (types.bool);
    default = false;
    description = "Keep the same random delay from run to run on this host (FixedRandomDelay).";
  };
  persistent = mkOption {
    type = types.nullOr (types.bool);
    default = true;
    description = "Run at boot when the host was off at the scheduled time (Persistent).";
  };
  stateDir = mkOption {
    type = types.nullOr (types.str);
    default = "/var/lib/xs-upgrade";
    description = "Where saved commits and run state are kept. A relative path is resolved against the config file's folder.";
  };
  repos = mkOption {
    type = types.nullOr (types.listOf (Repo));
    default = null;
    description = "The git repos that hold this host's configuration, pulled in order.";
  };
  fetchTimeout = mkOption {
    type = types.nullOr (Duration);
    default = "2m";
    description = "How long one fetch of a repo may take before it is stopped.";
  };
  fetchRetries = mkOption {
    type = types.nullOr (types.int);
    default = 2;
    description = "Further fetch attempts after a transient network error (timeout, refused, reset, 5xx), with growing pauses.";
  };
  preUpdateHooks = mkOption {
    type = types.nullOr (types.listOf (Command));
    default = null;
    description = "Commands run in order before anything changes (local mode only). A failure aborts the run with the host untouched.";
  };
  buildBeforeSwitch = mkOption {
    type = types.nullOr (types.bool);
    default = true;
    description = "Run `build` after pulling and before validating and switching.";
  };
  build = mkOption {
    type = types.nullOr (Command);
    default = null;
    description = "Builds the new system without activating it. Required unless buildBeforeSwitch is false.";
  };
  validationChecks = mkOption {
    type = types.nullOr (types.listOf (Command));
    default = null;
    description = "Commands run before the switch; each must exit 0.";
  };
  validationConcurrency = mkOption {
    type = types.nullOr (types.int);
    default = 1;
    description = "How many validation checks run at once. The first failure stops the others.";
  };
  onValidationFailure = mkOption {
    type = types.nullOr (types.enum [ "rollback" "notify" "ignore" ]);
    default = "rollback";
    description = "What a failed validation check does: rollback (reset every repo, exit 4), notify (warn, then switch anyway), ignore (switch anyway).";
  };
  switch = mkOption {
    type = Command;
    description = "Activates the new system.";
  };
  healthChecks = mkOption {
    type = types.nullOr (types.listOf (HealthCheck));
    default = null;
    description = "Checks run after the switch, each retried until it passes; a failure rolls back everything, the system included.";
  };
  inhibited = mkOption {
    type = types.nullOr (types.enum [ "boot" "fail" ]);
    default = "boot";
    description = "What a switch NixOS refuses for its switch inhibitors (\"Pre-switch check 'switchInhibitors' failed\": systemd, dbus... changed) does. boot: the new generation is made the boot default (`switch-to-configuration boot`, needs system.profile) and the host reboots through the reboot path (window, boot check); fail: a failed switch, rolled back. Either way the commits are not held against the host.";
  };
  rollbackSwitch = mkOption {
    type = types.nullOr (Command);
    default = null;
    description = "Returns the system to its previous generation after a failed switch (e.g. `nixos-rebuild switch --rollback`). Unset: `switch` is run again on the restored repos.";
  };
  notify = mkOption {
    type = types.nullOr (types.listOf (Notification));
    default = null;
    description = "Who hears about runs: webhooks and commands, each for the events in its `on` list.";
  };
  gitConcurrency = mkOption {
    type = types.nullOr (types.int);
    default = 8;
    description = "How many git processes a run starts at once across its repos (a host with hundreds of repos must not start hundreds of processes).";
  };
  keepRuns = mkOption {
    type = types.nullOr (types.int);
    default = 30;
    description = "How many run records to keep in stateDir/runs.";
  };
  metricsFile = mkOption {
    type = types.nullOr (types.str);
    default = null;
    description = "A Prometheus text file for node_exporter's textfile collector, rewritten after every run. A relative path is resolved against the config file's folder.";
  };
  system = mkOption {
    type = types.nullOr (types.submodule {
      options = {
        profile = mkOption {
          type = types.str;
          description = "The Nix system profile: an absolute path whose generations are PROFILE-N-link (on NixOS /nix/var/nix/profiles/system).";
        };
        closure = mkOption {
          type = types.nullOr (types.submodule {
            options = {
              command = mkOption {
                type = types.nullOr (Command);
                default = null;
                description = "Prints the store path of the system built for the pulled commits (as NixOS's system.autoUpgrade storePathProvider does), given them as XS_UPGRADE_COMMIT_<REPO> (the repo's name in capitals, other characters as _) and the host as XS_UPGRADE_HOST. Exit 0 with no output: nothing published yet; any other exit: the source cannot be asked now (temporary). One of command and url.";
              };
              url = mkOption {
                type = types.nullOr (types.str);
                default = null;
                description = "Where the store path is published: {host} is this host's name, {REPO} the pulled commit of the repo named REPO, e.g. https://ci.example/closures/{host}/{nix-config}. The answer is the store path on one line; 404: nothing published yet. One of command and url.";
              };
              substituters = mkOption {
                type = types.listOf (types.str);
                description = "The binary caches to fetch the closure from, in order (Nix's substituters: https://, file://, s3://...).";
              };
              publicKeys = mkOption {
                type = types.listOf (types.str);
                description = "The keys the closure's paths must be signed with (Nix's trusted-public-keys for this fetch, NAME:BASE64): CI's key, and e.g. cache.nixos.org-1's for paths that come from there. A path signed by no key here is refused.";
              };
              fallback = mkOption {
                type = types.nullOr (types.enum [ "wait" "build" "fail" ]);
                default = "wait";
                description = "When nothing is published yet for the pulled commits: wait (nothing moves; result nothing-new, saying so), build (build and switch here with `build` and `switch`, as without a closure), fail (aborted, exit 3).";
              };
              keepFree = mkOption {
                type = types.nullOr (types.str);
                default = "1GiB";
                description = "Space the Nix store's file system must keep free after the fetch, e.g. \"1GiB\", \"500MB\". Not enough: gcCommand first if set, then refused (exit 3, nothing changed).";
              };
              gcCommand = mkOption {
                type = types.nullOr (Command);
                default = null;
                description = "Run when the store lacks the space the closure needs, before the space is measured again, e.g. nix-collect-garbage --delete-older-than 30d.";
              };
              prefetch = mkOption {
                type = types.nullOr (types.bool);
                default = true;
                description = "With a window: a run outside it fetches the closure for the commits upstream (nothing else moves), so the run inside it only switches. Never on a metered network or on battery.";
              };
              timeout = mkOption {
                type = types.nullOr (Duration);
                default = "1h";
                description = "How long fetching the closure may take.";
              };
            };
          });
          default = null;
          description = "Take the system CI built instead of building it here: the store path published for the pulled commits is fetched from a binary cache, its signature checked, and switched to (needs no `build`; `switch` is used only by fallback \"build\"). See docs/closures.md.";
        };
      };
    });
    default = null;
    description = "The Nix system this host runs. With it, the run saves the profile's generation before the switch and a system rollback returns to exactly that generation.";
  };
  reboot = mkOption {
    type = types.nullOr (types.submodule {
      options = {
        when = mkOption {
          type = types.nullOr (types.enum [ "never" "needed" "always" ]);
          default = "never";
          description = "needed: when the new generation's kernel, initrd or kernel-modules differ from the booted system's (NixOS's rule). always: after every upgrade. never: not at all.";
        };
        window = mkOption {
          type = types.nullOr (types.submodule {
            options = {
              lower = mkOption {
                type = TimeOfDay;
              };
              upper = mkOption {
                type = TimeOfDay;
              };
            };
          });
          default = null;
          description = "Reboot only between these times of day (host time; may cross midnight, as NixOS's rebootWindow). Outside it the reboot waits for a run inside it.";
        };
        command = mkOption {
          type = types.nullOr (Command);
          default = null;
          description = "Asks for the reboot. Default: shutdown -r +1.";
        };
        bootedSystem = mkOption {
          type = types.nullOr (types.str);
          default = "/run/booted-system";
          description = "The link to the system the host booted (NixOS: /run/booted-system).";
        };
      };
    });
    default = null;
    description = "Reboot after an upgrade when the new system needs it (or always), inside a window, then check the boot with `xs-upgrade boot-check`. Needs system.profile.";
  };
  bootChecks = mkOption {
    type = types.nullOr (types.listOf (HealthCheck));
    default = null;
    description = "Checks `xs-upgrade boot-check` runs after the reboot, besides healthChecks; same shape.";
  };
  window = mkOption {
    type = types.nullOr (types.oneOf [ MaintenanceWindow (types.listOf (MaintenanceWindow)) ]);
    default = null;
    description = "Maintenance windows: the disruptive part of a run (switching, health checks, a reboot) happens only inside one. Checked when the run starts (outside: the run is skipped) and again before switching (closed by then: the repos go back, nothing is switched).";
  };
  conditions = mkOption {
    type = types.nullOr (types.submodule {
      options = {
        acPower = mkOption {
          type = types.nullOr (types.bool);
          default = false;
          description = "Only on AC power, as systemd's ConditionACPower= reads /sys/class/power_supply. A machine with no battery counts as on AC.";
        };
        unmetered = mkOption {
          type = types.nullOr (types.bool);
          default = false;
          description = "Not on a metered connection, as NetworkManager reports it (nmcli). Without NetworkManager the connection counts as unmetered.";
        };
        sysfsRoot = mkOption {
          type = types.nullOr (types.str);
          default = "/sys";
          description = "Where sysfs is mounted (a container may bind another).";
        };
      };
    });
    default = null;
    description = "Skip the run (result skipped, exit 0) while these do not hold; checked at the start and again before switching.";
  };
  fleet = mkOption {
    type = types.nullOr (types.submodule {
      options = {
        group = mkOption {
          type = types.nullOr (types.str);
          default = "default";
          description = "The group whose slots this host shares (FleetLock's group name rules).";
        };
        id = mkOption {
          type = types.nullOr (types.str);
          default = null;
          description = "This host's id in the fleet. Default: the contents of /etc/machine-id.";
        };
        slotTimeout = mkOption {
          type = types.nullOr (Duration);
          default = "30m";
          description = "How long to wait for a free slot before giving up (the repos go back, exit 75).";
        };
        onFailure = mkOption {
          type = types.nullOr (types.enum [ "hold" "release" ]);
          default = "hold";
          description = "After a switch that failed and was rolled back: hold keeps the slot, so the rollout stops until an operator runs `xs-upgrade fleet release`; release frees it.";
        };
        follow = mkOption {
          type = types.nullOr (types.submodule {
            options = {
              group = mkOption {
                type = types.str;
                description = "The canaries' group.";
              };
              hosts = mkOption {
                type = types.nullOr (types.int);
                default = 1;
                description = "How many canaries must have run the set healthy.";
              };
              soak = mkOption {
                type = types.nullOr (Duration);
                default = "2h";
                description = "How long each of them must have run it healthy.";
              };
              waves = mkOption {
                type = types.nullOr (types.listOf (types.submodule {
                  options = {
                    share = mkOption {
                      type = types.str;
                      description = "The share of the group's reported hosts this wave opens the set to, e.g. \"5%\".";
                    };
                    soak = mkOption {
                      type = types.nullOr (Duration);
                      default = null;
                      description = "How long this wave's hosts run the set healthy before the next wave opens; default: follow.soak.";
                    };
                  };
                }));
                default = null;
                description = "How far and how fast a proven set spreads through this host's group: each wave opens the set to a share of the group's reported hosts, in a stable order hashed from host id and set; the next wave opens once that many hosts of the group ran it healthy for the wave's soak. Shares grow, and the last is \"100%\". Unset: one wave of 100%.";
              };
              gates = mkOption {
                type = types.nullOr (types.listOf (types.submodule {
                  options = {
                    name = mkOption {
                      type = types.str;
                      description = "Named in every line about the gate.";
                    };
                    command = mkOption {
                      type = types.nullOr (Command);
                      default = null;
                      description = "Passes when it exits 0; its last output line is what it measured. It gets XS_UPGRADE_SET, XS_UPGRADE_GROUP and XS_UPGRADE_WAVE.";
                    };
                    prometheus = mkOption {
                      type = types.nullOr (types.submodule {
                        options = {
                          url = mkOption {
                            type = types.str;
                            description = "The Prometheus server, e.g. http://prometheus:9090 (user:password@ for Basic auth).";
                          };
                          query = mkOption {
                            type = types.str;
                            description = "PromQL; {set} and {group} are replaced by the set's id and this host's group.";
                          };
                          min = mkOption {
                            type = types.nullOr (types.number);
                            default = null;
                          };
                          max = mkOption {
                            type = types.nullOr (types.number);
                            default = null;
                          };
                        };
                      });
                      default = null;
                      description = "An instant query (/api/v1/query); passes when every sample lies within min and max. No samples, NaN, or a server that does not answer: the gate cannot be evaluated, and holds.";
                    };
                    timeout = mkOption {
                      type = types.nullOr (Duration);
                      default = "30s";
                      description = "How long the gate may take; longer holds.";
                    };
                  };
                }));
                default = null;
                description = "Checks that must all pass before this host takes a proven set (so before a set grows to the next wave). A gate that fails or cannot be evaluated holds the rollout; it never passes by default.";
              };
            };
          });
          default = null;
          description = "Upgrade only to a commit set proven healthy on canaries: at least `hosts` hosts of `group` ran it healthy for at least `soak`. The repos fast-forward to the newest such set that is an ancestor of their remote branch, not to the branch tip. Needs fleet.etcd.";
        };
        keepProofs = mkOption {
          type = types.nullOr (Duration);
          default = "30d";
          description = "With fleet.etcd: each report deletes this host's own proofs of sets it stopped running longer ago than this (`xs-upgrade fleet prune` does it fleet-wide).";
        };
        requireReport = mkOption {
          type = types.nullOr (types.bool);
          default = true;
          description = "With fleet.etcd: when the store cannot be reached, a host that follows no canaries does not upgrade (exit 75) unless this is false; then it goes on without the fleet-wide quarantine and without reporting. A follower never upgrades without the store.";
        };
        etcd = mkOption {
          type = types.nullOr (types.submodule {
            options = {
              endpoints = mkOption {
                type = types.listOf (types.str);
                description = "Client URLs of the cluster's members, such as http://10.0.0.1:2379.";
              };
              prefix = mkOption {
                type = types.nullOr (types.str);
                default = "/xs-upgrade";
                description = "The key prefix under which xs-upgrade keeps its documents.";
              };
              username = mkOption {
                type = types.nullOr (types.str);
                default = null;
                description = "etcd user, when the cluster has authentication on.";
              };
              password = mkOption {
                type = types.nullOr (types.str);
                default = null;
                description = "The name of an environment variable (e.g. set by the unit's EnvironmentFile) that holds the etcd user's password. Never written to logs or records.";
              };
              tls = mkOption {
                type = types.nullOr (types.submodule {
                  options = {
                    ca = mkOption {
                      type = types.nullOr (types.str);
                      default = null;
                    };
                    cert = mkOption {
                      type = types.nullOr (types.str);
                      default = null;
                    };
                    key = mkOption {
                      type = types.nullOr (types.str);
                      default = null;
                    };
                  };
                });
                default = null;
                description = "Client TLS: the CA that signed the members' certificates, and this host's certificate and key when the cluster asks for them.";
              };
              timeout = mkOption {
                type = types.nullOr (Duration);
                default = "5s";
                description = "How long one call to etcd may take before the coordinator counts as unreachable.";
              };
            };
          });
          default = null;
          description = "Slots in an etcd v3 cluster: one semaphore per group, changed only by compare-and-swap transactions.";
        };
        fleetLock = mkOption {
          type = types.nullOr (types.submodule {
            options = {
              url = mkOption {
                type = types.str;
                description = "The server's base URL; xs-upgrade POSTs to URL/v1/pre-reboot and URL/v1/steady-state.";
              };
              timeout = mkOption {
                type = types.nullOr (Duration);
                default = "10s";
                description = "How long one request may take.";
              };
            };
          });
          default = null;
          description = "Slots from a FleetLock server (Zincati's protocol: airlock, fleetlock).";
        };
      };
    });
    default = null;
    description = "Take a slot from the fleet's coordinator (etcd, or a FleetLock server) before switching, so only a few hosts of a group switch at once. The slot is held through the switch and health checks (and the boot check after a reboot) and released when the host is healthy.";
  };
}
