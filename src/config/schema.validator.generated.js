// Generated from schemas/xs-upgrade.schema.json by `npm run gen:types`. Do not edit.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);

export const validate = validate20;
export default validate20;
const schema31 = {"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"https://xs-upgrade.dev/schemas/xs-upgrade.schema.json","title":"XsUpgradeConfig","description":"One host's xs-upgrade configuration. Option names follow the NixOS auto-upgrade module this replaces.","type":"object","additionalProperties":false,"properties":{"$schema":{"type":"string","description":"Path or URL of this schema, for editors."},"mode":{"enum":["local","remote"],"default":"local","description":"local: the repos on this host are pulled before building. remote: build and switch name a remote source; no repos, no hooks."},"schedule":{"type":"string","minLength":1,"default":"04:00","description":"When the systemd timer starts a run (systemd OnCalendar syntax)."},"randomizedDelaySec":{"$ref":"#/$defs/Duration","default":"0s","description":"The systemd timer waits a random time up to this long after `schedule` (RandomizedDelaySec), so a fleet does not upgrade at once."},"fixedRandomDelay":{"type":"boolean","default":false,"description":"Keep the same random delay from run to run on this host (FixedRandomDelay)."},"persistent":{"type":"boolean","default":true,"description":"Run at boot when the host was off at the scheduled time (Persistent)."},"stateDir":{"type":"string","minLength":1,"default":"/var/lib/xs-upgrade","description":"Where saved commits and run state are kept. A relative path is resolved against the config file's folder."},"repos":{"type":"array","minItems":1,"description":"The git repos that hold this host's configuration, pulled in order.","items":{"$ref":"#/$defs/Repo"}},"fetchTimeout":{"$ref":"#/$defs/Duration","default":"2m","description":"How long one fetch of a repo may take before it is stopped."},"fetchRetries":{"type":"integer","minimum":0,"maximum":10,"default":2,"description":"Further fetch attempts after a transient network error (timeout, refused, reset, 5xx), with growing pauses."},"preUpdateHooks":{"type":"array","description":"Commands run in order before anything changes (local mode only). A failure aborts the run with the host untouched.","items":{"$ref":"#/$defs/Command"}},"buildBeforeSwitch":{"type":"boolean","default":true,"description":"Run `build` after pulling and before validating and switching."},"build":{"$ref":"#/$defs/Command","description":"Builds the new system without activating it. Required unless buildBeforeSwitch is false."},"validationChecks":{"type":"array","description":"Commands run before the switch; each must exit 0.","items":{"$ref":"#/$defs/Command"}},"validationConcurrency":{"type":"integer","minimum":1,"maximum":64,"default":1,"description":"How many validation checks run at once. The first failure stops the others."},"onValidationFailure":{"enum":["rollback","notify","ignore"],"default":"rollback","description":"What a failed validation check does: rollback (reset every repo, exit 4), notify (warn, then switch anyway), ignore (switch anyway)."},"switch":{"$ref":"#/$defs/Command","description":"Activates the new system."},"healthChecks":{"type":"array","description":"Checks run after the switch, each retried until it passes; a failure rolls back everything, the system included.","items":{"$ref":"#/$defs/HealthCheck"}},"inhibited":{"enum":["boot","fail"],"default":"boot","description":"What a switch NixOS refuses for its switch inhibitors (\"Pre-switch check 'switchInhibitors' failed\": systemd, dbus... changed) does. boot: the new generation is made the boot default (`switch-to-configuration boot`, needs system.profile) and the host reboots through the reboot path (window, boot check); fail: a failed switch, rolled back. Either way the commits are not held against the host."},"rollbackSwitch":{"$ref":"#/$defs/Command","description":"Returns the system to its previous generation after a failed switch (e.g. `nixos-rebuild switch --rollback`). Unset: `switch` is run again on the restored repos."},"notify":{"type":"array","description":"Who hears about runs: webhooks and commands, each for the events in its `on` list.","items":{"$ref":"#/$defs/Notification"}},"gitConcurrency":{"type":"integer","minimum":1,"maximum":64,"default":8,"description":"How many git processes a run starts at once across its repos (a host with hundreds of repos must not start hundreds of processes)."},"keepRuns":{"type":"integer","minimum":1,"maximum":10000,"default":30,"description":"How many run records to keep in stateDir/runs."},"metricsFile":{"type":"string","minLength":1,"description":"A Prometheus text file for node_exporter's textfile collector, rewritten after every run. A relative path is resolved against the config file's folder."},"system":{"type":"object","additionalProperties":false,"description":"The Nix system this host runs. With it, the run saves the profile's generation before the switch and a system rollback returns to exactly that generation.","properties":{"profile":{"type":"string","pattern":"^/","description":"The Nix system profile: an absolute path whose generations are PROFILE-N-link (on NixOS /nix/var/nix/profiles/system)."},"closure":{"type":"object","additionalProperties":false,"description":"Take the system CI built instead of building it here: the store path published for the pulled commits is fetched from a binary cache, its signature checked, and switched to (needs no `build`; `switch` is used only by fallback \"build\"). See docs/closures.md.","properties":{"command":{"$ref":"#/$defs/Command","description":"Prints the store path of the system built for the pulled commits (as NixOS's system.autoUpgrade storePathProvider does), given them as XS_UPGRADE_COMMIT_<REPO> (the repo's name in capitals, other characters as _) and the host as XS_UPGRADE_HOST. Exit 0 with no output: nothing published yet; any other exit: the source cannot be asked now (temporary). One of command and url."},"url":{"type":"string","pattern":"^https?://","description":"Where the store path is published: {host} is this host's name, {REPO} the pulled commit of the repo named REPO, e.g. https://ci.example/closures/{host}/{nix-config}. The answer is the store path on one line; 404: nothing published yet. One of command and url."},"substituters":{"type":"array","minItems":1,"items":{"type":"string","pattern":"^(https?|file|s3|ssh|ssh-ng)://"},"description":"The binary caches to fetch the closure from, in order (Nix's substituters: https://, file://, s3://...)."},"publicKeys":{"type":"array","minItems":1,"items":{"type":"string","pattern":"^[A-Za-z0-9._-]+:[A-Za-z0-9+/]{43}=$"},"description":"The keys the closure's paths must be signed with (Nix's trusted-public-keys for this fetch, NAME:BASE64): CI's key, and e.g. cache.nixos.org-1's for paths that come from there. A path signed by no key here is refused."},"fallback":{"enum":["wait","build","fail"],"default":"wait","description":"When nothing is published yet for the pulled commits: wait (nothing moves; result nothing-new, saying so), build (build and switch here with `build` and `switch`, as without a closure), fail (aborted, exit 3)."},"keepFree":{"type":"string","pattern":"^[0-9]+(\\.[0-9]+)? *([KMGT]i?B?|B)?$","default":"1GiB","description":"Space the Nix store's file system must keep free after the fetch, e.g. \"1GiB\", \"500MB\". Not enough: gcCommand first if set, then refused (exit 3, nothing changed)."},"gcCommand":{"$ref":"#/$defs/Command","description":"Run when the store lacks the space the closure needs, before the space is measured again, e.g. nix-collect-garbage --delete-older-than 30d."},"prefetch":{"type":"boolean","default":true,"description":"With a window: a run outside it fetches the closure for the commits upstream (nothing else moves), so the run inside it only switches. Never on a metered network or on battery."},"timeout":{"$ref":"#/$defs/Duration","default":"1h","description":"How long fetching the closure may take."}},"required":["substituters","publicKeys"]}},"required":["profile"]},"reboot":{"type":"object","additionalProperties":false,"description":"Reboot after an upgrade when the new system needs it (or always), inside a window, then check the boot with `xs-upgrade boot-check`. Needs system.profile.","properties":{"when":{"enum":["never","needed","always"],"default":"never","description":"needed: when the new generation's kernel, initrd or kernel-modules differ from the booted system's (NixOS's rule). always: after every upgrade. never: not at all."},"window":{"type":"object","additionalProperties":false,"description":"Reboot only between these times of day (host time; may cross midnight, as NixOS's rebootWindow). Outside it the reboot waits for a run inside it.","properties":{"lower":{"$ref":"#/$defs/TimeOfDay"},"upper":{"$ref":"#/$defs/TimeOfDay"}},"required":["lower","upper"]},"command":{"$ref":"#/$defs/Command","description":"Asks for the reboot. Default: shutdown -r +1."},"bootedSystem":{"type":"string","pattern":"^/","default":"/run/booted-system","description":"The link to the system the host booted (NixOS: /run/booted-system)."}}},"bootChecks":{"type":"array","description":"Checks `xs-upgrade boot-check` runs after the reboot, besides healthChecks; same shape.","items":{"$ref":"#/$defs/HealthCheck"}},"window":{"description":"Maintenance windows: the disruptive part of a run (switching, health checks, a reboot) happens only inside one. Checked when the run starts (outside: the run is skipped) and again before switching (closed by then: the repos go back, nothing is switched).","anyOf":[{"$ref":"#/$defs/MaintenanceWindow"},{"type":"array","minItems":1,"items":{"$ref":"#/$defs/MaintenanceWindow"}}]},"conditions":{"type":"object","additionalProperties":false,"description":"Skip the run (result skipped, exit 0) while these do not hold; checked at the start and again before switching.","properties":{"acPower":{"type":"boolean","default":false,"description":"Only on AC power, as systemd's ConditionACPower= reads /sys/class/power_supply. A machine with no battery counts as on AC."},"unmetered":{"type":"boolean","default":false,"description":"Not on a metered connection, as NetworkManager reports it (nmcli). Without NetworkManager the connection counts as unmetered."},"sysfsRoot":{"type":"string","pattern":"^/","default":"/sys","description":"Where sysfs is mounted (a container may bind another)."}}},"fleet":{"type":"object","additionalProperties":false,"description":"Take a slot from the fleet's coordinator (etcd, or a FleetLock server) before switching, so only a few hosts of a group switch at once. The slot is held through the switch and health checks (and the boot check after a reboot) and released when the host is healthy.","properties":{"group":{"type":"string","pattern":"^[a-zA-Z0-9.-]+$","maxLength":100,"default":"default","description":"The group whose slots this host shares (FleetLock's group name rules)."},"id":{"type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._:-]*$","maxLength":200,"description":"This host's id in the fleet. Default: the contents of /etc/machine-id."},"slotTimeout":{"$ref":"#/$defs/Duration","default":"30m","description":"How long to wait for a free slot before giving up (the repos go back, exit 75)."},"onFailure":{"enum":["hold","release"],"default":"hold","description":"After a switch that failed and was rolled back: hold keeps the slot, so the rollout stops until an operator runs `xs-upgrade fleet release`; release frees it."},"follow":{"type":"object","additionalProperties":false,"description":"Upgrade only to a commit set proven healthy on canaries: at least `hosts` hosts of `group` ran it healthy for at least `soak`. The repos fast-forward to the newest such set that is an ancestor of their remote branch, not to the branch tip. Needs fleet.etcd.","properties":{"group":{"type":"string","pattern":"^[a-zA-Z0-9.-]+$","maxLength":100,"description":"The canaries' group."},"hosts":{"type":"integer","minimum":1,"maximum":10000,"default":1,"description":"How many canaries must have run the set healthy."},"soak":{"$ref":"#/$defs/Duration","default":"2h","description":"How long each of them must have run it healthy."},"waves":{"type":"array","minItems":1,"description":"How far and how fast a proven set spreads through this host's group: each wave opens the set to a share of the group's reported hosts, in a stable order hashed from host id and set; the next wave opens once that many hosts of the group ran it healthy for the wave's soak. Shares grow, and the last is \"100%\". Unset: one wave of 100%.","items":{"type":"object","additionalProperties":false,"properties":{"share":{"type":"string","pattern":"^(100|[1-9]?[0-9](\\.[0-9]{1,2})?)%$","description":"The share of the group's reported hosts this wave opens the set to, e.g. \"5%\"."},"soak":{"$ref":"#/$defs/Duration","description":"How long this wave's hosts run the set healthy before the next wave opens; default: follow.soak."}},"required":["share"]}},"gates":{"type":"array","description":"Checks that must all pass before this host takes a proven set (so before a set grows to the next wave). A gate that fails or cannot be evaluated holds the rollout; it never passes by default.","items":{"type":"object","additionalProperties":false,"properties":{"name":{"type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$","description":"Named in every line about the gate."},"command":{"$ref":"#/$defs/Command","description":"Passes when it exits 0; its last output line is what it measured. It gets XS_UPGRADE_SET, XS_UPGRADE_GROUP and XS_UPGRADE_WAVE."},"prometheus":{"type":"object","additionalProperties":false,"description":"An instant query (/api/v1/query); passes when every sample lies within min and max. No samples, NaN, or a server that does not answer: the gate cannot be evaluated, and holds.","properties":{"url":{"type":"string","pattern":"^https?://","description":"The Prometheus server, e.g. http://prometheus:9090 (user:password@ for Basic auth)."},"query":{"type":"string","minLength":1,"maxLength":4000,"description":"PromQL; {set} and {group} are replaced by the set's id and this host's group."},"min":{"type":"number"},"max":{"type":"number"}},"required":["url","query"]},"timeout":{"$ref":"#/$defs/Duration","default":"30s","description":"How long the gate may take; longer holds."}},"required":["name"]}}},"required":["group"]},"keepProofs":{"$ref":"#/$defs/Duration","default":"30d","description":"With fleet.etcd: each report deletes this host's own proofs of sets it stopped running longer ago than this (`xs-upgrade fleet prune` does it fleet-wide)."},"requireReport":{"type":"boolean","default":true,"description":"With fleet.etcd: when the store cannot be reached, a host that follows no canaries does not upgrade (exit 75) unless this is false; then it goes on without the fleet-wide quarantine and without reporting. A follower never upgrades without the store."},"etcd":{"type":"object","additionalProperties":false,"description":"Slots in an etcd v3 cluster: one semaphore per group, changed only by compare-and-swap transactions.","properties":{"endpoints":{"type":"array","minItems":1,"uniqueItems":true,"items":{"type":"string","pattern":"^https?://[^\\s/:]+(:[0-9]{1,5})?/?$"},"description":"Client URLs of the cluster's members, such as http://10.0.0.1:2379."},"prefix":{"type":"string","pattern":"^/[^\\s]*[^/\\s]$","default":"/xs-upgrade","description":"The key prefix under which xs-upgrade keeps its documents."},"username":{"type":"string","minLength":1,"description":"etcd user, when the cluster has authentication on."},"password":{"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*$","description":"The name of an environment variable (e.g. set by the unit's EnvironmentFile) that holds the etcd user's password. Never written to logs or records."},"tls":{"type":"object","additionalProperties":false,"description":"Client TLS: the CA that signed the members' certificates, and this host's certificate and key when the cluster asks for them.","properties":{"ca":{"type":"string","pattern":"^/"},"cert":{"type":"string","pattern":"^/"},"key":{"type":"string","pattern":"^/"}},"dependentRequired":{"cert":["key"],"key":["cert"]}},"timeout":{"$ref":"#/$defs/Duration","default":"5s","description":"How long one call to etcd may take before the coordinator counts as unreachable."}},"required":["endpoints"],"dependentRequired":{"password":["username"]}},"fleetLock":{"type":"object","additionalProperties":false,"description":"Slots from a FleetLock server (Zincati's protocol: airlock, fleetlock).","properties":{"url":{"type":"string","pattern":"^https?://[^\\s]+$","description":"The server's base URL; xs-upgrade POSTs to URL/v1/pre-reboot and URL/v1/steady-state."},"timeout":{"$ref":"#/$defs/Duration","default":"10s","description":"How long one request may take."}},"required":["url"]}},"oneOf":[{"required":["etcd"]},{"required":["fleetLock"]}],"dependentRequired":{"follow":["etcd"]}}},"dependentRequired":{"reboot":["system"],"bootChecks":["reboot"]},"required":["switch"],"allOf":[{"if":{"properties":{"mode":{"const":"remote"}},"required":["mode"]},"then":{"properties":{"preUpdateHooks":{"not":{},"description":"preUpdateHooks are only valid in local mode: remove them or set \"mode\": \"local\""},"repos":{"not":{},"description":"repos are only valid in local mode: remove them or set \"mode\": \"local\""}}},"else":{"required":["repos"]}},{"if":{"properties":{"buildBeforeSwitch":{"const":false}},"required":["buildBeforeSwitch"]},"else":{"required":["build"]}}],"$defs":{"Repo":{"type":"object","additionalProperties":false,"properties":{"name":{"type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._-]*$","maxLength":100,"description":"Short name used in logs and saved state; unique per host."},"path":{"type":"string","minLength":1,"description":"The repo's work tree. A relative path is resolved against the config file's folder."},"remote":{"type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._/-]*$","default":"origin","description":"The git remote to fetch from."},"branch":{"type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._/-]*$","default":"main","description":"The branch that is checked out and fast-forwarded to remote/branch."},"requireSignedCommits":{"type":"boolean","default":false,"description":"The new upstream commit must carry an SSH signature by a key in allowedSignersFile (`git verify-commit`), or nothing is pulled."},"allowedSignersFile":{"type":"string","minLength":1,"description":"An ssh allowed_signers file (see ssh-keygen(1)) naming the keys that may sign. Relative to the config file's folder."}},"required":["name","path"],"allOf":[{"if":{"properties":{"requireSignedCommits":{"const":true}},"required":["requireSignedCommits"]},"then":{"required":["allowedSignersFile"]}}]},"Command":{"description":"A command: a string (run by /bin/sh -c), an argv array (run without a shell), or an object.","anyOf":[{"type":"string","minLength":1},{"$ref":"#/$defs/Argv"},{"$ref":"#/$defs/CommandObject"}]},"Argv":{"type":"array","minItems":1,"items":{"type":"string"},"description":"Program and arguments, run without a shell."},"CommandObject":{"type":"object","additionalProperties":false,"properties":{"name":{"type":"string","minLength":1,"description":"Shown in logs as the output prefix."},"run":{"description":"A string (run by /bin/sh -c) or an argv array (run without a shell).","anyOf":[{"type":"string","minLength":1},{"$ref":"#/$defs/Argv"}]},"timeout":{"$ref":"#/$defs/Duration","description":"Stop the command after this long (SIGTERM, then SIGKILL 10s later)."},"env":{"type":"object","additionalProperties":{"type":"string"},"description":"Extra environment variables."},"secretEnv":{"type":"object","additionalProperties":{"type":"string"},"description":"Environment variables whose values are secrets: passed to the command like `env`, and replaced by *** in logs, run records, --dry-run and --inspect output."},"cwd":{"type":"string","minLength":1,"description":"Working directory; relative to the config file's folder."}},"required":["run"]},"MaintenanceWindow":{"type":"object","additionalProperties":false,"properties":{"days":{"type":"array","minItems":1,"uniqueItems":true,"items":{"enum":["Mon","Tue","Wed","Thu","Fri","Sat","Sun"]},"description":"The days the window starts on (default every day)."},"start":{"$ref":"#/$defs/TimeOfDay"},"length":{"$ref":"#/$defs/Duration"},"timeZone":{"type":"string","minLength":1,"description":"An IANA time zone such as Europe/Berlin (default the host's)."}},"required":["start","length"]},"TimeOfDay":{"type":"string","pattern":"^([01][0-9]|2[0-3]):[0-5][0-9]$","description":"A time of day, HH:MM (24 hours)."},"Duration":{"type":"string","pattern":"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$","description":"A duration such as \"500ms\", \"90s\", \"5m\", \"2h\", or in systemd's time-span syntax: \"45min\", \"1h 30m\", \"1h30m\"."},"NotifyEvent":{"enum":["success","installed-for-boot","nothing-new","held-back","fetch-failed","skipped","no-slot","fleet-unavailable","failure","rolled-back","rollback-failed","validation-failed","recalled"],"description":"success: upgraded. installed-for-boot: NixOS refused to switch live for its switch inhibitors, and the new system was made the boot default (sent before success). nothing-new: nothing upstream. held-back: upstream is at commits that failed here before. fetch-failed: the network failed, nothing moved. skipped: outside the maintenance window, on battery or metered. no-slot: no fleet slot within fleet.slotTimeout; the repos went back, nothing was switched. fleet-unavailable: the fleet's coordinator (etcd or FleetLock) could not be reached or failed; nothing was switched. failure: aborted, rolled back or rollback failed (also every run refused while a failed rollback waits for an operator). rolled-back, rollback-failed: those alone. validation-failed: a check failed under onValidationFailure \"notify\". recalled: the set this host ran was rejected or aborted fleet-wide, and the host went back to the newest set it ran healthy before."},"Notification":{"type":"object","additionalProperties":false,"properties":{"name":{"type":"string","minLength":1,"description":"Shown in logs; default \"webhook 1\", \"command 2\", ..."},"on":{"type":"array","minItems":1,"uniqueItems":true,"items":{"$ref":"#/$defs/NotifyEvent"},"default":["failure","validation-failed"],"description":"The events this notification is sent for."},"webhook":{"$ref":"#/$defs/Webhook"},"command":{"$ref":"#/$defs/Command","description":"Run with XS_UPGRADE_EVENT, XS_UPGRADE_RESULT, XS_UPGRADE_ERROR, XS_UPGRADE_HOST, XS_UPGRADE_SAVED_COMMITS and XS_UPGRADE_FINAL_COMMITS in its environment."}},"allOf":[{"if":{"required":["webhook"]},"then":{"properties":{"command":{"not":{},"description":"a notification is a webhook or a command, not both: split it in two"}}},"else":{"required":["command"]}}]},"Webhook":{"type":"object","additionalProperties":false,"properties":{"url":{"description":"Where the JSON payload is POSTed: an http:// or https:// URL, or a secret reference ({\"env\": NAME} or {\"credential\": NAME}) so the URL, which often carries a token, stays out of the config file and the Nix store. Never written to logs or records past its origin.","anyOf":[{"type":"string","pattern":"^https?://[^\\s]+$"},{"$ref":"#/$defs/SecretRef"}]},"headers":{"type":"object","additionalProperties":{"anyOf":[{"type":"string"},{"$ref":"#/$defs/SecretRef"}]},"description":"Extra request headers (e.g. Authorization), each a value or a secret reference; never written to logs or records."},"timeout":{"$ref":"#/$defs/Duration","default":"10s","description":"How long one attempt may take."},"retries":{"type":"integer","minimum":0,"maximum":10,"default":2,"description":"Further attempts after a network error or a 5xx answer, with growing pauses."}},"required":["url"]},"HealthCheck":{"type":"object","additionalProperties":false,"properties":{"name":{"type":"string","minLength":1,"description":"Shown in logs; default \"health 1\", ..."},"command":{"$ref":"#/$defs/Command","description":"Passes when it exits 0."},"http":{"$ref":"#/$defs/HttpCheck"},"retries":{"type":"integer","minimum":0,"maximum":100,"default":3,"description":"Further attempts after a failed one."},"interval":{"$ref":"#/$defs/Duration","default":"5s","description":"Pause between attempts."}},"allOf":[{"if":{"required":["http"]},"then":{"properties":{"command":{"not":{},"description":"a health check is a command or an http check, not both: split it in two"}}},"else":{"required":["command"]}}]},"HttpCheck":{"type":"object","additionalProperties":false,"properties":{"url":{"type":"string","pattern":"^https?://[^\\s]+$","description":"Fetched with GET."},"expectStatus":{"type":"integer","minimum":100,"maximum":599,"default":200,"description":"The status the answer must have."},"timeout":{"$ref":"#/$defs/Duration","default":"10s","description":"How long one attempt may take."}},"required":["url"]},"SecretRef":{"type":"object","additionalProperties":false,"description":"A secret named, not held: its value is read when a run starts, from the environment (systemd EnvironmentFile=; NixOS services.xs-upgrade.secretEnvFile) or from a systemd credential (LoadCredential=; services.xs-upgrade.credentials). Exactly one of env and credential.","properties":{"env":{"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*$","description":"The environment variable that holds the value."},"credential":{"type":"string","pattern":"^[A-Za-z0-9_.-]+$","description":"The systemd credential that holds the value, read from $CREDENTIALS_DIRECTORY/NAME."}},"minProperties":1,"maxProperties":1}}};
const schema32 = {"type":"string","pattern":"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$","description":"A duration such as \"500ms\", \"90s\", \"5m\", \"2h\", or in systemd's time-span syntax: \"45min\", \"1h 30m\", \"1h30m\"."};
const schema33 = {"type":"object","additionalProperties":false,"properties":{"name":{"type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._-]*$","maxLength":100,"description":"Short name used in logs and saved state; unique per host."},"path":{"type":"string","minLength":1,"description":"The repo's work tree. A relative path is resolved against the config file's folder."},"remote":{"type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._/-]*$","default":"origin","description":"The git remote to fetch from."},"branch":{"type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._/-]*$","default":"main","description":"The branch that is checked out and fast-forwarded to remote/branch."},"requireSignedCommits":{"type":"boolean","default":false,"description":"The new upstream commit must carry an SSH signature by a key in allowedSignersFile (`git verify-commit`), or nothing is pulled."},"allowedSignersFile":{"type":"string","minLength":1,"description":"An ssh allowed_signers file (see ssh-keygen(1)) naming the keys that may sign. Relative to the config file's folder."}},"required":["name","path"],"allOf":[{"if":{"properties":{"requireSignedCommits":{"const":true}},"required":["requireSignedCommits"]},"then":{"required":["allowedSignersFile"]}}]};
const schema51 = {"type":"string","pattern":"^([01][0-9]|2[0-3]):[0-5][0-9]$","description":"A time of day, HH:MM (24 hours)."};
const func1 = Object.prototype.hasOwnProperty;
const func2 = require("ajv/dist/runtime/ucs2length").default;
const pattern4 = new RegExp("^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$", "u");
const pattern5 = new RegExp("^[A-Za-z0-9][A-Za-z0-9._-]*$", "u");
const pattern6 = new RegExp("^[A-Za-z0-9][A-Za-z0-9._/-]*$", "u");
const pattern19 = new RegExp("^/", "u");
const pattern20 = new RegExp("^https?://", "u");
const pattern21 = new RegExp("^(https?|file|s3|ssh|ssh-ng)://", "u");
const pattern22 = new RegExp("^[A-Za-z0-9._-]+:[A-Za-z0-9+/]{43}=$", "u");
const pattern23 = new RegExp("^[0-9]+(\\.[0-9]+)? *([KMGT]i?B?|B)?$", "u");
const pattern25 = new RegExp("^([01][0-9]|2[0-3]):[0-5][0-9]$", "u");
const pattern31 = new RegExp("^[a-zA-Z0-9.-]+$", "u");
const pattern32 = new RegExp("^[A-Za-z0-9][A-Za-z0-9._:-]*$", "u");
const pattern36 = new RegExp("^(100|[1-9]?[0-9](\\.[0-9]{1,2})?)%$", "u");
const pattern38 = new RegExp("^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$", "u");
const pattern42 = new RegExp("^https?://[^\\s/:]+(:[0-9]{1,5})?/?$", "u");
const pattern43 = new RegExp("^/[^\\s]*[^/\\s]$", "u");
const pattern14 = new RegExp("^[A-Za-z_][A-Za-z0-9_]*$", "u");
const pattern10 = new RegExp("^https?://[^\\s]+$", "u");
const schema35 = {"description":"A command: a string (run by /bin/sh -c), an argv array (run without a shell), or an object.","anyOf":[{"type":"string","minLength":1},{"$ref":"#/$defs/Argv"},{"$ref":"#/$defs/CommandObject"}]};
const schema36 = {"type":"array","minItems":1,"items":{"type":"string"},"description":"Program and arguments, run without a shell."};
const schema37 = {"type":"object","additionalProperties":false,"properties":{"name":{"type":"string","minLength":1,"description":"Shown in logs as the output prefix."},"run":{"description":"A string (run by /bin/sh -c) or an argv array (run without a shell).","anyOf":[{"type":"string","minLength":1},{"$ref":"#/$defs/Argv"}]},"timeout":{"$ref":"#/$defs/Duration","description":"Stop the command after this long (SIGTERM, then SIGKILL 10s later)."},"env":{"type":"object","additionalProperties":{"type":"string"},"description":"Extra environment variables."},"secretEnv":{"type":"object","additionalProperties":{"type":"string"},"description":"Environment variables whose values are secrets: passed to the command like `env`, and replaced by *** in logs, run records, --dry-run and --inspect output."},"cwd":{"type":"string","minLength":1,"description":"Working directory; relative to the config file's folder."}},"required":["run"]};

function validate22(data, {instancePath="", parentData, parentDataProperty, rootData=data, dynamicAnchors={}}={}){
let vErrors = null;
let errors = 0;
const evaluated0 = validate22.evaluated;
if(evaluated0.dynamicProps){
evaluated0.props = undefined;
}
if(evaluated0.dynamicItems){
evaluated0.items = undefined;
}
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.run === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "run"},message:"must have required property '"+"run"+"'",schema:schema37.required,parentSchema:schema37,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
for(const key0 in data){
if(!((((((key0 === "name") || (key0 === "run")) || (key0 === "timeout")) || (key0 === "env")) || (key0 === "secretEnv")) || (key0 === "cwd"))){
const err1 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema37,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
if(data.name !== undefined){
let data0 = data.name;
if(typeof data0 === "string"){
if(func2(data0) < 1){
const err2 = {instancePath:instancePath+"/name",schemaPath:"#/properties/name/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema37.properties.name,data:data0};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
else {
const err3 = {instancePath:instancePath+"/name",schemaPath:"#/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema37.properties.name.type,parentSchema:schema37.properties.name,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
if(data.run !== undefined){
let data1 = data.run;
const _errs5 = errors;
let valid1 = false;
const _errs6 = errors;
if(typeof data1 === "string"){
if(func2(data1) < 1){
const err4 = {instancePath:instancePath+"/run",schemaPath:"#/properties/run/anyOf/0/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema37.properties.run.anyOf[0],data:data1};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
else {
const err5 = {instancePath:instancePath+"/run",schemaPath:"#/properties/run/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema37.properties.run.anyOf[0].type,parentSchema:schema37.properties.run.anyOf[0],data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
var _valid0 = _errs6 === errors;
valid1 = valid1 || _valid0;
const _errs8 = errors;
if(Array.isArray(data1)){
if(data1.length < 1){
const err6 = {instancePath:instancePath+"/run",schemaPath:"#/$defs/Argv/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema36,data:data1};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
const len0 = data1.length;
for(let i0=0; i0<len0; i0++){
let data2 = data1[i0];
if(typeof data2 !== "string"){
const err7 = {instancePath:instancePath+"/run/" + i0,schemaPath:"#/$defs/Argv/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema36.items.type,parentSchema:schema36.items,data:data2};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
}
else {
const err8 = {instancePath:instancePath+"/run",schemaPath:"#/$defs/Argv/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema36.type,parentSchema:schema36,data:data1};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
var _valid0 = _errs8 === errors;
valid1 = valid1 || _valid0;
if(!valid1){
const err9 = {instancePath:instancePath+"/run",schemaPath:"#/properties/run/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema37.properties.run.anyOf,parentSchema:schema37.properties.run,data:data1};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
else {
errors = _errs5;
if(vErrors !== null){
if(_errs5){
vErrors.length = _errs5;
}
else {
vErrors = null;
}
}
}
}
if(data.timeout !== undefined){
let data3 = data.timeout;
if(typeof data3 === "string"){
if(!pattern4.test(data3)){
const err10 = {instancePath:instancePath+"/timeout",schemaPath:"#/$defs/Duration/pattern",keyword:"pattern",params:{pattern: "^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"},message:"must match pattern \""+"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"+"\"",schema:"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$",parentSchema:schema32,data:data3};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
else {
const err11 = {instancePath:instancePath+"/timeout",schemaPath:"#/$defs/Duration/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.type,parentSchema:schema32,data:data3};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
if(data.env !== undefined){
let data4 = data.env;
if(data4 && typeof data4 == "object" && !Array.isArray(data4)){
for(const key1 in data4){
let data5 = data4[key1];
if(typeof data5 !== "string"){
const err12 = {instancePath:instancePath+"/env/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/env/additionalProperties/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema37.properties.env.additionalProperties.type,parentSchema:schema37.properties.env.additionalProperties,data:data5};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
}
else {
const err13 = {instancePath:instancePath+"/env",schemaPath:"#/properties/env/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema37.properties.env.type,parentSchema:schema37.properties.env,data:data4};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
if(data.secretEnv !== undefined){
let data6 = data.secretEnv;
if(data6 && typeof data6 == "object" && !Array.isArray(data6)){
for(const key2 in data6){
let data7 = data6[key2];
if(typeof data7 !== "string"){
const err14 = {instancePath:instancePath+"/secretEnv/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/secretEnv/additionalProperties/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema37.properties.secretEnv.additionalProperties.type,parentSchema:schema37.properties.secretEnv.additionalProperties,data:data7};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
}
else {
const err15 = {instancePath:instancePath+"/secretEnv",schemaPath:"#/properties/secretEnv/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema37.properties.secretEnv.type,parentSchema:schema37.properties.secretEnv,data:data6};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
if(data.cwd !== undefined){
let data8 = data.cwd;
if(typeof data8 === "string"){
if(func2(data8) < 1){
const err16 = {instancePath:instancePath+"/cwd",schemaPath:"#/properties/cwd/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema37.properties.cwd,data:data8};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
else {
const err17 = {instancePath:instancePath+"/cwd",schemaPath:"#/properties/cwd/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema37.properties.cwd.type,parentSchema:schema37.properties.cwd,data:data8};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
}
else {
const err18 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema37.type,parentSchema:schema37,data};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
validate22.errors = vErrors;
return errors === 0;
}
validate22.evaluated = {"props":true,"dynamicProps":false,"dynamicItems":false};


function validate21(data, {instancePath="", parentData, parentDataProperty, rootData=data, dynamicAnchors={}}={}){
let vErrors = null;
let errors = 0;
const evaluated0 = validate21.evaluated;
if(evaluated0.dynamicProps){
evaluated0.props = undefined;
}
if(evaluated0.dynamicItems){
evaluated0.items = undefined;
}
const _errs0 = errors;
let valid0 = false;
const _errs1 = errors;
if(typeof data === "string"){
if(func2(data) < 1){
const err0 = {instancePath,schemaPath:"#/anyOf/0/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema35.anyOf[0],data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
}
else {
const err1 = {instancePath,schemaPath:"#/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema35.anyOf[0].type,parentSchema:schema35.anyOf[0],data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
var _valid0 = _errs1 === errors;
valid0 = valid0 || _valid0;
const _errs3 = errors;
if(Array.isArray(data)){
if(data.length < 1){
const err2 = {instancePath,schemaPath:"#/$defs/Argv/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema36,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
const len0 = data.length;
for(let i0=0; i0<len0; i0++){
let data0 = data[i0];
if(typeof data0 !== "string"){
const err3 = {instancePath:instancePath+"/" + i0,schemaPath:"#/$defs/Argv/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema36.items.type,parentSchema:schema36.items,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
}
else {
const err4 = {instancePath,schemaPath:"#/$defs/Argv/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema36.type,parentSchema:schema36,data};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
var _valid0 = _errs3 === errors;
valid0 = valid0 || _valid0;
if(_valid0){
var items0 = true;
}
const _errs8 = errors;
if(!(validate22(data, {instancePath,parentData,parentDataProperty,rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate22.errors : vErrors.concat(validate22.errors);
errors = vErrors.length;
}
var _valid0 = _errs8 === errors;
valid0 = valid0 || _valid0;
if(_valid0){
var props0 = true;
}
if(!valid0){
const err5 = {instancePath,schemaPath:"#/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema35.anyOf,parentSchema:schema35,data};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
else {
errors = _errs0;
if(vErrors !== null){
if(_errs0){
vErrors.length = _errs0;
}
else {
vErrors = null;
}
}
}
validate21.errors = vErrors;
evaluated0.props = props0;
evaluated0.items = items0;
return errors === 0;
}
validate21.evaluated = {"dynamicProps":true,"dynamicItems":true};

const schema40 = {"type":"object","additionalProperties":false,"properties":{"name":{"type":"string","minLength":1,"description":"Shown in logs; default \"health 1\", ..."},"command":{"$ref":"#/$defs/Command","description":"Passes when it exits 0."},"http":{"$ref":"#/$defs/HttpCheck"},"retries":{"type":"integer","minimum":0,"maximum":100,"default":3,"description":"Further attempts after a failed one."},"interval":{"$ref":"#/$defs/Duration","default":"5s","description":"Pause between attempts."}},"allOf":[{"if":{"required":["http"]},"then":{"properties":{"command":{"not":{},"description":"a health check is a command or an http check, not both: split it in two"}}},"else":{"required":["command"]}}]};
const schema41 = {"type":"object","additionalProperties":false,"properties":{"url":{"type":"string","pattern":"^https?://[^\\s]+$","description":"Fetched with GET."},"expectStatus":{"type":"integer","minimum":100,"maximum":599,"default":200,"description":"The status the answer must have."},"timeout":{"$ref":"#/$defs/Duration","default":"10s","description":"How long one attempt may take."}},"required":["url"]};

function validate30(data, {instancePath="", parentData, parentDataProperty, rootData=data, dynamicAnchors={}}={}){
let vErrors = null;
let errors = 0;
const evaluated0 = validate30.evaluated;
if(evaluated0.dynamicProps){
evaluated0.props = undefined;
}
if(evaluated0.dynamicItems){
evaluated0.items = undefined;
}
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.expectStatus === undefined){
data.expectStatus = 200;
}
if(data.timeout === undefined){
data.timeout = "10s";
}
if(data.url === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "url"},message:"must have required property '"+"url"+"'",schema:schema41.required,parentSchema:schema41,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
for(const key0 in data){
if(!(((key0 === "url") || (key0 === "expectStatus")) || (key0 === "timeout"))){
const err1 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema41,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
if(data.url !== undefined){
let data0 = data.url;
if(typeof data0 === "string"){
if(!pattern10.test(data0)){
const err2 = {instancePath:instancePath+"/url",schemaPath:"#/properties/url/pattern",keyword:"pattern",params:{pattern: "^https?://[^\\s]+$"},message:"must match pattern \""+"^https?://[^\\s]+$"+"\"",schema:"^https?://[^\\s]+$",parentSchema:schema41.properties.url,data:data0};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
else {
const err3 = {instancePath:instancePath+"/url",schemaPath:"#/properties/url/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema41.properties.url.type,parentSchema:schema41.properties.url,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
let data1 = data.expectStatus;
if(!(((typeof data1 == "number") && (!(data1 % 1) && !isNaN(data1))) && (isFinite(data1)))){
const err4 = {instancePath:instancePath+"/expectStatus",schemaPath:"#/properties/expectStatus/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema41.properties.expectStatus.type,parentSchema:schema41.properties.expectStatus,data:data1};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
if((typeof data1 == "number") && (isFinite(data1))){
if(data1 > 599 || isNaN(data1)){
const err5 = {instancePath:instancePath+"/expectStatus",schemaPath:"#/properties/expectStatus/maximum",keyword:"maximum",params:{comparison: "<=", limit: 599},message:"must be <= 599",schema:599,parentSchema:schema41.properties.expectStatus,data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
if(data1 < 100 || isNaN(data1)){
const err6 = {instancePath:instancePath+"/expectStatus",schemaPath:"#/properties/expectStatus/minimum",keyword:"minimum",params:{comparison: ">=", limit: 100},message:"must be >= 100",schema:100,parentSchema:schema41.properties.expectStatus,data:data1};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
let data2 = data.timeout;
if(typeof data2 === "string"){
if(!pattern4.test(data2)){
const err7 = {instancePath:instancePath+"/timeout",schemaPath:"#/$defs/Duration/pattern",keyword:"pattern",params:{pattern: "^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"},message:"must match pattern \""+"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"+"\"",schema:"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$",parentSchema:schema32,data:data2};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
else {
const err8 = {instancePath:instancePath+"/timeout",schemaPath:"#/$defs/Duration/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.type,parentSchema:schema32,data:data2};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
else {
const err9 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema41.type,parentSchema:schema41,data};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
validate30.errors = vErrors;
return errors === 0;
}
validate30.evaluated = {"props":true,"dynamicProps":false,"dynamicItems":false};


function validate28(data, {instancePath="", parentData, parentDataProperty, rootData=data, dynamicAnchors={}}={}){
let vErrors = null;
let errors = 0;
const evaluated0 = validate28.evaluated;
if(evaluated0.dynamicProps){
evaluated0.props = undefined;
}
if(evaluated0.dynamicItems){
evaluated0.items = undefined;
}
const _errs2 = errors;
let valid1 = true;
const _errs3 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.http === undefined) && (missing0 = "http")){
const err0 = {};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
}
var _valid0 = _errs3 === errors;
errors = _errs2;
if(vErrors !== null){
if(_errs2){
vErrors.length = _errs2;
}
else {
vErrors = null;
}
}
let ifClause0;
if(_valid0){
const _errs4 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.command !== undefined){
const err1 = {instancePath:instancePath+"/command",schemaPath:"#/allOf/0/then/properties/command/not",keyword:"not",params:{},message:"must NOT be valid",schema:schema40.allOf[0].then.properties.command.not,parentSchema:schema40.allOf[0].then.properties.command,data:data.command};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
var _valid0 = _errs4 === errors;
valid1 = _valid0;
if(valid1){
var props0 = {};
props0.command = true;
}
ifClause0 = "then";
}
else {
const _errs7 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.command === undefined){
const err2 = {instancePath,schemaPath:"#/allOf/0/else/required",keyword:"required",params:{missingProperty: "command"},message:"must have required property '"+"command"+"'",schema:schema40.allOf[0].else.required,parentSchema:schema40.allOf[0].else,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
var _valid0 = _errs7 === errors;
valid1 = _valid0;
ifClause0 = "else";
}
if(!valid1){
const err3 = {instancePath,schemaPath:"#/allOf/0/if",keyword:"if",params:{failingKeyword: ifClause0},message:"must match \""+ifClause0+"\" schema",schema:schema40.allOf[0].if,parentSchema:schema40.allOf[0],data};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.retries === undefined){
data.retries = 3;
}
if(data.interval === undefined){
data.interval = "5s";
}
for(const key0 in data){
if(!(((((key0 === "name") || (key0 === "command")) || (key0 === "http")) || (key0 === "retries")) || (key0 === "interval"))){
const err4 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema40,data};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
if(data.name !== undefined){
let data1 = data.name;
if(typeof data1 === "string"){
if(func2(data1) < 1){
const err5 = {instancePath:instancePath+"/name",schemaPath:"#/properties/name/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema40.properties.name,data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
else {
const err6 = {instancePath:instancePath+"/name",schemaPath:"#/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema40.properties.name.type,parentSchema:schema40.properties.name,data:data1};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
if(data.command !== undefined){
if(!(validate21(data.command, {instancePath:instancePath+"/command",parentData:data,parentDataProperty:"command",rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate21.errors : vErrors.concat(validate21.errors);
errors = vErrors.length;
}
}
if(data.http !== undefined){
if(!(validate30(data.http, {instancePath:instancePath+"/http",parentData:data,parentDataProperty:"http",rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate30.errors : vErrors.concat(validate30.errors);
errors = vErrors.length;
}
}
let data4 = data.retries;
if(!(((typeof data4 == "number") && (!(data4 % 1) && !isNaN(data4))) && (isFinite(data4)))){
const err7 = {instancePath:instancePath+"/retries",schemaPath:"#/properties/retries/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema40.properties.retries.type,parentSchema:schema40.properties.retries,data:data4};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
if((typeof data4 == "number") && (isFinite(data4))){
if(data4 > 100 || isNaN(data4)){
const err8 = {instancePath:instancePath+"/retries",schemaPath:"#/properties/retries/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100},message:"must be <= 100",schema:100,parentSchema:schema40.properties.retries,data:data4};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
if(data4 < 0 || isNaN(data4)){
const err9 = {instancePath:instancePath+"/retries",schemaPath:"#/properties/retries/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema40.properties.retries,data:data4};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
let data5 = data.interval;
if(typeof data5 === "string"){
if(!pattern4.test(data5)){
const err10 = {instancePath:instancePath+"/interval",schemaPath:"#/$defs/Duration/pattern",keyword:"pattern",params:{pattern: "^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"},message:"must match pattern \""+"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"+"\"",schema:"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$",parentSchema:schema32,data:data5};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
else {
const err11 = {instancePath:instancePath+"/interval",schemaPath:"#/$defs/Duration/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.type,parentSchema:schema32,data:data5};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
else {
const err12 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema40.type,parentSchema:schema40,data};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
validate28.errors = vErrors;
return errors === 0;
}
validate28.evaluated = {"props":true,"dynamicProps":false,"dynamicItems":false};

const schema44 = {"type":"object","additionalProperties":false,"properties":{"name":{"type":"string","minLength":1,"description":"Shown in logs; default \"webhook 1\", \"command 2\", ..."},"on":{"type":"array","minItems":1,"uniqueItems":true,"items":{"$ref":"#/$defs/NotifyEvent"},"default":["failure","validation-failed"],"description":"The events this notification is sent for."},"webhook":{"$ref":"#/$defs/Webhook"},"command":{"$ref":"#/$defs/Command","description":"Run with XS_UPGRADE_EVENT, XS_UPGRADE_RESULT, XS_UPGRADE_ERROR, XS_UPGRADE_HOST, XS_UPGRADE_SAVED_COMMITS and XS_UPGRADE_FINAL_COMMITS in its environment."}},"allOf":[{"if":{"required":["webhook"]},"then":{"properties":{"command":{"not":{},"description":"a notification is a webhook or a command, not both: split it in two"}}},"else":{"required":["command"]}}]};
const schema45 = {"enum":["success","installed-for-boot","nothing-new","held-back","fetch-failed","skipped","no-slot","fleet-unavailable","failure","rolled-back","rollback-failed","validation-failed","recalled"],"description":"success: upgraded. installed-for-boot: NixOS refused to switch live for its switch inhibitors, and the new system was made the boot default (sent before success). nothing-new: nothing upstream. held-back: upstream is at commits that failed here before. fetch-failed: the network failed, nothing moved. skipped: outside the maintenance window, on battery or metered. no-slot: no fleet slot within fleet.slotTimeout; the repos went back, nothing was switched. fleet-unavailable: the fleet's coordinator (etcd or FleetLock) could not be reached or failed; nothing was switched. failure: aborted, rolled back or rollback failed (also every run refused while a failed rollback waits for an operator). rolled-back, rollback-failed: those alone. validation-failed: a check failed under onValidationFailure \"notify\". recalled: the set this host ran was rejected or aborted fleet-wide, and the host went back to the newest set it ran healthy before."};
const func0 = require("ajv/dist/runtime/equal").default;
const schema46 = {"type":"object","additionalProperties":false,"properties":{"url":{"description":"Where the JSON payload is POSTed: an http:// or https:// URL, or a secret reference ({\"env\": NAME} or {\"credential\": NAME}) so the URL, which often carries a token, stays out of the config file and the Nix store. Never written to logs or records past its origin.","anyOf":[{"type":"string","pattern":"^https?://[^\\s]+$"},{"$ref":"#/$defs/SecretRef"}]},"headers":{"type":"object","additionalProperties":{"anyOf":[{"type":"string"},{"$ref":"#/$defs/SecretRef"}]},"description":"Extra request headers (e.g. Authorization), each a value or a secret reference; never written to logs or records."},"timeout":{"$ref":"#/$defs/Duration","default":"10s","description":"How long one attempt may take."},"retries":{"type":"integer","minimum":0,"maximum":10,"default":2,"description":"Further attempts after a network error or a 5xx answer, with growing pauses."}},"required":["url"]};
const schema47 = {"type":"object","additionalProperties":false,"description":"A secret named, not held: its value is read when a run starts, from the environment (systemd EnvironmentFile=; NixOS services.xs-upgrade.secretEnvFile) or from a systemd credential (LoadCredential=; services.xs-upgrade.credentials). Exactly one of env and credential.","properties":{"env":{"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*$","description":"The environment variable that holds the value."},"credential":{"type":"string","pattern":"^[A-Za-z0-9_.-]+$","description":"The systemd credential that holds the value, read from $CREDENTIALS_DIRECTORY/NAME."}},"minProperties":1,"maxProperties":1};
const pattern15 = new RegExp("^[A-Za-z0-9_.-]+$", "u");

function validate35(data, {instancePath="", parentData, parentDataProperty, rootData=data, dynamicAnchors={}}={}){
let vErrors = null;
let errors = 0;
const evaluated0 = validate35.evaluated;
if(evaluated0.dynamicProps){
evaluated0.props = undefined;
}
if(evaluated0.dynamicItems){
evaluated0.items = undefined;
}
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.timeout === undefined){
data.timeout = "10s";
}
if(data.retries === undefined){
data.retries = 2;
}
if(data.url === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "url"},message:"must have required property '"+"url"+"'",schema:schema46.required,parentSchema:schema46,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
for(const key0 in data){
if(!((((key0 === "url") || (key0 === "headers")) || (key0 === "timeout")) || (key0 === "retries"))){
const err1 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema46,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
if(data.url !== undefined){
let data0 = data.url;
const _errs3 = errors;
let valid1 = false;
const _errs4 = errors;
if(typeof data0 === "string"){
if(!pattern10.test(data0)){
const err2 = {instancePath:instancePath+"/url",schemaPath:"#/properties/url/anyOf/0/pattern",keyword:"pattern",params:{pattern: "^https?://[^\\s]+$"},message:"must match pattern \""+"^https?://[^\\s]+$"+"\"",schema:"^https?://[^\\s]+$",parentSchema:schema46.properties.url.anyOf[0],data:data0};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
else {
const err3 = {instancePath:instancePath+"/url",schemaPath:"#/properties/url/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema46.properties.url.anyOf[0].type,parentSchema:schema46.properties.url.anyOf[0],data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
var _valid0 = _errs4 === errors;
valid1 = valid1 || _valid0;
const _errs6 = errors;
if(data0 && typeof data0 == "object" && !Array.isArray(data0)){
if(Object.keys(data0).length > 1){
const err4 = {instancePath:instancePath+"/url",schemaPath:"#/$defs/SecretRef/maxProperties",keyword:"maxProperties",params:{limit: 1},message:"must NOT have more than 1 properties",schema:1,parentSchema:schema47,data:data0};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
if(Object.keys(data0).length < 1){
const err5 = {instancePath:instancePath+"/url",schemaPath:"#/$defs/SecretRef/minProperties",keyword:"minProperties",params:{limit: 1},message:"must NOT have fewer than 1 properties",schema:1,parentSchema:schema47,data:data0};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
for(const key1 in data0){
if(!((key1 === "env") || (key1 === "credential"))){
const err6 = {instancePath:instancePath+"/url",schemaPath:"#/$defs/SecretRef/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema47,data:data0};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
if(data0.env !== undefined){
let data1 = data0.env;
if(typeof data1 === "string"){
if(!pattern14.test(data1)){
const err7 = {instancePath:instancePath+"/url/env",schemaPath:"#/$defs/SecretRef/properties/env/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]*$",parentSchema:schema47.properties.env,data:data1};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
else {
const err8 = {instancePath:instancePath+"/url/env",schemaPath:"#/$defs/SecretRef/properties/env/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema47.properties.env.type,parentSchema:schema47.properties.env,data:data1};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(data0.credential !== undefined){
let data2 = data0.credential;
if(typeof data2 === "string"){
if(!pattern15.test(data2)){
const err9 = {instancePath:instancePath+"/url/credential",schemaPath:"#/$defs/SecretRef/properties/credential/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9_.-]+$"},message:"must match pattern \""+"^[A-Za-z0-9_.-]+$"+"\"",schema:"^[A-Za-z0-9_.-]+$",parentSchema:schema47.properties.credential,data:data2};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
else {
const err10 = {instancePath:instancePath+"/url/credential",schemaPath:"#/$defs/SecretRef/properties/credential/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema47.properties.credential.type,parentSchema:schema47.properties.credential,data:data2};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
}
else {
const err11 = {instancePath:instancePath+"/url",schemaPath:"#/$defs/SecretRef/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema47.type,parentSchema:schema47,data:data0};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
var _valid0 = _errs6 === errors;
valid1 = valid1 || _valid0;
if(!valid1){
const err12 = {instancePath:instancePath+"/url",schemaPath:"#/properties/url/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema46.properties.url.anyOf,parentSchema:schema46.properties.url,data:data0};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
else {
errors = _errs3;
if(vErrors !== null){
if(_errs3){
vErrors.length = _errs3;
}
else {
vErrors = null;
}
}
}
}
if(data.headers !== undefined){
let data3 = data.headers;
if(data3 && typeof data3 == "object" && !Array.isArray(data3)){
for(const key2 in data3){
let data4 = data3[key2];
const _errs18 = errors;
let valid5 = false;
const _errs19 = errors;
if(typeof data4 !== "string"){
const err13 = {instancePath:instancePath+"/headers/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/headers/additionalProperties/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema46.properties.headers.additionalProperties.anyOf[0].type,parentSchema:schema46.properties.headers.additionalProperties.anyOf[0],data:data4};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
var _valid1 = _errs19 === errors;
valid5 = valid5 || _valid1;
const _errs21 = errors;
if(data4 && typeof data4 == "object" && !Array.isArray(data4)){
if(Object.keys(data4).length > 1){
const err14 = {instancePath:instancePath+"/headers/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/$defs/SecretRef/maxProperties",keyword:"maxProperties",params:{limit: 1},message:"must NOT have more than 1 properties",schema:1,parentSchema:schema47,data:data4};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
if(Object.keys(data4).length < 1){
const err15 = {instancePath:instancePath+"/headers/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/$defs/SecretRef/minProperties",keyword:"minProperties",params:{limit: 1},message:"must NOT have fewer than 1 properties",schema:1,parentSchema:schema47,data:data4};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
for(const key3 in data4){
if(!((key3 === "env") || (key3 === "credential"))){
const err16 = {instancePath:instancePath+"/headers/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/$defs/SecretRef/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key3},message:"must NOT have additional properties",schema:false,parentSchema:schema47,data:data4};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
if(data4.env !== undefined){
let data5 = data4.env;
if(typeof data5 === "string"){
if(!pattern14.test(data5)){
const err17 = {instancePath:instancePath+"/headers/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/env",schemaPath:"#/$defs/SecretRef/properties/env/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]*$",parentSchema:schema47.properties.env,data:data5};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
else {
const err18 = {instancePath:instancePath+"/headers/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/env",schemaPath:"#/$defs/SecretRef/properties/env/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema47.properties.env.type,parentSchema:schema47.properties.env,data:data5};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
if(data4.credential !== undefined){
let data6 = data4.credential;
if(typeof data6 === "string"){
if(!pattern15.test(data6)){
const err19 = {instancePath:instancePath+"/headers/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/credential",schemaPath:"#/$defs/SecretRef/properties/credential/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9_.-]+$"},message:"must match pattern \""+"^[A-Za-z0-9_.-]+$"+"\"",schema:"^[A-Za-z0-9_.-]+$",parentSchema:schema47.properties.credential,data:data6};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
else {
const err20 = {instancePath:instancePath+"/headers/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/credential",schemaPath:"#/$defs/SecretRef/properties/credential/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema47.properties.credential.type,parentSchema:schema47.properties.credential,data:data6};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
}
else {
const err21 = {instancePath:instancePath+"/headers/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/$defs/SecretRef/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema47.type,parentSchema:schema47,data:data4};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
var _valid1 = _errs21 === errors;
valid5 = valid5 || _valid1;
if(!valid5){
const err22 = {instancePath:instancePath+"/headers/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/headers/additionalProperties/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema46.properties.headers.additionalProperties.anyOf,parentSchema:schema46.properties.headers.additionalProperties,data:data4};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
else {
errors = _errs18;
if(vErrors !== null){
if(_errs18){
vErrors.length = _errs18;
}
else {
vErrors = null;
}
}
}
}
}
else {
const err23 = {instancePath:instancePath+"/headers",schemaPath:"#/properties/headers/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema46.properties.headers.type,parentSchema:schema46.properties.headers,data:data3};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
}
let data7 = data.timeout;
if(typeof data7 === "string"){
if(!pattern4.test(data7)){
const err24 = {instancePath:instancePath+"/timeout",schemaPath:"#/$defs/Duration/pattern",keyword:"pattern",params:{pattern: "^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"},message:"must match pattern \""+"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"+"\"",schema:"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$",parentSchema:schema32,data:data7};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
}
else {
const err25 = {instancePath:instancePath+"/timeout",schemaPath:"#/$defs/Duration/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.type,parentSchema:schema32,data:data7};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
let data8 = data.retries;
if(!(((typeof data8 == "number") && (!(data8 % 1) && !isNaN(data8))) && (isFinite(data8)))){
const err26 = {instancePath:instancePath+"/retries",schemaPath:"#/properties/retries/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema46.properties.retries.type,parentSchema:schema46.properties.retries,data:data8};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
if((typeof data8 == "number") && (isFinite(data8))){
if(data8 > 10 || isNaN(data8)){
const err27 = {instancePath:instancePath+"/retries",schemaPath:"#/properties/retries/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10},message:"must be <= 10",schema:10,parentSchema:schema46.properties.retries,data:data8};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
if(data8 < 0 || isNaN(data8)){
const err28 = {instancePath:instancePath+"/retries",schemaPath:"#/properties/retries/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema46.properties.retries,data:data8};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
}
else {
const err29 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema46.type,parentSchema:schema46,data};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
validate35.errors = vErrors;
return errors === 0;
}
validate35.evaluated = {"props":true,"dynamicProps":false,"dynamicItems":false};


function validate34(data, {instancePath="", parentData, parentDataProperty, rootData=data, dynamicAnchors={}}={}){
let vErrors = null;
let errors = 0;
const evaluated0 = validate34.evaluated;
if(evaluated0.dynamicProps){
evaluated0.props = undefined;
}
if(evaluated0.dynamicItems){
evaluated0.items = undefined;
}
const _errs2 = errors;
let valid1 = true;
const _errs3 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.webhook === undefined) && (missing0 = "webhook")){
const err0 = {};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
}
var _valid0 = _errs3 === errors;
errors = _errs2;
if(vErrors !== null){
if(_errs2){
vErrors.length = _errs2;
}
else {
vErrors = null;
}
}
let ifClause0;
if(_valid0){
const _errs4 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.command !== undefined){
const err1 = {instancePath:instancePath+"/command",schemaPath:"#/allOf/0/then/properties/command/not",keyword:"not",params:{},message:"must NOT be valid",schema:schema44.allOf[0].then.properties.command.not,parentSchema:schema44.allOf[0].then.properties.command,data:data.command};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
var _valid0 = _errs4 === errors;
valid1 = _valid0;
if(valid1){
var props0 = {};
props0.command = true;
}
ifClause0 = "then";
}
else {
const _errs7 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.command === undefined){
const err2 = {instancePath,schemaPath:"#/allOf/0/else/required",keyword:"required",params:{missingProperty: "command"},message:"must have required property '"+"command"+"'",schema:schema44.allOf[0].else.required,parentSchema:schema44.allOf[0].else,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
var _valid0 = _errs7 === errors;
valid1 = _valid0;
ifClause0 = "else";
}
if(!valid1){
const err3 = {instancePath,schemaPath:"#/allOf/0/if",keyword:"if",params:{failingKeyword: ifClause0},message:"must match \""+ifClause0+"\" schema",schema:schema44.allOf[0].if,parentSchema:schema44.allOf[0],data};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.on === undefined){
data.on = ["failure","validation-failed"];
}
for(const key0 in data){
if(!((((key0 === "name") || (key0 === "on")) || (key0 === "webhook")) || (key0 === "command"))){
const err4 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema44,data};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
if(data.name !== undefined){
let data1 = data.name;
if(typeof data1 === "string"){
if(func2(data1) < 1){
const err5 = {instancePath:instancePath+"/name",schemaPath:"#/properties/name/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema44.properties.name,data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
else {
const err6 = {instancePath:instancePath+"/name",schemaPath:"#/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema44.properties.name.type,parentSchema:schema44.properties.name,data:data1};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
let data2 = data.on;
if(Array.isArray(data2)){
if(data2.length < 1){
const err7 = {instancePath:instancePath+"/on",schemaPath:"#/properties/on/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema44.properties.on,data:data2};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
const len0 = data2.length;
for(let i0=0; i0<len0; i0++){
let data3 = data2[i0];
if(!(((((((((((((data3 === "success") || (data3 === "installed-for-boot")) || (data3 === "nothing-new")) || (data3 === "held-back")) || (data3 === "fetch-failed")) || (data3 === "skipped")) || (data3 === "no-slot")) || (data3 === "fleet-unavailable")) || (data3 === "failure")) || (data3 === "rolled-back")) || (data3 === "rollback-failed")) || (data3 === "validation-failed")) || (data3 === "recalled"))){
const err8 = {instancePath:instancePath+"/on/" + i0,schemaPath:"#/$defs/NotifyEvent/enum",keyword:"enum",params:{allowedValues: schema45.enum},message:"must be equal to one of the allowed values",schema:schema45.enum,parentSchema:schema45,data:data3};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
let i1 = data2.length;
let j0;
if(i1 > 1){
outer0:
for(;i1--;){
for(j0 = i1; j0--;){
if(func0(data2[i1], data2[j0])){
const err9 = {instancePath:instancePath+"/on",schemaPath:"#/properties/on/uniqueItems",keyword:"uniqueItems",params:{i: i1, j: j0},message:"must NOT have duplicate items (items ## "+j0+" and "+i1+" are identical)",schema:true,parentSchema:schema44.properties.on,data:data2};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
break outer0;
}
}
}
}
}
else {
const err10 = {instancePath:instancePath+"/on",schemaPath:"#/properties/on/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema44.properties.on.type,parentSchema:schema44.properties.on,data:data2};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
if(data.webhook !== undefined){
if(!(validate35(data.webhook, {instancePath:instancePath+"/webhook",parentData:data,parentDataProperty:"webhook",rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate35.errors : vErrors.concat(validate35.errors);
errors = vErrors.length;
}
}
if(data.command !== undefined){
if(!(validate21(data.command, {instancePath:instancePath+"/command",parentData:data,parentDataProperty:"command",rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate21.errors : vErrors.concat(validate21.errors);
errors = vErrors.length;
}
}
}
else {
const err11 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema44.type,parentSchema:schema44,data};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
validate34.errors = vErrors;
return errors === 0;
}
validate34.evaluated = {"props":true,"dynamicProps":false,"dynamicItems":false};

const schema53 = {"type":"object","additionalProperties":false,"properties":{"days":{"type":"array","minItems":1,"uniqueItems":true,"items":{"enum":["Mon","Tue","Wed","Thu","Fri","Sat","Sun"]},"description":"The days the window starts on (default every day)."},"start":{"$ref":"#/$defs/TimeOfDay"},"length":{"$ref":"#/$defs/Duration"},"timeZone":{"type":"string","minLength":1,"description":"An IANA time zone such as Europe/Berlin (default the host's)."}},"required":["start","length"]};

function validate43(data, {instancePath="", parentData, parentDataProperty, rootData=data, dynamicAnchors={}}={}){
let vErrors = null;
let errors = 0;
const evaluated0 = validate43.evaluated;
if(evaluated0.dynamicProps){
evaluated0.props = undefined;
}
if(evaluated0.dynamicItems){
evaluated0.items = undefined;
}
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.start === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "start"},message:"must have required property '"+"start"+"'",schema:schema53.required,parentSchema:schema53,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.length === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "length"},message:"must have required property '"+"length"+"'",schema:schema53.required,parentSchema:schema53,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
for(const key0 in data){
if(!((((key0 === "days") || (key0 === "start")) || (key0 === "length")) || (key0 === "timeZone"))){
const err2 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema53,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.days !== undefined){
let data0 = data.days;
if(Array.isArray(data0)){
if(data0.length < 1){
const err3 = {instancePath:instancePath+"/days",schemaPath:"#/properties/days/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema53.properties.days,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
const len0 = data0.length;
for(let i0=0; i0<len0; i0++){
let data1 = data0[i0];
if(!(((((((data1 === "Mon") || (data1 === "Tue")) || (data1 === "Wed")) || (data1 === "Thu")) || (data1 === "Fri")) || (data1 === "Sat")) || (data1 === "Sun"))){
const err4 = {instancePath:instancePath+"/days/" + i0,schemaPath:"#/properties/days/items/enum",keyword:"enum",params:{allowedValues: schema53.properties.days.items.enum},message:"must be equal to one of the allowed values",schema:schema53.properties.days.items.enum,parentSchema:schema53.properties.days.items,data:data1};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
let i1 = data0.length;
let j0;
if(i1 > 1){
outer0:
for(;i1--;){
for(j0 = i1; j0--;){
if(func0(data0[i1], data0[j0])){
const err5 = {instancePath:instancePath+"/days",schemaPath:"#/properties/days/uniqueItems",keyword:"uniqueItems",params:{i: i1, j: j0},message:"must NOT have duplicate items (items ## "+j0+" and "+i1+" are identical)",schema:true,parentSchema:schema53.properties.days,data:data0};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
break outer0;
}
}
}
}
}
else {
const err6 = {instancePath:instancePath+"/days",schemaPath:"#/properties/days/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema53.properties.days.type,parentSchema:schema53.properties.days,data:data0};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
if(data.start !== undefined){
let data2 = data.start;
if(typeof data2 === "string"){
if(!pattern25.test(data2)){
const err7 = {instancePath:instancePath+"/start",schemaPath:"#/$defs/TimeOfDay/pattern",keyword:"pattern",params:{pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$"},message:"must match pattern \""+"^([01][0-9]|2[0-3]):[0-5][0-9]$"+"\"",schema:"^([01][0-9]|2[0-3]):[0-5][0-9]$",parentSchema:schema51,data:data2};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
else {
const err8 = {instancePath:instancePath+"/start",schemaPath:"#/$defs/TimeOfDay/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema51.type,parentSchema:schema51,data:data2};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(data.length !== undefined){
let data3 = data.length;
if(typeof data3 === "string"){
if(!pattern4.test(data3)){
const err9 = {instancePath:instancePath+"/length",schemaPath:"#/$defs/Duration/pattern",keyword:"pattern",params:{pattern: "^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"},message:"must match pattern \""+"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"+"\"",schema:"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$",parentSchema:schema32,data:data3};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
else {
const err10 = {instancePath:instancePath+"/length",schemaPath:"#/$defs/Duration/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.type,parentSchema:schema32,data:data3};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
if(data.timeZone !== undefined){
let data4 = data.timeZone;
if(typeof data4 === "string"){
if(func2(data4) < 1){
const err11 = {instancePath:instancePath+"/timeZone",schemaPath:"#/properties/timeZone/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema53.properties.timeZone,data:data4};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
else {
const err12 = {instancePath:instancePath+"/timeZone",schemaPath:"#/properties/timeZone/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema53.properties.timeZone.type,parentSchema:schema53.properties.timeZone,data:data4};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
}
else {
const err13 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema53.type,parentSchema:schema53,data};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
validate43.errors = vErrors;
return errors === 0;
}
validate43.evaluated = {"props":true,"dynamicProps":false,"dynamicItems":false};


function validate20(data, {instancePath="", parentData, parentDataProperty, rootData=data, dynamicAnchors={}}={}){
/*# sourceURL="https://xs-upgrade.dev/schemas/xs-upgrade.schema.json" */;
let vErrors = null;
let errors = 0;
const evaluated0 = validate20.evaluated;
if(evaluated0.dynamicProps){
evaluated0.props = undefined;
}
if(evaluated0.dynamicItems){
evaluated0.items = undefined;
}
const _errs2 = errors;
let valid1 = true;
const _errs3 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.mode === undefined) && (missing0 = "mode")){
const err0 = {};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
else {
if(data.mode !== undefined){
if("remote" !== data.mode){
const err1 = {};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
}
}
var _valid0 = _errs3 === errors;
errors = _errs2;
if(vErrors !== null){
if(_errs2){
vErrors.length = _errs2;
}
else {
vErrors = null;
}
}
let ifClause0;
if(_valid0){
const _errs5 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.preUpdateHooks !== undefined){
const err2 = {instancePath:instancePath+"/preUpdateHooks",schemaPath:"#/allOf/0/then/properties/preUpdateHooks/not",keyword:"not",params:{},message:"must NOT be valid",schema:schema31.allOf[0].then.properties.preUpdateHooks.not,parentSchema:schema31.allOf[0].then.properties.preUpdateHooks,data:data.preUpdateHooks};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
if(data.repos !== undefined){
const err3 = {instancePath:instancePath+"/repos",schemaPath:"#/allOf/0/then/properties/repos/not",keyword:"not",params:{},message:"must NOT be valid",schema:schema31.allOf[0].then.properties.repos.not,parentSchema:schema31.allOf[0].then.properties.repos,data:data.repos};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
var _valid0 = _errs5 === errors;
valid1 = _valid0;
if(valid1){
var props0 = {};
props0.preUpdateHooks = true;
props0.repos = true;
props0.mode = true;
}
ifClause0 = "then";
}
else {
const _errs10 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.repos === undefined){
const err4 = {instancePath,schemaPath:"#/allOf/0/else/required",keyword:"required",params:{missingProperty: "repos"},message:"must have required property '"+"repos"+"'",schema:schema31.allOf[0].else.required,parentSchema:schema31.allOf[0].else,data};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
var _valid0 = _errs10 === errors;
valid1 = _valid0;
ifClause0 = "else";
}
if(!valid1){
const err5 = {instancePath,schemaPath:"#/allOf/0/if",keyword:"if",params:{failingKeyword: ifClause0},message:"must match \""+ifClause0+"\" schema",schema:schema31.allOf[0].if,parentSchema:schema31.allOf[0],data};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
const _errs12 = errors;
let valid4 = true;
const _errs13 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
let missing1;
if((data.buildBeforeSwitch === undefined) && (missing1 = "buildBeforeSwitch")){
const err6 = {};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
else {
if(data.buildBeforeSwitch !== undefined){
if(false !== data.buildBeforeSwitch){
const err7 = {};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
}
}
var _valid1 = _errs13 === errors;
errors = _errs12;
if(vErrors !== null){
if(_errs12){
vErrors.length = _errs12;
}
else {
vErrors = null;
}
}
if(!_valid1){
const _errs15 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.build === undefined){
const err8 = {instancePath,schemaPath:"#/allOf/1/else/required",keyword:"required",params:{missingProperty: "build"},message:"must have required property '"+"build"+"'",schema:schema31.allOf[1].else.required,parentSchema:schema31.allOf[1].else,data};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
var _valid1 = _errs15 === errors;
valid4 = _valid1;
}
if(!valid4){
const err9 = {instancePath,schemaPath:"#/allOf/1/if",keyword:"if",params:{failingKeyword: "else"},message:"must match \"else\" schema",schema:schema31.allOf[1].if,parentSchema:schema31.allOf[1],data};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
if(props0 !== true){
props0 = props0 || {};
props0.buildBeforeSwitch = true;
}
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.mode === undefined){
data.mode = "local";
}
if(data.schedule === undefined){
data.schedule = "04:00";
}
if(data.randomizedDelaySec === undefined){
data.randomizedDelaySec = "0s";
}
if(data.fixedRandomDelay === undefined){
data.fixedRandomDelay = false;
}
if(data.persistent === undefined){
data.persistent = true;
}
if(data.stateDir === undefined){
data.stateDir = "/var/lib/xs-upgrade";
}
if(data.fetchTimeout === undefined){
data.fetchTimeout = "2m";
}
if(data.fetchRetries === undefined){
data.fetchRetries = 2;
}
if(data.buildBeforeSwitch === undefined){
data.buildBeforeSwitch = true;
}
if(data.validationConcurrency === undefined){
data.validationConcurrency = 1;
}
if(data.onValidationFailure === undefined){
data.onValidationFailure = "rollback";
}
if(data.inhibited === undefined){
data.inhibited = "boot";
}
if(data.gitConcurrency === undefined){
data.gitConcurrency = 8;
}
if(data.keepRuns === undefined){
data.keepRuns = 30;
}
if(data.switch === undefined){
const err10 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "switch"},message:"must have required property '"+"switch"+"'",schema:schema31.required,parentSchema:schema31,data};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
for(const key0 in data){
if(!(func1.call(schema31.properties, key0))){
const err11 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema31,data};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
if(data.$schema !== undefined){
let data4 = data.$schema;
if(typeof data4 !== "string"){
const err12 = {instancePath:instancePath+"/$schema",schemaPath:"#/properties/%24schema/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.$schema.type,parentSchema:schema31.properties.$schema,data:data4};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
let data5 = data.mode;
if(!((data5 === "local") || (data5 === "remote"))){
const err13 = {instancePath:instancePath+"/mode",schemaPath:"#/properties/mode/enum",keyword:"enum",params:{allowedValues: schema31.properties.mode.enum},message:"must be equal to one of the allowed values",schema:schema31.properties.mode.enum,parentSchema:schema31.properties.mode,data:data5};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
let data6 = data.schedule;
if(typeof data6 === "string"){
if(func2(data6) < 1){
const err14 = {instancePath:instancePath+"/schedule",schemaPath:"#/properties/schedule/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema31.properties.schedule,data:data6};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
else {
const err15 = {instancePath:instancePath+"/schedule",schemaPath:"#/properties/schedule/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.schedule.type,parentSchema:schema31.properties.schedule,data:data6};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
let data7 = data.randomizedDelaySec;
if(typeof data7 === "string"){
if(!pattern4.test(data7)){
const err16 = {instancePath:instancePath+"/randomizedDelaySec",schemaPath:"#/$defs/Duration/pattern",keyword:"pattern",params:{pattern: "^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"},message:"must match pattern \""+"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"+"\"",schema:"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$",parentSchema:schema32,data:data7};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
else {
const err17 = {instancePath:instancePath+"/randomizedDelaySec",schemaPath:"#/$defs/Duration/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.type,parentSchema:schema32,data:data7};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
let data8 = data.fixedRandomDelay;
if(typeof data8 !== "boolean"){
const err18 = {instancePath:instancePath+"/fixedRandomDelay",schemaPath:"#/properties/fixedRandomDelay/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema31.properties.fixedRandomDelay.type,parentSchema:schema31.properties.fixedRandomDelay,data:data8};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
let data9 = data.persistent;
if(typeof data9 !== "boolean"){
const err19 = {instancePath:instancePath+"/persistent",schemaPath:"#/properties/persistent/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema31.properties.persistent.type,parentSchema:schema31.properties.persistent,data:data9};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
let data10 = data.stateDir;
if(typeof data10 === "string"){
if(func2(data10) < 1){
const err20 = {instancePath:instancePath+"/stateDir",schemaPath:"#/properties/stateDir/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema31.properties.stateDir,data:data10};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
else {
const err21 = {instancePath:instancePath+"/stateDir",schemaPath:"#/properties/stateDir/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.stateDir.type,parentSchema:schema31.properties.stateDir,data:data10};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
if(data.repos !== undefined){
let data11 = data.repos;
if(Array.isArray(data11)){
if(data11.length < 1){
const err22 = {instancePath:instancePath+"/repos",schemaPath:"#/properties/repos/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema31.properties.repos,data:data11};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
const len0 = data11.length;
for(let i0=0; i0<len0; i0++){
let data12 = data11[i0];
const _errs37 = errors;
let valid12 = true;
const _errs38 = errors;
if(data12 && typeof data12 == "object" && !Array.isArray(data12)){
let missing2;
if((data12.requireSignedCommits === undefined) && (missing2 = "requireSignedCommits")){
const err23 = {};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
else {
if(data12.requireSignedCommits !== undefined){
if(true !== data12.requireSignedCommits){
const err24 = {};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
}
}
}
var _valid2 = _errs38 === errors;
errors = _errs37;
if(vErrors !== null){
if(_errs37){
vErrors.length = _errs37;
}
else {
vErrors = null;
}
}
if(_valid2){
const _errs40 = errors;
if(data12 && typeof data12 == "object" && !Array.isArray(data12)){
if(data12.allowedSignersFile === undefined){
const err25 = {instancePath:instancePath+"/repos/" + i0,schemaPath:"#/$defs/Repo/allOf/0/then/required",keyword:"required",params:{missingProperty: "allowedSignersFile"},message:"must have required property '"+"allowedSignersFile"+"'",schema:schema33.allOf[0].then.required,parentSchema:schema33.allOf[0].then,data:data12};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
}
var _valid2 = _errs40 === errors;
valid12 = _valid2;
}
if(!valid12){
const err26 = {instancePath:instancePath+"/repos/" + i0,schemaPath:"#/$defs/Repo/allOf/0/if",keyword:"if",params:{failingKeyword: "then"},message:"must match \"then\" schema",schema:schema33.allOf[0].if,parentSchema:schema33.allOf[0],data:data12};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
if(data12 && typeof data12 == "object" && !Array.isArray(data12)){
if(data12.remote === undefined){
data12.remote = "origin";
}
if(data12.branch === undefined){
data12.branch = "main";
}
if(data12.requireSignedCommits === undefined){
data12.requireSignedCommits = false;
}
if(data12.name === undefined){
const err27 = {instancePath:instancePath+"/repos/" + i0,schemaPath:"#/$defs/Repo/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema33.required,parentSchema:schema33,data:data12};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
if(data12.path === undefined){
const err28 = {instancePath:instancePath+"/repos/" + i0,schemaPath:"#/$defs/Repo/required",keyword:"required",params:{missingProperty: "path"},message:"must have required property '"+"path"+"'",schema:schema33.required,parentSchema:schema33,data:data12};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
for(const key1 in data12){
if(!((((((key1 === "name") || (key1 === "path")) || (key1 === "remote")) || (key1 === "branch")) || (key1 === "requireSignedCommits")) || (key1 === "allowedSignersFile"))){
const err29 = {instancePath:instancePath+"/repos/" + i0,schemaPath:"#/$defs/Repo/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema33,data:data12};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
if(data12.name !== undefined){
let data14 = data12.name;
if(typeof data14 === "string"){
if(func2(data14) > 100){
const err30 = {instancePath:instancePath+"/repos/" + i0+"/name",schemaPath:"#/$defs/Repo/properties/name/maxLength",keyword:"maxLength",params:{limit: 100},message:"must NOT have more than 100 characters",schema:100,parentSchema:schema33.properties.name,data:data14};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
if(!pattern5.test(data14)){
const err31 = {instancePath:instancePath+"/repos/" + i0+"/name",schemaPath:"#/$defs/Repo/properties/name/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9._-]*$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9._-]*$",parentSchema:schema33.properties.name,data:data14};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
}
else {
const err32 = {instancePath:instancePath+"/repos/" + i0+"/name",schemaPath:"#/$defs/Repo/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema33.properties.name.type,parentSchema:schema33.properties.name,data:data14};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
}
if(data12.path !== undefined){
let data15 = data12.path;
if(typeof data15 === "string"){
if(func2(data15) < 1){
const err33 = {instancePath:instancePath+"/repos/" + i0+"/path",schemaPath:"#/$defs/Repo/properties/path/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema33.properties.path,data:data15};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
}
else {
const err34 = {instancePath:instancePath+"/repos/" + i0+"/path",schemaPath:"#/$defs/Repo/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema33.properties.path.type,parentSchema:schema33.properties.path,data:data15};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
let data16 = data12.remote;
if(typeof data16 === "string"){
if(!pattern6.test(data16)){
const err35 = {instancePath:instancePath+"/repos/" + i0+"/remote",schemaPath:"#/$defs/Repo/properties/remote/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9._/-]*$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9._/-]*$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9._/-]*$",parentSchema:schema33.properties.remote,data:data16};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
}
else {
const err36 = {instancePath:instancePath+"/repos/" + i0+"/remote",schemaPath:"#/$defs/Repo/properties/remote/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema33.properties.remote.type,parentSchema:schema33.properties.remote,data:data16};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
let data17 = data12.branch;
if(typeof data17 === "string"){
if(!pattern6.test(data17)){
const err37 = {instancePath:instancePath+"/repos/" + i0+"/branch",schemaPath:"#/$defs/Repo/properties/branch/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9._/-]*$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9._/-]*$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9._/-]*$",parentSchema:schema33.properties.branch,data:data17};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
}
else {
const err38 = {instancePath:instancePath+"/repos/" + i0+"/branch",schemaPath:"#/$defs/Repo/properties/branch/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema33.properties.branch.type,parentSchema:schema33.properties.branch,data:data17};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
let data18 = data12.requireSignedCommits;
if(typeof data18 !== "boolean"){
const err39 = {instancePath:instancePath+"/repos/" + i0+"/requireSignedCommits",schemaPath:"#/$defs/Repo/properties/requireSignedCommits/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema33.properties.requireSignedCommits.type,parentSchema:schema33.properties.requireSignedCommits,data:data18};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
if(data12.allowedSignersFile !== undefined){
let data19 = data12.allowedSignersFile;
if(typeof data19 === "string"){
if(func2(data19) < 1){
const err40 = {instancePath:instancePath+"/repos/" + i0+"/allowedSignersFile",schemaPath:"#/$defs/Repo/properties/allowedSignersFile/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema33.properties.allowedSignersFile,data:data19};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
}
else {
const err41 = {instancePath:instancePath+"/repos/" + i0+"/allowedSignersFile",schemaPath:"#/$defs/Repo/properties/allowedSignersFile/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema33.properties.allowedSignersFile.type,parentSchema:schema33.properties.allowedSignersFile,data:data19};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
}
}
else {
const err42 = {instancePath:instancePath+"/repos/" + i0,schemaPath:"#/$defs/Repo/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema33.type,parentSchema:schema33,data:data12};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
}
}
else {
const err43 = {instancePath:instancePath+"/repos",schemaPath:"#/properties/repos/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema31.properties.repos.type,parentSchema:schema31.properties.repos,data:data11};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
}
let data20 = data.fetchTimeout;
if(typeof data20 === "string"){
if(!pattern4.test(data20)){
const err44 = {instancePath:instancePath+"/fetchTimeout",schemaPath:"#/$defs/Duration/pattern",keyword:"pattern",params:{pattern: "^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"},message:"must match pattern \""+"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"+"\"",schema:"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$",parentSchema:schema32,data:data20};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
}
else {
const err45 = {instancePath:instancePath+"/fetchTimeout",schemaPath:"#/$defs/Duration/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.type,parentSchema:schema32,data:data20};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
let data21 = data.fetchRetries;
if(!(((typeof data21 == "number") && (!(data21 % 1) && !isNaN(data21))) && (isFinite(data21)))){
const err46 = {instancePath:instancePath+"/fetchRetries",schemaPath:"#/properties/fetchRetries/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema31.properties.fetchRetries.type,parentSchema:schema31.properties.fetchRetries,data:data21};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
if((typeof data21 == "number") && (isFinite(data21))){
if(data21 > 10 || isNaN(data21)){
const err47 = {instancePath:instancePath+"/fetchRetries",schemaPath:"#/properties/fetchRetries/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10},message:"must be <= 10",schema:10,parentSchema:schema31.properties.fetchRetries,data:data21};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
if(data21 < 0 || isNaN(data21)){
const err48 = {instancePath:instancePath+"/fetchRetries",schemaPath:"#/properties/fetchRetries/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema31.properties.fetchRetries,data:data21};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
}
if(data.preUpdateHooks !== undefined){
let data22 = data.preUpdateHooks;
if(Array.isArray(data22)){
const len1 = data22.length;
for(let i1=0; i1<len1; i1++){
if(!(validate21(data22[i1], {instancePath:instancePath+"/preUpdateHooks/" + i1,parentData:data22,parentDataProperty:i1,rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate21.errors : vErrors.concat(validate21.errors);
errors = vErrors.length;
}
}
}
else {
const err49 = {instancePath:instancePath+"/preUpdateHooks",schemaPath:"#/properties/preUpdateHooks/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema31.properties.preUpdateHooks.type,parentSchema:schema31.properties.preUpdateHooks,data:data22};
if(vErrors === null){
vErrors = [err49];
}
else {
vErrors.push(err49);
}
errors++;
}
}
let data24 = data.buildBeforeSwitch;
if(typeof data24 !== "boolean"){
const err50 = {instancePath:instancePath+"/buildBeforeSwitch",schemaPath:"#/properties/buildBeforeSwitch/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema31.properties.buildBeforeSwitch.type,parentSchema:schema31.properties.buildBeforeSwitch,data:data24};
if(vErrors === null){
vErrors = [err50];
}
else {
vErrors.push(err50);
}
errors++;
}
if(data.build !== undefined){
if(!(validate21(data.build, {instancePath:instancePath+"/build",parentData:data,parentDataProperty:"build",rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate21.errors : vErrors.concat(validate21.errors);
errors = vErrors.length;
}
}
if(data.validationChecks !== undefined){
let data26 = data.validationChecks;
if(Array.isArray(data26)){
const len2 = data26.length;
for(let i2=0; i2<len2; i2++){
if(!(validate21(data26[i2], {instancePath:instancePath+"/validationChecks/" + i2,parentData:data26,parentDataProperty:i2,rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate21.errors : vErrors.concat(validate21.errors);
errors = vErrors.length;
}
}
}
else {
const err51 = {instancePath:instancePath+"/validationChecks",schemaPath:"#/properties/validationChecks/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema31.properties.validationChecks.type,parentSchema:schema31.properties.validationChecks,data:data26};
if(vErrors === null){
vErrors = [err51];
}
else {
vErrors.push(err51);
}
errors++;
}
}
let data28 = data.validationConcurrency;
if(!(((typeof data28 == "number") && (!(data28 % 1) && !isNaN(data28))) && (isFinite(data28)))){
const err52 = {instancePath:instancePath+"/validationConcurrency",schemaPath:"#/properties/validationConcurrency/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema31.properties.validationConcurrency.type,parentSchema:schema31.properties.validationConcurrency,data:data28};
if(vErrors === null){
vErrors = [err52];
}
else {
vErrors.push(err52);
}
errors++;
}
if((typeof data28 == "number") && (isFinite(data28))){
if(data28 > 64 || isNaN(data28)){
const err53 = {instancePath:instancePath+"/validationConcurrency",schemaPath:"#/properties/validationConcurrency/maximum",keyword:"maximum",params:{comparison: "<=", limit: 64},message:"must be <= 64",schema:64,parentSchema:schema31.properties.validationConcurrency,data:data28};
if(vErrors === null){
vErrors = [err53];
}
else {
vErrors.push(err53);
}
errors++;
}
if(data28 < 1 || isNaN(data28)){
const err54 = {instancePath:instancePath+"/validationConcurrency",schemaPath:"#/properties/validationConcurrency/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema31.properties.validationConcurrency,data:data28};
if(vErrors === null){
vErrors = [err54];
}
else {
vErrors.push(err54);
}
errors++;
}
}
let data29 = data.onValidationFailure;
if(!(((data29 === "rollback") || (data29 === "notify")) || (data29 === "ignore"))){
const err55 = {instancePath:instancePath+"/onValidationFailure",schemaPath:"#/properties/onValidationFailure/enum",keyword:"enum",params:{allowedValues: schema31.properties.onValidationFailure.enum},message:"must be equal to one of the allowed values",schema:schema31.properties.onValidationFailure.enum,parentSchema:schema31.properties.onValidationFailure,data:data29};
if(vErrors === null){
vErrors = [err55];
}
else {
vErrors.push(err55);
}
errors++;
}
if(data.switch !== undefined){
if(!(validate21(data.switch, {instancePath:instancePath+"/switch",parentData:data,parentDataProperty:"switch",rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate21.errors : vErrors.concat(validate21.errors);
errors = vErrors.length;
}
}
if(data.healthChecks !== undefined){
let data31 = data.healthChecks;
if(Array.isArray(data31)){
const len3 = data31.length;
for(let i3=0; i3<len3; i3++){
if(!(validate28(data31[i3], {instancePath:instancePath+"/healthChecks/" + i3,parentData:data31,parentDataProperty:i3,rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate28.errors : vErrors.concat(validate28.errors);
errors = vErrors.length;
}
}
}
else {
const err56 = {instancePath:instancePath+"/healthChecks",schemaPath:"#/properties/healthChecks/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema31.properties.healthChecks.type,parentSchema:schema31.properties.healthChecks,data:data31};
if(vErrors === null){
vErrors = [err56];
}
else {
vErrors.push(err56);
}
errors++;
}
}
let data33 = data.inhibited;
if(!((data33 === "boot") || (data33 === "fail"))){
const err57 = {instancePath:instancePath+"/inhibited",schemaPath:"#/properties/inhibited/enum",keyword:"enum",params:{allowedValues: schema31.properties.inhibited.enum},message:"must be equal to one of the allowed values",schema:schema31.properties.inhibited.enum,parentSchema:schema31.properties.inhibited,data:data33};
if(vErrors === null){
vErrors = [err57];
}
else {
vErrors.push(err57);
}
errors++;
}
if(data.rollbackSwitch !== undefined){
if(!(validate21(data.rollbackSwitch, {instancePath:instancePath+"/rollbackSwitch",parentData:data,parentDataProperty:"rollbackSwitch",rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate21.errors : vErrors.concat(validate21.errors);
errors = vErrors.length;
}
}
if(data.notify !== undefined){
let data35 = data.notify;
if(Array.isArray(data35)){
const len4 = data35.length;
for(let i4=0; i4<len4; i4++){
if(!(validate34(data35[i4], {instancePath:instancePath+"/notify/" + i4,parentData:data35,parentDataProperty:i4,rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate34.errors : vErrors.concat(validate34.errors);
errors = vErrors.length;
}
}
}
else {
const err58 = {instancePath:instancePath+"/notify",schemaPath:"#/properties/notify/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema31.properties.notify.type,parentSchema:schema31.properties.notify,data:data35};
if(vErrors === null){
vErrors = [err58];
}
else {
vErrors.push(err58);
}
errors++;
}
}
let data37 = data.gitConcurrency;
if(!(((typeof data37 == "number") && (!(data37 % 1) && !isNaN(data37))) && (isFinite(data37)))){
const err59 = {instancePath:instancePath+"/gitConcurrency",schemaPath:"#/properties/gitConcurrency/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema31.properties.gitConcurrency.type,parentSchema:schema31.properties.gitConcurrency,data:data37};
if(vErrors === null){
vErrors = [err59];
}
else {
vErrors.push(err59);
}
errors++;
}
if((typeof data37 == "number") && (isFinite(data37))){
if(data37 > 64 || isNaN(data37)){
const err60 = {instancePath:instancePath+"/gitConcurrency",schemaPath:"#/properties/gitConcurrency/maximum",keyword:"maximum",params:{comparison: "<=", limit: 64},message:"must be <= 64",schema:64,parentSchema:schema31.properties.gitConcurrency,data:data37};
if(vErrors === null){
vErrors = [err60];
}
else {
vErrors.push(err60);
}
errors++;
}
if(data37 < 1 || isNaN(data37)){
const err61 = {instancePath:instancePath+"/gitConcurrency",schemaPath:"#/properties/gitConcurrency/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema31.properties.gitConcurrency,data:data37};
if(vErrors === null){
vErrors = [err61];
}
else {
vErrors.push(err61);
}
errors++;
}
}
let data38 = data.keepRuns;
if(!(((typeof data38 == "number") && (!(data38 % 1) && !isNaN(data38))) && (isFinite(data38)))){
const err62 = {instancePath:instancePath+"/keepRuns",schemaPath:"#/properties/keepRuns/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema31.properties.keepRuns.type,parentSchema:schema31.properties.keepRuns,data:data38};
if(vErrors === null){
vErrors = [err62];
}
else {
vErrors.push(err62);
}
errors++;
}
if((typeof data38 == "number") && (isFinite(data38))){
if(data38 > 10000 || isNaN(data38)){
const err63 = {instancePath:instancePath+"/keepRuns",schemaPath:"#/properties/keepRuns/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10000},message:"must be <= 10000",schema:10000,parentSchema:schema31.properties.keepRuns,data:data38};
if(vErrors === null){
vErrors = [err63];
}
else {
vErrors.push(err63);
}
errors++;
}
if(data38 < 1 || isNaN(data38)){
const err64 = {instancePath:instancePath+"/keepRuns",schemaPath:"#/properties/keepRuns/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema31.properties.keepRuns,data:data38};
if(vErrors === null){
vErrors = [err64];
}
else {
vErrors.push(err64);
}
errors++;
}
}
if(data.metricsFile !== undefined){
let data39 = data.metricsFile;
if(typeof data39 === "string"){
if(func2(data39) < 1){
const err65 = {instancePath:instancePath+"/metricsFile",schemaPath:"#/properties/metricsFile/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema31.properties.metricsFile,data:data39};
if(vErrors === null){
vErrors = [err65];
}
else {
vErrors.push(err65);
}
errors++;
}
}
else {
const err66 = {instancePath:instancePath+"/metricsFile",schemaPath:"#/properties/metricsFile/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.metricsFile.type,parentSchema:schema31.properties.metricsFile,data:data39};
if(vErrors === null){
vErrors = [err66];
}
else {
vErrors.push(err66);
}
errors++;
}
}
if(data.system !== undefined){
let data40 = data.system;
if(data40 && typeof data40 == "object" && !Array.isArray(data40)){
if(data40.profile === undefined){
const err67 = {instancePath:instancePath+"/system",schemaPath:"#/properties/system/required",keyword:"required",params:{missingProperty: "profile"},message:"must have required property '"+"profile"+"'",schema:schema31.properties.system.required,parentSchema:schema31.properties.system,data:data40};
if(vErrors === null){
vErrors = [err67];
}
else {
vErrors.push(err67);
}
errors++;
}
for(const key2 in data40){
if(!((key2 === "profile") || (key2 === "closure"))){
const err68 = {instancePath:instancePath+"/system",schemaPath:"#/properties/system/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties",schema:false,parentSchema:schema31.properties.system,data:data40};
if(vErrors === null){
vErrors = [err68];
}
else {
vErrors.push(err68);
}
errors++;
}
}
if(data40.profile !== undefined){
let data41 = data40.profile;
if(typeof data41 === "string"){
if(!pattern19.test(data41)){
const err69 = {instancePath:instancePath+"/system/profile",schemaPath:"#/properties/system/properties/profile/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\"",schema:"^/",parentSchema:schema31.properties.system.properties.profile,data:data41};
if(vErrors === null){
vErrors = [err69];
}
else {
vErrors.push(err69);
}
errors++;
}
}
else {
const err70 = {instancePath:instancePath+"/system/profile",schemaPath:"#/properties/system/properties/profile/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.system.properties.profile.type,parentSchema:schema31.properties.system.properties.profile,data:data41};
if(vErrors === null){
vErrors = [err70];
}
else {
vErrors.push(err70);
}
errors++;
}
}
if(data40.closure !== undefined){
let data42 = data40.closure;
if(data42 && typeof data42 == "object" && !Array.isArray(data42)){
if(data42.fallback === undefined){
data42.fallback = "wait";
}
if(data42.keepFree === undefined){
data42.keepFree = "1GiB";
}
if(data42.prefetch === undefined){
data42.prefetch = true;
}
if(data42.timeout === undefined){
data42.timeout = "1h";
}
if(data42.substituters === undefined){
const err71 = {instancePath:instancePath+"/system/closure",schemaPath:"#/properties/system/properties/closure/required",keyword:"required",params:{missingProperty: "substituters"},message:"must have required property '"+"substituters"+"'",schema:schema31.properties.system.properties.closure.required,parentSchema:schema31.properties.system.properties.closure,data:data42};
if(vErrors === null){
vErrors = [err71];
}
else {
vErrors.push(err71);
}
errors++;
}
if(data42.publicKeys === undefined){
const err72 = {instancePath:instancePath+"/system/closure",schemaPath:"#/properties/system/properties/closure/required",keyword:"required",params:{missingProperty: "publicKeys"},message:"must have required property '"+"publicKeys"+"'",schema:schema31.properties.system.properties.closure.required,parentSchema:schema31.properties.system.properties.closure,data:data42};
if(vErrors === null){
vErrors = [err72];
}
else {
vErrors.push(err72);
}
errors++;
}
for(const key3 in data42){
if(!(func1.call(schema31.properties.system.properties.closure.properties, key3))){
const err73 = {instancePath:instancePath+"/system/closure",schemaPath:"#/properties/system/properties/closure/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key3},message:"must NOT have additional properties",schema:false,parentSchema:schema31.properties.system.properties.closure,data:data42};
if(vErrors === null){
vErrors = [err73];
}
else {
vErrors.push(err73);
}
errors++;
}
}
if(data42.command !== undefined){
if(!(validate21(data42.command, {instancePath:instancePath+"/system/closure/command",parentData:data42,parentDataProperty:"command",rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate21.errors : vErrors.concat(validate21.errors);
errors = vErrors.length;
}
}
if(data42.url !== undefined){
let data44 = data42.url;
if(typeof data44 === "string"){
if(!pattern20.test(data44)){
const err74 = {instancePath:instancePath+"/system/closure/url",schemaPath:"#/properties/system/properties/closure/properties/url/pattern",keyword:"pattern",params:{pattern: "^https?://"},message:"must match pattern \""+"^https?://"+"\"",schema:"^https?://",parentSchema:schema31.properties.system.properties.closure.properties.url,data:data44};
if(vErrors === null){
vErrors = [err74];
}
else {
vErrors.push(err74);
}
errors++;
}
}
else {
const err75 = {instancePath:instancePath+"/system/closure/url",schemaPath:"#/properties/system/properties/closure/properties/url/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.system.properties.closure.properties.url.type,parentSchema:schema31.properties.system.properties.closure.properties.url,data:data44};
if(vErrors === null){
vErrors = [err75];
}
else {
vErrors.push(err75);
}
errors++;
}
}
if(data42.substituters !== undefined){
let data45 = data42.substituters;
if(Array.isArray(data45)){
if(data45.length < 1){
const err76 = {instancePath:instancePath+"/system/closure/substituters",schemaPath:"#/properties/system/properties/closure/properties/substituters/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema31.properties.system.properties.closure.properties.substituters,data:data45};
if(vErrors === null){
vErrors = [err76];
}
else {
vErrors.push(err76);
}
errors++;
}
const len5 = data45.length;
for(let i5=0; i5<len5; i5++){
let data46 = data45[i5];
if(typeof data46 === "string"){
if(!pattern21.test(data46)){
const err77 = {instancePath:instancePath+"/system/closure/substituters/" + i5,schemaPath:"#/properties/system/properties/closure/properties/substituters/items/pattern",keyword:"pattern",params:{pattern: "^(https?|file|s3|ssh|ssh-ng)://"},message:"must match pattern \""+"^(https?|file|s3|ssh|ssh-ng)://"+"\"",schema:"^(https?|file|s3|ssh|ssh-ng)://",parentSchema:schema31.properties.system.properties.closure.properties.substituters.items,data:data46};
if(vErrors === null){
vErrors = [err77];
}
else {
vErrors.push(err77);
}
errors++;
}
}
else {
const err78 = {instancePath:instancePath+"/system/closure/substituters/" + i5,schemaPath:"#/properties/system/properties/closure/properties/substituters/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.system.properties.closure.properties.substituters.items.type,parentSchema:schema31.properties.system.properties.closure.properties.substituters.items,data:data46};
if(vErrors === null){
vErrors = [err78];
}
else {
vErrors.push(err78);
}
errors++;
}
}
}
else {
const err79 = {instancePath:instancePath+"/system/closure/substituters",schemaPath:"#/properties/system/properties/closure/properties/substituters/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema31.properties.system.properties.closure.properties.substituters.type,parentSchema:schema31.properties.system.properties.closure.properties.substituters,data:data45};
if(vErrors === null){
vErrors = [err79];
}
else {
vErrors.push(err79);
}
errors++;
}
}
if(data42.publicKeys !== undefined){
let data47 = data42.publicKeys;
if(Array.isArray(data47)){
if(data47.length < 1){
const err80 = {instancePath:instancePath+"/system/closure/publicKeys",schemaPath:"#/properties/system/properties/closure/properties/publicKeys/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema31.properties.system.properties.closure.properties.publicKeys,data:data47};
if(vErrors === null){
vErrors = [err80];
}
else {
vErrors.push(err80);
}
errors++;
}
const len6 = data47.length;
for(let i6=0; i6<len6; i6++){
let data48 = data47[i6];
if(typeof data48 === "string"){
if(!pattern22.test(data48)){
const err81 = {instancePath:instancePath+"/system/closure/publicKeys/" + i6,schemaPath:"#/properties/system/properties/closure/properties/publicKeys/items/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9._-]+:[A-Za-z0-9+/]{43}=$"},message:"must match pattern \""+"^[A-Za-z0-9._-]+:[A-Za-z0-9+/]{43}=$"+"\"",schema:"^[A-Za-z0-9._-]+:[A-Za-z0-9+/]{43}=$",parentSchema:schema31.properties.system.properties.closure.properties.publicKeys.items,data:data48};
if(vErrors === null){
vErrors = [err81];
}
else {
vErrors.push(err81);
}
errors++;
}
}
else {
const err82 = {instancePath:instancePath+"/system/closure/publicKeys/" + i6,schemaPath:"#/properties/system/properties/closure/properties/publicKeys/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.system.properties.closure.properties.publicKeys.items.type,parentSchema:schema31.properties.system.properties.closure.properties.publicKeys.items,data:data48};
if(vErrors === null){
vErrors = [err82];
}
else {
vErrors.push(err82);
}
errors++;
}
}
}
else {
const err83 = {instancePath:instancePath+"/system/closure/publicKeys",schemaPath:"#/properties/system/properties/closure/properties/publicKeys/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema31.properties.system.properties.closure.properties.publicKeys.type,parentSchema:schema31.properties.system.properties.closure.properties.publicKeys,data:data47};
if(vErrors === null){
vErrors = [err83];
}
else {
vErrors.push(err83);
}
errors++;
}
}
let data49 = data42.fallback;
if(!(((data49 === "wait") || (data49 === "build")) || (data49 === "fail"))){
const err84 = {instancePath:instancePath+"/system/closure/fallback",schemaPath:"#/properties/system/properties/closure/properties/fallback/enum",keyword:"enum",params:{allowedValues: schema31.properties.system.properties.closure.properties.fallback.enum},message:"must be equal to one of the allowed values",schema:schema31.properties.system.properties.closure.properties.fallback.enum,parentSchema:schema31.properties.system.properties.closure.properties.fallback,data:data49};
if(vErrors === null){
vErrors = [err84];
}
else {
vErrors.push(err84);
}
errors++;
}
let data50 = data42.keepFree;
if(typeof data50 === "string"){
if(!pattern23.test(data50)){
const err85 = {instancePath:instancePath+"/system/closure/keepFree",schemaPath:"#/properties/system/properties/closure/properties/keepFree/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(\\.[0-9]+)? *([KMGT]i?B?|B)?$"},message:"must match pattern \""+"^[0-9]+(\\.[0-9]+)? *([KMGT]i?B?|B)?$"+"\"",schema:"^[0-9]+(\\.[0-9]+)? *([KMGT]i?B?|B)?$",parentSchema:schema31.properties.system.properties.closure.properties.keepFree,data:data50};
if(vErrors === null){
vErrors = [err85];
}
else {
vErrors.push(err85);
}
errors++;
}
}
else {
const err86 = {instancePath:instancePath+"/system/closure/keepFree",schemaPath:"#/properties/system/properties/closure/properties/keepFree/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.system.properties.closure.properties.keepFree.type,parentSchema:schema31.properties.system.properties.closure.properties.keepFree,data:data50};
if(vErrors === null){
vErrors = [err86];
}
else {
vErrors.push(err86);
}
errors++;
}
if(data42.gcCommand !== undefined){
if(!(validate21(data42.gcCommand, {instancePath:instancePath+"/system/closure/gcCommand",parentData:data42,parentDataProperty:"gcCommand",rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate21.errors : vErrors.concat(validate21.errors);
errors = vErrors.length;
}
}
let data52 = data42.prefetch;
if(typeof data52 !== "boolean"){
const err87 = {instancePath:instancePath+"/system/closure/prefetch",schemaPath:"#/properties/system/properties/closure/properties/prefetch/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema31.properties.system.properties.closure.properties.prefetch.type,parentSchema:schema31.properties.system.properties.closure.properties.prefetch,data:data52};
if(vErrors === null){
vErrors = [err87];
}
else {
vErrors.push(err87);
}
errors++;
}
let data53 = data42.timeout;
if(typeof data53 === "string"){
if(!pattern4.test(data53)){
const err88 = {instancePath:instancePath+"/system/closure/timeout",schemaPath:"#/$defs/Duration/pattern",keyword:"pattern",params:{pattern: "^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"},message:"must match pattern \""+"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"+"\"",schema:"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$",parentSchema:schema32,data:data53};
if(vErrors === null){
vErrors = [err88];
}
else {
vErrors.push(err88);
}
errors++;
}
}
else {
const err89 = {instancePath:instancePath+"/system/closure/timeout",schemaPath:"#/$defs/Duration/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.type,parentSchema:schema32,data:data53};
if(vErrors === null){
vErrors = [err89];
}
else {
vErrors.push(err89);
}
errors++;
}
}
else {
const err90 = {instancePath:instancePath+"/system/closure",schemaPath:"#/properties/system/properties/closure/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.system.properties.closure.type,parentSchema:schema31.properties.system.properties.closure,data:data42};
if(vErrors === null){
vErrors = [err90];
}
else {
vErrors.push(err90);
}
errors++;
}
}
}
else {
const err91 = {instancePath:instancePath+"/system",schemaPath:"#/properties/system/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.system.type,parentSchema:schema31.properties.system,data:data40};
if(vErrors === null){
vErrors = [err91];
}
else {
vErrors.push(err91);
}
errors++;
}
}
if(data.reboot !== undefined){
let data54 = data.reboot;
if(data54 && typeof data54 == "object" && !Array.isArray(data54)){
if(data54.when === undefined){
data54.when = "never";
}
if(data54.bootedSystem === undefined){
data54.bootedSystem = "/run/booted-system";
}
for(const key4 in data54){
if(!((((key4 === "when") || (key4 === "window")) || (key4 === "command")) || (key4 === "bootedSystem"))){
const err92 = {instancePath:instancePath+"/reboot",schemaPath:"#/properties/reboot/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key4},message:"must NOT have additional properties",schema:false,parentSchema:schema31.properties.reboot,data:data54};
if(vErrors === null){
vErrors = [err92];
}
else {
vErrors.push(err92);
}
errors++;
}
}
let data55 = data54.when;
if(!(((data55 === "never") || (data55 === "needed")) || (data55 === "always"))){
const err93 = {instancePath:instancePath+"/reboot/when",schemaPath:"#/properties/reboot/properties/when/enum",keyword:"enum",params:{allowedValues: schema31.properties.reboot.properties.when.enum},message:"must be equal to one of the allowed values",schema:schema31.properties.reboot.properties.when.enum,parentSchema:schema31.properties.reboot.properties.when,data:data55};
if(vErrors === null){
vErrors = [err93];
}
else {
vErrors.push(err93);
}
errors++;
}
if(data54.window !== undefined){
let data56 = data54.window;
if(data56 && typeof data56 == "object" && !Array.isArray(data56)){
if(data56.lower === undefined){
const err94 = {instancePath:instancePath+"/reboot/window",schemaPath:"#/properties/reboot/properties/window/required",keyword:"required",params:{missingProperty: "lower"},message:"must have required property '"+"lower"+"'",schema:schema31.properties.reboot.properties.window.required,parentSchema:schema31.properties.reboot.properties.window,data:data56};
if(vErrors === null){
vErrors = [err94];
}
else {
vErrors.push(err94);
}
errors++;
}
if(data56.upper === undefined){
const err95 = {instancePath:instancePath+"/reboot/window",schemaPath:"#/properties/reboot/properties/window/required",keyword:"required",params:{missingProperty: "upper"},message:"must have required property '"+"upper"+"'",schema:schema31.properties.reboot.properties.window.required,parentSchema:schema31.properties.reboot.properties.window,data:data56};
if(vErrors === null){
vErrors = [err95];
}
else {
vErrors.push(err95);
}
errors++;
}
for(const key5 in data56){
if(!((key5 === "lower") || (key5 === "upper"))){
const err96 = {instancePath:instancePath+"/reboot/window",schemaPath:"#/properties/reboot/properties/window/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key5},message:"must NOT have additional properties",schema:false,parentSchema:schema31.properties.reboot.properties.window,data:data56};
if(vErrors === null){
vErrors = [err96];
}
else {
vErrors.push(err96);
}
errors++;
}
}
if(data56.lower !== undefined){
let data57 = data56.lower;
if(typeof data57 === "string"){
if(!pattern25.test(data57)){
const err97 = {instancePath:instancePath+"/reboot/window/lower",schemaPath:"#/$defs/TimeOfDay/pattern",keyword:"pattern",params:{pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$"},message:"must match pattern \""+"^([01][0-9]|2[0-3]):[0-5][0-9]$"+"\"",schema:"^([01][0-9]|2[0-3]):[0-5][0-9]$",parentSchema:schema51,data:data57};
if(vErrors === null){
vErrors = [err97];
}
else {
vErrors.push(err97);
}
errors++;
}
}
else {
const err98 = {instancePath:instancePath+"/reboot/window/lower",schemaPath:"#/$defs/TimeOfDay/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema51.type,parentSchema:schema51,data:data57};
if(vErrors === null){
vErrors = [err98];
}
else {
vErrors.push(err98);
}
errors++;
}
}
if(data56.upper !== undefined){
let data58 = data56.upper;
if(typeof data58 === "string"){
if(!pattern25.test(data58)){
const err99 = {instancePath:instancePath+"/reboot/window/upper",schemaPath:"#/$defs/TimeOfDay/pattern",keyword:"pattern",params:{pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$"},message:"must match pattern \""+"^([01][0-9]|2[0-3]):[0-5][0-9]$"+"\"",schema:"^([01][0-9]|2[0-3]):[0-5][0-9]$",parentSchema:schema51,data:data58};
if(vErrors === null){
vErrors = [err99];
}
else {
vErrors.push(err99);
}
errors++;
}
}
else {
const err100 = {instancePath:instancePath+"/reboot/window/upper",schemaPath:"#/$defs/TimeOfDay/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema51.type,parentSchema:schema51,data:data58};
if(vErrors === null){
vErrors = [err100];
}
else {
vErrors.push(err100);
}
errors++;
}
}
}
else {
const err101 = {instancePath:instancePath+"/reboot/window",schemaPath:"#/properties/reboot/properties/window/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.reboot.properties.window.type,parentSchema:schema31.properties.reboot.properties.window,data:data56};
if(vErrors === null){
vErrors = [err101];
}
else {
vErrors.push(err101);
}
errors++;
}
}
if(data54.command !== undefined){
if(!(validate21(data54.command, {instancePath:instancePath+"/reboot/command",parentData:data54,parentDataProperty:"command",rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate21.errors : vErrors.concat(validate21.errors);
errors = vErrors.length;
}
}
let data60 = data54.bootedSystem;
if(typeof data60 === "string"){
if(!pattern19.test(data60)){
const err102 = {instancePath:instancePath+"/reboot/bootedSystem",schemaPath:"#/properties/reboot/properties/bootedSystem/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\"",schema:"^/",parentSchema:schema31.properties.reboot.properties.bootedSystem,data:data60};
if(vErrors === null){
vErrors = [err102];
}
else {
vErrors.push(err102);
}
errors++;
}
}
else {
const err103 = {instancePath:instancePath+"/reboot/bootedSystem",schemaPath:"#/properties/reboot/properties/bootedSystem/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.reboot.properties.bootedSystem.type,parentSchema:schema31.properties.reboot.properties.bootedSystem,data:data60};
if(vErrors === null){
vErrors = [err103];
}
else {
vErrors.push(err103);
}
errors++;
}
}
else {
const err104 = {instancePath:instancePath+"/reboot",schemaPath:"#/properties/reboot/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.reboot.type,parentSchema:schema31.properties.reboot,data:data54};
if(vErrors === null){
vErrors = [err104];
}
else {
vErrors.push(err104);
}
errors++;
}
}
if(data.bootChecks !== undefined){
let data61 = data.bootChecks;
if(Array.isArray(data61)){
const len7 = data61.length;
for(let i7=0; i7<len7; i7++){
if(!(validate28(data61[i7], {instancePath:instancePath+"/bootChecks/" + i7,parentData:data61,parentDataProperty:i7,rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate28.errors : vErrors.concat(validate28.errors);
errors = vErrors.length;
}
}
}
else {
const err105 = {instancePath:instancePath+"/bootChecks",schemaPath:"#/properties/bootChecks/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema31.properties.bootChecks.type,parentSchema:schema31.properties.bootChecks,data:data61};
if(vErrors === null){
vErrors = [err105];
}
else {
vErrors.push(err105);
}
errors++;
}
}
if(data.window !== undefined){
let data63 = data.window;
const _errs134 = errors;
let valid37 = false;
const _errs135 = errors;
if(!(validate43(data63, {instancePath:instancePath+"/window",parentData:data,parentDataProperty:"window",rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate43.errors : vErrors.concat(validate43.errors);
errors = vErrors.length;
}
var _valid3 = _errs135 === errors;
valid37 = valid37 || _valid3;
const _errs136 = errors;
if(Array.isArray(data63)){
if(data63.length < 1){
const err106 = {instancePath:instancePath+"/window",schemaPath:"#/properties/window/anyOf/1/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema31.properties.window.anyOf[1],data:data63};
if(vErrors === null){
vErrors = [err106];
}
else {
vErrors.push(err106);
}
errors++;
}
const len8 = data63.length;
for(let i8=0; i8<len8; i8++){
if(!(validate43(data63[i8], {instancePath:instancePath+"/window/" + i8,parentData:data63,parentDataProperty:i8,rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate43.errors : vErrors.concat(validate43.errors);
errors = vErrors.length;
}
}
}
else {
const err107 = {instancePath:instancePath+"/window",schemaPath:"#/properties/window/anyOf/1/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema31.properties.window.anyOf[1].type,parentSchema:schema31.properties.window.anyOf[1],data:data63};
if(vErrors === null){
vErrors = [err107];
}
else {
vErrors.push(err107);
}
errors++;
}
var _valid3 = _errs136 === errors;
valid37 = valid37 || _valid3;
if(!valid37){
const err108 = {instancePath:instancePath+"/window",schemaPath:"#/properties/window/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema31.properties.window.anyOf,parentSchema:schema31.properties.window,data:data63};
if(vErrors === null){
vErrors = [err108];
}
else {
vErrors.push(err108);
}
errors++;
}
else {
errors = _errs134;
if(vErrors !== null){
if(_errs134){
vErrors.length = _errs134;
}
else {
vErrors = null;
}
}
}
}
if(data.conditions !== undefined){
let data65 = data.conditions;
if(data65 && typeof data65 == "object" && !Array.isArray(data65)){
if(data65.acPower === undefined){
data65.acPower = false;
}
if(data65.unmetered === undefined){
data65.unmetered = false;
}
if(data65.sysfsRoot === undefined){
data65.sysfsRoot = "/sys";
}
for(const key6 in data65){
if(!(((key6 === "acPower") || (key6 === "unmetered")) || (key6 === "sysfsRoot"))){
const err109 = {instancePath:instancePath+"/conditions",schemaPath:"#/properties/conditions/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key6},message:"must NOT have additional properties",schema:false,parentSchema:schema31.properties.conditions,data:data65};
if(vErrors === null){
vErrors = [err109];
}
else {
vErrors.push(err109);
}
errors++;
}
}
let data66 = data65.acPower;
if(typeof data66 !== "boolean"){
const err110 = {instancePath:instancePath+"/conditions/acPower",schemaPath:"#/properties/conditions/properties/acPower/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema31.properties.conditions.properties.acPower.type,parentSchema:schema31.properties.conditions.properties.acPower,data:data66};
if(vErrors === null){
vErrors = [err110];
}
else {
vErrors.push(err110);
}
errors++;
}
let data67 = data65.unmetered;
if(typeof data67 !== "boolean"){
const err111 = {instancePath:instancePath+"/conditions/unmetered",schemaPath:"#/properties/conditions/properties/unmetered/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema31.properties.conditions.properties.unmetered.type,parentSchema:schema31.properties.conditions.properties.unmetered,data:data67};
if(vErrors === null){
vErrors = [err111];
}
else {
vErrors.push(err111);
}
errors++;
}
let data68 = data65.sysfsRoot;
if(typeof data68 === "string"){
if(!pattern19.test(data68)){
const err112 = {instancePath:instancePath+"/conditions/sysfsRoot",schemaPath:"#/properties/conditions/properties/sysfsRoot/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\"",schema:"^/",parentSchema:schema31.properties.conditions.properties.sysfsRoot,data:data68};
if(vErrors === null){
vErrors = [err112];
}
else {
vErrors.push(err112);
}
errors++;
}
}
else {
const err113 = {instancePath:instancePath+"/conditions/sysfsRoot",schemaPath:"#/properties/conditions/properties/sysfsRoot/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.conditions.properties.sysfsRoot.type,parentSchema:schema31.properties.conditions.properties.sysfsRoot,data:data68};
if(vErrors === null){
vErrors = [err113];
}
else {
vErrors.push(err113);
}
errors++;
}
}
else {
const err114 = {instancePath:instancePath+"/conditions",schemaPath:"#/properties/conditions/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.conditions.type,parentSchema:schema31.properties.conditions,data:data65};
if(vErrors === null){
vErrors = [err114];
}
else {
vErrors.push(err114);
}
errors++;
}
}
if(data.fleet !== undefined){
let data69 = data.fleet;
const _errs150 = errors;
let valid41 = false;
let passing0 = null;
const _errs151 = errors;
if(data69 && typeof data69 == "object" && !Array.isArray(data69)){
if(data69.etcd === undefined){
const err115 = {instancePath:instancePath+"/fleet",schemaPath:"#/properties/fleet/oneOf/0/required",keyword:"required",params:{missingProperty: "etcd"},message:"must have required property '"+"etcd"+"'",schema:schema31.properties.fleet.oneOf[0].required,parentSchema:schema31.properties.fleet.oneOf[0],data:data69};
if(vErrors === null){
vErrors = [err115];
}
else {
vErrors.push(err115);
}
errors++;
}
}
var _valid4 = _errs151 === errors;
if(_valid4){
valid41 = true;
passing0 = 0;
}
const _errs152 = errors;
if(data69 && typeof data69 == "object" && !Array.isArray(data69)){
if(data69.fleetLock === undefined){
const err116 = {instancePath:instancePath+"/fleet",schemaPath:"#/properties/fleet/oneOf/1/required",keyword:"required",params:{missingProperty: "fleetLock"},message:"must have required property '"+"fleetLock"+"'",schema:schema31.properties.fleet.oneOf[1].required,parentSchema:schema31.properties.fleet.oneOf[1],data:data69};
if(vErrors === null){
vErrors = [err116];
}
else {
vErrors.push(err116);
}
errors++;
}
}
var _valid4 = _errs152 === errors;
if(_valid4 && valid41){
valid41 = false;
passing0 = [passing0, 1];
}
else {
if(_valid4){
valid41 = true;
passing0 = 1;
}
}
if(!valid41){
const err117 = {instancePath:instancePath+"/fleet",schemaPath:"#/properties/fleet/oneOf",keyword:"oneOf",params:{passingSchemas: passing0},message:"must match exactly one schema in oneOf",schema:schema31.properties.fleet.oneOf,parentSchema:schema31.properties.fleet,data:data69};
if(vErrors === null){
vErrors = [err117];
}
else {
vErrors.push(err117);
}
errors++;
}
else {
errors = _errs150;
if(vErrors !== null){
if(_errs150){
vErrors.length = _errs150;
}
else {
vErrors = null;
}
}
}
if(data69 && typeof data69 == "object" && !Array.isArray(data69)){
if(data69.group === undefined){
data69.group = "default";
}
if(data69.slotTimeout === undefined){
data69.slotTimeout = "30m";
}
if(data69.onFailure === undefined){
data69.onFailure = "hold";
}
if(data69.keepProofs === undefined){
data69.keepProofs = "30d";
}
if(data69.requireReport === undefined){
data69.requireReport = true;
}
for(const key7 in data69){
if(!(func1.call(schema31.properties.fleet.properties, key7))){
const err118 = {instancePath:instancePath+"/fleet",schemaPath:"#/properties/fleet/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key7},message:"must NOT have additional properties",schema:false,parentSchema:schema31.properties.fleet,data:data69};
if(vErrors === null){
vErrors = [err118];
}
else {
vErrors.push(err118);
}
errors++;
}
}
let data70 = data69.group;
if(typeof data70 === "string"){
if(func2(data70) > 100){
const err119 = {instancePath:instancePath+"/fleet/group",schemaPath:"#/properties/fleet/properties/group/maxLength",keyword:"maxLength",params:{limit: 100},message:"must NOT have more than 100 characters",schema:100,parentSchema:schema31.properties.fleet.properties.group,data:data70};
if(vErrors === null){
vErrors = [err119];
}
else {
vErrors.push(err119);
}
errors++;
}
if(!pattern31.test(data70)){
const err120 = {instancePath:instancePath+"/fleet/group",schemaPath:"#/properties/fleet/properties/group/pattern",keyword:"pattern",params:{pattern: "^[a-zA-Z0-9.-]+$"},message:"must match pattern \""+"^[a-zA-Z0-9.-]+$"+"\"",schema:"^[a-zA-Z0-9.-]+$",parentSchema:schema31.properties.fleet.properties.group,data:data70};
if(vErrors === null){
vErrors = [err120];
}
else {
vErrors.push(err120);
}
errors++;
}
}
else {
const err121 = {instancePath:instancePath+"/fleet/group",schemaPath:"#/properties/fleet/properties/group/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.fleet.properties.group.type,parentSchema:schema31.properties.fleet.properties.group,data:data70};
if(vErrors === null){
vErrors = [err121];
}
else {
vErrors.push(err121);
}
errors++;
}
if(data69.id !== undefined){
let data71 = data69.id;
if(typeof data71 === "string"){
if(func2(data71) > 200){
const err122 = {instancePath:instancePath+"/fleet/id",schemaPath:"#/properties/fleet/properties/id/maxLength",keyword:"maxLength",params:{limit: 200},message:"must NOT have more than 200 characters",schema:200,parentSchema:schema31.properties.fleet.properties.id,data:data71};
if(vErrors === null){
vErrors = [err122];
}
else {
vErrors.push(err122);
}
errors++;
}
if(!pattern32.test(data71)){
const err123 = {instancePath:instancePath+"/fleet/id",schemaPath:"#/properties/fleet/properties/id/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9._:-]*$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9._:-]*$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9._:-]*$",parentSchema:schema31.properties.fleet.properties.id,data:data71};
if(vErrors === null){
vErrors = [err123];
}
else {
vErrors.push(err123);
}
errors++;
}
}
else {
const err124 = {instancePath:instancePath+"/fleet/id",schemaPath:"#/properties/fleet/properties/id/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.fleet.properties.id.type,parentSchema:schema31.properties.fleet.properties.id,data:data71};
if(vErrors === null){
vErrors = [err124];
}
else {
vErrors.push(err124);
}
errors++;
}
}
let data72 = data69.slotTimeout;
if(typeof data72 === "string"){
if(!pattern4.test(data72)){
const err125 = {instancePath:instancePath+"/fleet/slotTimeout",schemaPath:"#/$defs/Duration/pattern",keyword:"pattern",params:{pattern: "^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"},message:"must match pattern \""+"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"+"\"",schema:"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$",parentSchema:schema32,data:data72};
if(vErrors === null){
vErrors = [err125];
}
else {
vErrors.push(err125);
}
errors++;
}
}
else {
const err126 = {instancePath:instancePath+"/fleet/slotTimeout",schemaPath:"#/$defs/Duration/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.type,parentSchema:schema32,data:data72};
if(vErrors === null){
vErrors = [err126];
}
else {
vErrors.push(err126);
}
errors++;
}
let data73 = data69.onFailure;
if(!((data73 === "hold") || (data73 === "release"))){
const err127 = {instancePath:instancePath+"/fleet/onFailure",schemaPath:"#/properties/fleet/properties/onFailure/enum",keyword:"enum",params:{allowedValues: schema31.properties.fleet.properties.onFailure.enum},message:"must be equal to one of the allowed values",schema:schema31.properties.fleet.properties.onFailure.enum,parentSchema:schema31.properties.fleet.properties.onFailure,data:data73};
if(vErrors === null){
vErrors = [err127];
}
else {
vErrors.push(err127);
}
errors++;
}
if(data69.follow !== undefined){
let data74 = data69.follow;
if(data74 && typeof data74 == "object" && !Array.isArray(data74)){
if(data74.hosts === undefined){
data74.hosts = 1;
}
if(data74.soak === undefined){
data74.soak = "2h";
}
if(data74.group === undefined){
const err128 = {instancePath:instancePath+"/fleet/follow",schemaPath:"#/properties/fleet/properties/follow/required",keyword:"required",params:{missingProperty: "group"},message:"must have required property '"+"group"+"'",schema:schema31.properties.fleet.properties.follow.required,parentSchema:schema31.properties.fleet.properties.follow,data:data74};
if(vErrors === null){
vErrors = [err128];
}
else {
vErrors.push(err128);
}
errors++;
}
for(const key8 in data74){
if(!(((((key8 === "group") || (key8 === "hosts")) || (key8 === "soak")) || (key8 === "waves")) || (key8 === "gates"))){
const err129 = {instancePath:instancePath+"/fleet/follow",schemaPath:"#/properties/fleet/properties/follow/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key8},message:"must NOT have additional properties",schema:false,parentSchema:schema31.properties.fleet.properties.follow,data:data74};
if(vErrors === null){
vErrors = [err129];
}
else {
vErrors.push(err129);
}
errors++;
}
}
if(data74.group !== undefined){
let data75 = data74.group;
if(typeof data75 === "string"){
if(func2(data75) > 100){
const err130 = {instancePath:instancePath+"/fleet/follow/group",schemaPath:"#/properties/fleet/properties/follow/properties/group/maxLength",keyword:"maxLength",params:{limit: 100},message:"must NOT have more than 100 characters",schema:100,parentSchema:schema31.properties.fleet.properties.follow.properties.group,data:data75};
if(vErrors === null){
vErrors = [err130];
}
else {
vErrors.push(err130);
}
errors++;
}
if(!pattern31.test(data75)){
const err131 = {instancePath:instancePath+"/fleet/follow/group",schemaPath:"#/properties/fleet/properties/follow/properties/group/pattern",keyword:"pattern",params:{pattern: "^[a-zA-Z0-9.-]+$"},message:"must match pattern \""+"^[a-zA-Z0-9.-]+$"+"\"",schema:"^[a-zA-Z0-9.-]+$",parentSchema:schema31.properties.fleet.properties.follow.properties.group,data:data75};
if(vErrors === null){
vErrors = [err131];
}
else {
vErrors.push(err131);
}
errors++;
}
}
else {
const err132 = {instancePath:instancePath+"/fleet/follow/group",schemaPath:"#/properties/fleet/properties/follow/properties/group/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.fleet.properties.follow.properties.group.type,parentSchema:schema31.properties.fleet.properties.follow.properties.group,data:data75};
if(vErrors === null){
vErrors = [err132];
}
else {
vErrors.push(err132);
}
errors++;
}
}
let data76 = data74.hosts;
if(!(((typeof data76 == "number") && (!(data76 % 1) && !isNaN(data76))) && (isFinite(data76)))){
const err133 = {instancePath:instancePath+"/fleet/follow/hosts",schemaPath:"#/properties/fleet/properties/follow/properties/hosts/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema31.properties.fleet.properties.follow.properties.hosts.type,parentSchema:schema31.properties.fleet.properties.follow.properties.hosts,data:data76};
if(vErrors === null){
vErrors = [err133];
}
else {
vErrors.push(err133);
}
errors++;
}
if((typeof data76 == "number") && (isFinite(data76))){
if(data76 > 10000 || isNaN(data76)){
const err134 = {instancePath:instancePath+"/fleet/follow/hosts",schemaPath:"#/properties/fleet/properties/follow/properties/hosts/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10000},message:"must be <= 10000",schema:10000,parentSchema:schema31.properties.fleet.properties.follow.properties.hosts,data:data76};
if(vErrors === null){
vErrors = [err134];
}
else {
vErrors.push(err134);
}
errors++;
}
if(data76 < 1 || isNaN(data76)){
const err135 = {instancePath:instancePath+"/fleet/follow/hosts",schemaPath:"#/properties/fleet/properties/follow/properties/hosts/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema31.properties.fleet.properties.follow.properties.hosts,data:data76};
if(vErrors === null){
vErrors = [err135];
}
else {
vErrors.push(err135);
}
errors++;
}
}
let data77 = data74.soak;
if(typeof data77 === "string"){
if(!pattern4.test(data77)){
const err136 = {instancePath:instancePath+"/fleet/follow/soak",schemaPath:"#/$defs/Duration/pattern",keyword:"pattern",params:{pattern: "^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"},message:"must match pattern \""+"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"+"\"",schema:"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$",parentSchema:schema32,data:data77};
if(vErrors === null){
vErrors = [err136];
}
else {
vErrors.push(err136);
}
errors++;
}
}
else {
const err137 = {instancePath:instancePath+"/fleet/follow/soak",schemaPath:"#/$defs/Duration/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.type,parentSchema:schema32,data:data77};
if(vErrors === null){
vErrors = [err137];
}
else {
vErrors.push(err137);
}
errors++;
}
if(data74.waves !== undefined){
let data78 = data74.waves;
if(Array.isArray(data78)){
if(data78.length < 1){
const err138 = {instancePath:instancePath+"/fleet/follow/waves",schemaPath:"#/properties/fleet/properties/follow/properties/waves/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema31.properties.fleet.properties.follow.properties.waves,data:data78};
if(vErrors === null){
vErrors = [err138];
}
else {
vErrors.push(err138);
}
errors++;
}
const len9 = data78.length;
for(let i9=0; i9<len9; i9++){
let data79 = data78[i9];
if(data79 && typeof data79 == "object" && !Array.isArray(data79)){
if(data79.share === undefined){
const err139 = {instancePath:instancePath+"/fleet/follow/waves/" + i9,schemaPath:"#/properties/fleet/properties/follow/properties/waves/items/required",keyword:"required",params:{missingProperty: "share"},message:"must have required property '"+"share"+"'",schema:schema31.properties.fleet.properties.follow.properties.waves.items.required,parentSchema:schema31.properties.fleet.properties.follow.properties.waves.items,data:data79};
if(vErrors === null){
vErrors = [err139];
}
else {
vErrors.push(err139);
}
errors++;
}
for(const key9 in data79){
if(!((key9 === "share") || (key9 === "soak"))){
const err140 = {instancePath:instancePath+"/fleet/follow/waves/" + i9,schemaPath:"#/properties/fleet/properties/follow/properties/waves/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key9},message:"must NOT have additional properties",schema:false,parentSchema:schema31.properties.fleet.properties.follow.properties.waves.items,data:data79};
if(vErrors === null){
vErrors = [err140];
}
else {
vErrors.push(err140);
}
errors++;
}
}
if(data79.share !== undefined){
let data80 = data79.share;
if(typeof data80 === "string"){
if(!pattern36.test(data80)){
const err141 = {instancePath:instancePath+"/fleet/follow/waves/" + i9+"/share",schemaPath:"#/properties/fleet/properties/follow/properties/waves/items/properties/share/pattern",keyword:"pattern",params:{pattern: "^(100|[1-9]?[0-9](\\.[0-9]{1,2})?)%$"},message:"must match pattern \""+"^(100|[1-9]?[0-9](\\.[0-9]{1,2})?)%$"+"\"",schema:"^(100|[1-9]?[0-9](\\.[0-9]{1,2})?)%$",parentSchema:schema31.properties.fleet.properties.follow.properties.waves.items.properties.share,data:data80};
if(vErrors === null){
vErrors = [err141];
}
else {
vErrors.push(err141);
}
errors++;
}
}
else {
const err142 = {instancePath:instancePath+"/fleet/follow/waves/" + i9+"/share",schemaPath:"#/properties/fleet/properties/follow/properties/waves/items/properties/share/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.fleet.properties.follow.properties.waves.items.properties.share.type,parentSchema:schema31.properties.fleet.properties.follow.properties.waves.items.properties.share,data:data80};
if(vErrors === null){
vErrors = [err142];
}
else {
vErrors.push(err142);
}
errors++;
}
}
if(data79.soak !== undefined){
let data81 = data79.soak;
if(typeof data81 === "string"){
if(!pattern4.test(data81)){
const err143 = {instancePath:instancePath+"/fleet/follow/waves/" + i9+"/soak",schemaPath:"#/$defs/Duration/pattern",keyword:"pattern",params:{pattern: "^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"},message:"must match pattern \""+"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"+"\"",schema:"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$",parentSchema:schema32,data:data81};
if(vErrors === null){
vErrors = [err143];
}
else {
vErrors.push(err143);
}
errors++;
}
}
else {
const err144 = {instancePath:instancePath+"/fleet/follow/waves/" + i9+"/soak",schemaPath:"#/$defs/Duration/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.type,parentSchema:schema32,data:data81};
if(vErrors === null){
vErrors = [err144];
}
else {
vErrors.push(err144);
}
errors++;
}
}
}
else {
const err145 = {instancePath:instancePath+"/fleet/follow/waves/" + i9,schemaPath:"#/properties/fleet/properties/follow/properties/waves/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.fleet.properties.follow.properties.waves.items.type,parentSchema:schema31.properties.fleet.properties.follow.properties.waves.items,data:data79};
if(vErrors === null){
vErrors = [err145];
}
else {
vErrors.push(err145);
}
errors++;
}
}
}
else {
const err146 = {instancePath:instancePath+"/fleet/follow/waves",schemaPath:"#/properties/fleet/properties/follow/properties/waves/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema31.properties.fleet.properties.follow.properties.waves.type,parentSchema:schema31.properties.fleet.properties.follow.properties.waves,data:data78};
if(vErrors === null){
vErrors = [err146];
}
else {
vErrors.push(err146);
}
errors++;
}
}
if(data74.gates !== undefined){
let data82 = data74.gates;
if(Array.isArray(data82)){
const len10 = data82.length;
for(let i10=0; i10<len10; i10++){
let data83 = data82[i10];
if(data83 && typeof data83 == "object" && !Array.isArray(data83)){
if(data83.timeout === undefined){
data83.timeout = "30s";
}
if(data83.name === undefined){
const err147 = {instancePath:instancePath+"/fleet/follow/gates/" + i10,schemaPath:"#/properties/fleet/properties/follow/properties/gates/items/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema31.properties.fleet.properties.follow.properties.gates.items.required,parentSchema:schema31.properties.fleet.properties.follow.properties.gates.items,data:data83};
if(vErrors === null){
vErrors = [err147];
}
else {
vErrors.push(err147);
}
errors++;
}
for(const key10 in data83){
if(!((((key10 === "name") || (key10 === "command")) || (key10 === "prometheus")) || (key10 === "timeout"))){
const err148 = {instancePath:instancePath+"/fleet/follow/gates/" + i10,schemaPath:"#/properties/fleet/properties/follow/properties/gates/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key10},message:"must NOT have additional properties",schema:false,parentSchema:schema31.properties.fleet.properties.follow.properties.gates.items,data:data83};
if(vErrors === null){
vErrors = [err148];
}
else {
vErrors.push(err148);
}
errors++;
}
}
if(data83.name !== undefined){
let data84 = data83.name;
if(typeof data84 === "string"){
if(!pattern38.test(data84)){
const err149 = {instancePath:instancePath+"/fleet/follow/gates/" + i10+"/name",schemaPath:"#/properties/fleet/properties/follow/properties/gates/items/properties/name/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$",parentSchema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.name,data:data84};
if(vErrors === null){
vErrors = [err149];
}
else {
vErrors.push(err149);
}
errors++;
}
}
else {
const err150 = {instancePath:instancePath+"/fleet/follow/gates/" + i10+"/name",schemaPath:"#/properties/fleet/properties/follow/properties/gates/items/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.name.type,parentSchema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.name,data:data84};
if(vErrors === null){
vErrors = [err150];
}
else {
vErrors.push(err150);
}
errors++;
}
}
if(data83.command !== undefined){
if(!(validate21(data83.command, {instancePath:instancePath+"/fleet/follow/gates/" + i10+"/command",parentData:data83,parentDataProperty:"command",rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate21.errors : vErrors.concat(validate21.errors);
errors = vErrors.length;
}
}
if(data83.prometheus !== undefined){
let data86 = data83.prometheus;
if(data86 && typeof data86 == "object" && !Array.isArray(data86)){
if(data86.url === undefined){
const err151 = {instancePath:instancePath+"/fleet/follow/gates/" + i10+"/prometheus",schemaPath:"#/properties/fleet/properties/follow/properties/gates/items/properties/prometheus/required",keyword:"required",params:{missingProperty: "url"},message:"must have required property '"+"url"+"'",schema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.prometheus.required,parentSchema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.prometheus,data:data86};
if(vErrors === null){
vErrors = [err151];
}
else {
vErrors.push(err151);
}
errors++;
}
if(data86.query === undefined){
const err152 = {instancePath:instancePath+"/fleet/follow/gates/" + i10+"/prometheus",schemaPath:"#/properties/fleet/properties/follow/properties/gates/items/properties/prometheus/required",keyword:"required",params:{missingProperty: "query"},message:"must have required property '"+"query"+"'",schema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.prometheus.required,parentSchema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.prometheus,data:data86};
if(vErrors === null){
vErrors = [err152];
}
else {
vErrors.push(err152);
}
errors++;
}
for(const key11 in data86){
if(!((((key11 === "url") || (key11 === "query")) || (key11 === "min")) || (key11 === "max"))){
const err153 = {instancePath:instancePath+"/fleet/follow/gates/" + i10+"/prometheus",schemaPath:"#/properties/fleet/properties/follow/properties/gates/items/properties/prometheus/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key11},message:"must NOT have additional properties",schema:false,parentSchema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.prometheus,data:data86};
if(vErrors === null){
vErrors = [err153];
}
else {
vErrors.push(err153);
}
errors++;
}
}
if(data86.url !== undefined){
let data87 = data86.url;
if(typeof data87 === "string"){
if(!pattern20.test(data87)){
const err154 = {instancePath:instancePath+"/fleet/follow/gates/" + i10+"/prometheus/url",schemaPath:"#/properties/fleet/properties/follow/properties/gates/items/properties/prometheus/properties/url/pattern",keyword:"pattern",params:{pattern: "^https?://"},message:"must match pattern \""+"^https?://"+"\"",schema:"^https?://",parentSchema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.prometheus.properties.url,data:data87};
if(vErrors === null){
vErrors = [err154];
}
else {
vErrors.push(err154);
}
errors++;
}
}
else {
const err155 = {instancePath:instancePath+"/fleet/follow/gates/" + i10+"/prometheus/url",schemaPath:"#/properties/fleet/properties/follow/properties/gates/items/properties/prometheus/properties/url/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.prometheus.properties.url.type,parentSchema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.prometheus.properties.url,data:data87};
if(vErrors === null){
vErrors = [err155];
}
else {
vErrors.push(err155);
}
errors++;
}
}
if(data86.query !== undefined){
let data88 = data86.query;
if(typeof data88 === "string"){
if(func2(data88) > 4000){
const err156 = {instancePath:instancePath+"/fleet/follow/gates/" + i10+"/prometheus/query",schemaPath:"#/properties/fleet/properties/follow/properties/gates/items/properties/prometheus/properties/query/maxLength",keyword:"maxLength",params:{limit: 4000},message:"must NOT have more than 4000 characters",schema:4000,parentSchema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.prometheus.properties.query,data:data88};
if(vErrors === null){
vErrors = [err156];
}
else {
vErrors.push(err156);
}
errors++;
}
if(func2(data88) < 1){
const err157 = {instancePath:instancePath+"/fleet/follow/gates/" + i10+"/prometheus/query",schemaPath:"#/properties/fleet/properties/follow/properties/gates/items/properties/prometheus/properties/query/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.prometheus.properties.query,data:data88};
if(vErrors === null){
vErrors = [err157];
}
else {
vErrors.push(err157);
}
errors++;
}
}
else {
const err158 = {instancePath:instancePath+"/fleet/follow/gates/" + i10+"/prometheus/query",schemaPath:"#/properties/fleet/properties/follow/properties/gates/items/properties/prometheus/properties/query/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.prometheus.properties.query.type,parentSchema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.prometheus.properties.query,data:data88};
if(vErrors === null){
vErrors = [err158];
}
else {
vErrors.push(err158);
}
errors++;
}
}
if(data86.min !== undefined){
let data89 = data86.min;
if(!((typeof data89 == "number") && (isFinite(data89)))){
const err159 = {instancePath:instancePath+"/fleet/follow/gates/" + i10+"/prometheus/min",schemaPath:"#/properties/fleet/properties/follow/properties/gates/items/properties/prometheus/properties/min/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.prometheus.properties.min.type,parentSchema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.prometheus.properties.min,data:data89};
if(vErrors === null){
vErrors = [err159];
}
else {
vErrors.push(err159);
}
errors++;
}
}
if(data86.max !== undefined){
let data90 = data86.max;
if(!((typeof data90 == "number") && (isFinite(data90)))){
const err160 = {instancePath:instancePath+"/fleet/follow/gates/" + i10+"/prometheus/max",schemaPath:"#/properties/fleet/properties/follow/properties/gates/items/properties/prometheus/properties/max/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.prometheus.properties.max.type,parentSchema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.prometheus.properties.max,data:data90};
if(vErrors === null){
vErrors = [err160];
}
else {
vErrors.push(err160);
}
errors++;
}
}
}
else {
const err161 = {instancePath:instancePath+"/fleet/follow/gates/" + i10+"/prometheus",schemaPath:"#/properties/fleet/properties/follow/properties/gates/items/properties/prometheus/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.prometheus.type,parentSchema:schema31.properties.fleet.properties.follow.properties.gates.items.properties.prometheus,data:data86};
if(vErrors === null){
vErrors = [err161];
}
else {
vErrors.push(err161);
}
errors++;
}
}
let data91 = data83.timeout;
if(typeof data91 === "string"){
if(!pattern4.test(data91)){
const err162 = {instancePath:instancePath+"/fleet/follow/gates/" + i10+"/timeout",schemaPath:"#/$defs/Duration/pattern",keyword:"pattern",params:{pattern: "^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"},message:"must match pattern \""+"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"+"\"",schema:"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$",parentSchema:schema32,data:data91};
if(vErrors === null){
vErrors = [err162];
}
else {
vErrors.push(err162);
}
errors++;
}
}
else {
const err163 = {instancePath:instancePath+"/fleet/follow/gates/" + i10+"/timeout",schemaPath:"#/$defs/Duration/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.type,parentSchema:schema32,data:data91};
if(vErrors === null){
vErrors = [err163];
}
else {
vErrors.push(err163);
}
errors++;
}
}
else {
const err164 = {instancePath:instancePath+"/fleet/follow/gates/" + i10,schemaPath:"#/properties/fleet/properties/follow/properties/gates/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.fleet.properties.follow.properties.gates.items.type,parentSchema:schema31.properties.fleet.properties.follow.properties.gates.items,data:data83};
if(vErrors === null){
vErrors = [err164];
}
else {
vErrors.push(err164);
}
errors++;
}
}
}
else {
const err165 = {instancePath:instancePath+"/fleet/follow/gates",schemaPath:"#/properties/fleet/properties/follow/properties/gates/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema31.properties.fleet.properties.follow.properties.gates.type,parentSchema:schema31.properties.fleet.properties.follow.properties.gates,data:data82};
if(vErrors === null){
vErrors = [err165];
}
else {
vErrors.push(err165);
}
errors++;
}
}
}
else {
const err166 = {instancePath:instancePath+"/fleet/follow",schemaPath:"#/properties/fleet/properties/follow/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.fleet.properties.follow.type,parentSchema:schema31.properties.fleet.properties.follow,data:data74};
if(vErrors === null){
vErrors = [err166];
}
else {
vErrors.push(err166);
}
errors++;
}
}
let data92 = data69.keepProofs;
if(typeof data92 === "string"){
if(!pattern4.test(data92)){
const err167 = {instancePath:instancePath+"/fleet/keepProofs",schemaPath:"#/$defs/Duration/pattern",keyword:"pattern",params:{pattern: "^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"},message:"must match pattern \""+"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"+"\"",schema:"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$",parentSchema:schema32,data:data92};
if(vErrors === null){
vErrors = [err167];
}
else {
vErrors.push(err167);
}
errors++;
}
}
else {
const err168 = {instancePath:instancePath+"/fleet/keepProofs",schemaPath:"#/$defs/Duration/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.type,parentSchema:schema32,data:data92};
if(vErrors === null){
vErrors = [err168];
}
else {
vErrors.push(err168);
}
errors++;
}
let data93 = data69.requireReport;
if(typeof data93 !== "boolean"){
const err169 = {instancePath:instancePath+"/fleet/requireReport",schemaPath:"#/properties/fleet/properties/requireReport/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema31.properties.fleet.properties.requireReport.type,parentSchema:schema31.properties.fleet.properties.requireReport,data:data93};
if(vErrors === null){
vErrors = [err169];
}
else {
vErrors.push(err169);
}
errors++;
}
if(data69.etcd !== undefined){
let data94 = data69.etcd;
if(data94 && typeof data94 == "object" && !Array.isArray(data94)){
if(data94.prefix === undefined){
data94.prefix = "/xs-upgrade";
}
if(data94.timeout === undefined){
data94.timeout = "5s";
}
if(data94.endpoints === undefined){
const err170 = {instancePath:instancePath+"/fleet/etcd",schemaPath:"#/properties/fleet/properties/etcd/required",keyword:"required",params:{missingProperty: "endpoints"},message:"must have required property '"+"endpoints"+"'",schema:schema31.properties.fleet.properties.etcd.required,parentSchema:schema31.properties.fleet.properties.etcd,data:data94};
if(vErrors === null){
vErrors = [err170];
}
else {
vErrors.push(err170);
}
errors++;
}
for(const key12 in data94){
if(!((((((key12 === "endpoints") || (key12 === "prefix")) || (key12 === "username")) || (key12 === "password")) || (key12 === "tls")) || (key12 === "timeout"))){
const err171 = {instancePath:instancePath+"/fleet/etcd",schemaPath:"#/properties/fleet/properties/etcd/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key12},message:"must NOT have additional properties",schema:false,parentSchema:schema31.properties.fleet.properties.etcd,data:data94};
if(vErrors === null){
vErrors = [err171];
}
else {
vErrors.push(err171);
}
errors++;
}
}
if(data94.endpoints !== undefined){
let data95 = data94.endpoints;
if(Array.isArray(data95)){
if(data95.length < 1){
const err172 = {instancePath:instancePath+"/fleet/etcd/endpoints",schemaPath:"#/properties/fleet/properties/etcd/properties/endpoints/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema31.properties.fleet.properties.etcd.properties.endpoints,data:data95};
if(vErrors === null){
vErrors = [err172];
}
else {
vErrors.push(err172);
}
errors++;
}
const len11 = data95.length;
for(let i11=0; i11<len11; i11++){
let data96 = data95[i11];
if(typeof data96 === "string"){
if(!pattern42.test(data96)){
const err173 = {instancePath:instancePath+"/fleet/etcd/endpoints/" + i11,schemaPath:"#/properties/fleet/properties/etcd/properties/endpoints/items/pattern",keyword:"pattern",params:{pattern: "^https?://[^\\s/:]+(:[0-9]{1,5})?/?$"},message:"must match pattern \""+"^https?://[^\\s/:]+(:[0-9]{1,5})?/?$"+"\"",schema:"^https?://[^\\s/:]+(:[0-9]{1,5})?/?$",parentSchema:schema31.properties.fleet.properties.etcd.properties.endpoints.items,data:data96};
if(vErrors === null){
vErrors = [err173];
}
else {
vErrors.push(err173);
}
errors++;
}
}
else {
const err174 = {instancePath:instancePath+"/fleet/etcd/endpoints/" + i11,schemaPath:"#/properties/fleet/properties/etcd/properties/endpoints/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.fleet.properties.etcd.properties.endpoints.items.type,parentSchema:schema31.properties.fleet.properties.etcd.properties.endpoints.items,data:data96};
if(vErrors === null){
vErrors = [err174];
}
else {
vErrors.push(err174);
}
errors++;
}
}
let i12 = data95.length;
let j0;
if(i12 > 1){
const indices0 = {};
for(;i12--;){
let item0 = data95[i12];
if(typeof item0 !== "string"){
continue;
}
if(typeof indices0[item0] == "number"){
j0 = indices0[item0];
const err175 = {instancePath:instancePath+"/fleet/etcd/endpoints",schemaPath:"#/properties/fleet/properties/etcd/properties/endpoints/uniqueItems",keyword:"uniqueItems",params:{i: i12, j: j0},message:"must NOT have duplicate items (items ## "+j0+" and "+i12+" are identical)",schema:true,parentSchema:schema31.properties.fleet.properties.etcd.properties.endpoints,data:data95};
if(vErrors === null){
vErrors = [err175];
}
else {
vErrors.push(err175);
}
errors++;
break;
}
indices0[item0] = i12;
}
}
}
else {
const err176 = {instancePath:instancePath+"/fleet/etcd/endpoints",schemaPath:"#/properties/fleet/properties/etcd/properties/endpoints/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema31.properties.fleet.properties.etcd.properties.endpoints.type,parentSchema:schema31.properties.fleet.properties.etcd.properties.endpoints,data:data95};
if(vErrors === null){
vErrors = [err176];
}
else {
vErrors.push(err176);
}
errors++;
}
}
let data97 = data94.prefix;
if(typeof data97 === "string"){
if(!pattern43.test(data97)){
const err177 = {instancePath:instancePath+"/fleet/etcd/prefix",schemaPath:"#/properties/fleet/properties/etcd/properties/prefix/pattern",keyword:"pattern",params:{pattern: "^/[^\\s]*[^/\\s]$"},message:"must match pattern \""+"^/[^\\s]*[^/\\s]$"+"\"",schema:"^/[^\\s]*[^/\\s]$",parentSchema:schema31.properties.fleet.properties.etcd.properties.prefix,data:data97};
if(vErrors === null){
vErrors = [err177];
}
else {
vErrors.push(err177);
}
errors++;
}
}
else {
const err178 = {instancePath:instancePath+"/fleet/etcd/prefix",schemaPath:"#/properties/fleet/properties/etcd/properties/prefix/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.fleet.properties.etcd.properties.prefix.type,parentSchema:schema31.properties.fleet.properties.etcd.properties.prefix,data:data97};
if(vErrors === null){
vErrors = [err178];
}
else {
vErrors.push(err178);
}
errors++;
}
if(data94.username !== undefined){
let data98 = data94.username;
if(typeof data98 === "string"){
if(func2(data98) < 1){
const err179 = {instancePath:instancePath+"/fleet/etcd/username",schemaPath:"#/properties/fleet/properties/etcd/properties/username/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema31.properties.fleet.properties.etcd.properties.username,data:data98};
if(vErrors === null){
vErrors = [err179];
}
else {
vErrors.push(err179);
}
errors++;
}
}
else {
const err180 = {instancePath:instancePath+"/fleet/etcd/username",schemaPath:"#/properties/fleet/properties/etcd/properties/username/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.fleet.properties.etcd.properties.username.type,parentSchema:schema31.properties.fleet.properties.etcd.properties.username,data:data98};
if(vErrors === null){
vErrors = [err180];
}
else {
vErrors.push(err180);
}
errors++;
}
}
if(data94.password !== undefined){
let data99 = data94.password;
if(typeof data99 === "string"){
if(!pattern14.test(data99)){
const err181 = {instancePath:instancePath+"/fleet/etcd/password",schemaPath:"#/properties/fleet/properties/etcd/properties/password/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]*$",parentSchema:schema31.properties.fleet.properties.etcd.properties.password,data:data99};
if(vErrors === null){
vErrors = [err181];
}
else {
vErrors.push(err181);
}
errors++;
}
}
else {
const err182 = {instancePath:instancePath+"/fleet/etcd/password",schemaPath:"#/properties/fleet/properties/etcd/properties/password/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.fleet.properties.etcd.properties.password.type,parentSchema:schema31.properties.fleet.properties.etcd.properties.password,data:data99};
if(vErrors === null){
vErrors = [err182];
}
else {
vErrors.push(err182);
}
errors++;
}
}
if(data94.tls !== undefined){
let data100 = data94.tls;
if(data100 && typeof data100 == "object" && !Array.isArray(data100)){
for(const key13 in data100){
if(!(((key13 === "ca") || (key13 === "cert")) || (key13 === "key"))){
const err183 = {instancePath:instancePath+"/fleet/etcd/tls",schemaPath:"#/properties/fleet/properties/etcd/properties/tls/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key13},message:"must NOT have additional properties",schema:false,parentSchema:schema31.properties.fleet.properties.etcd.properties.tls,data:data100};
if(vErrors === null){
vErrors = [err183];
}
else {
vErrors.push(err183);
}
errors++;
}
}
if(data100.ca !== undefined){
let data101 = data100.ca;
if(typeof data101 === "string"){
if(!pattern19.test(data101)){
const err184 = {instancePath:instancePath+"/fleet/etcd/tls/ca",schemaPath:"#/properties/fleet/properties/etcd/properties/tls/properties/ca/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\"",schema:"^/",parentSchema:schema31.properties.fleet.properties.etcd.properties.tls.properties.ca,data:data101};
if(vErrors === null){
vErrors = [err184];
}
else {
vErrors.push(err184);
}
errors++;
}
}
else {
const err185 = {instancePath:instancePath+"/fleet/etcd/tls/ca",schemaPath:"#/properties/fleet/properties/etcd/properties/tls/properties/ca/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.fleet.properties.etcd.properties.tls.properties.ca.type,parentSchema:schema31.properties.fleet.properties.etcd.properties.tls.properties.ca,data:data101};
if(vErrors === null){
vErrors = [err185];
}
else {
vErrors.push(err185);
}
errors++;
}
}
if(data100.cert !== undefined){
let data102 = data100.cert;
if(typeof data102 === "string"){
if(!pattern19.test(data102)){
const err186 = {instancePath:instancePath+"/fleet/etcd/tls/cert",schemaPath:"#/properties/fleet/properties/etcd/properties/tls/properties/cert/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\"",schema:"^/",parentSchema:schema31.properties.fleet.properties.etcd.properties.tls.properties.cert,data:data102};
if(vErrors === null){
vErrors = [err186];
}
else {
vErrors.push(err186);
}
errors++;
}
}
else {
const err187 = {instancePath:instancePath+"/fleet/etcd/tls/cert",schemaPath:"#/properties/fleet/properties/etcd/properties/tls/properties/cert/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.fleet.properties.etcd.properties.tls.properties.cert.type,parentSchema:schema31.properties.fleet.properties.etcd.properties.tls.properties.cert,data:data102};
if(vErrors === null){
vErrors = [err187];
}
else {
vErrors.push(err187);
}
errors++;
}
}
if(data100.key !== undefined){
let data103 = data100.key;
if(typeof data103 === "string"){
if(!pattern19.test(data103)){
const err188 = {instancePath:instancePath+"/fleet/etcd/tls/key",schemaPath:"#/properties/fleet/properties/etcd/properties/tls/properties/key/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\"",schema:"^/",parentSchema:schema31.properties.fleet.properties.etcd.properties.tls.properties.key,data:data103};
if(vErrors === null){
vErrors = [err188];
}
else {
vErrors.push(err188);
}
errors++;
}
}
else {
const err189 = {instancePath:instancePath+"/fleet/etcd/tls/key",schemaPath:"#/properties/fleet/properties/etcd/properties/tls/properties/key/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.fleet.properties.etcd.properties.tls.properties.key.type,parentSchema:schema31.properties.fleet.properties.etcd.properties.tls.properties.key,data:data103};
if(vErrors === null){
vErrors = [err189];
}
else {
vErrors.push(err189);
}
errors++;
}
}
if(data100.cert !== undefined){
if(data100.key === undefined){
const err190 = {instancePath:instancePath+"/fleet/etcd/tls",schemaPath:"#/properties/fleet/properties/etcd/properties/tls/dependentRequired",keyword:"dependentRequired",params:{property: "cert",
    missingProperty: "key",
    depsCount: 1,
    deps: "key"},message:"must have property key when property cert is present",schema:schema31.properties.fleet.properties.etcd.properties.tls.dependentRequired,parentSchema:schema31.properties.fleet.properties.etcd.properties.tls,data:data100};
if(vErrors === null){
vErrors = [err190];
}
else {
vErrors.push(err190);
}
errors++;
}
}
if(data100.key !== undefined){
if(data100.cert === undefined){
const err191 = {instancePath:instancePath+"/fleet/etcd/tls",schemaPath:"#/properties/fleet/properties/etcd/properties/tls/dependentRequired",keyword:"dependentRequired",params:{property: "key",
    missingProperty: "cert",
    depsCount: 1,
    deps: "cert"},message:"must have property cert when property key is present",schema:schema31.properties.fleet.properties.etcd.properties.tls.dependentRequired,parentSchema:schema31.properties.fleet.properties.etcd.properties.tls,data:data100};
if(vErrors === null){
vErrors = [err191];
}
else {
vErrors.push(err191);
}
errors++;
}
}
}
else {
const err192 = {instancePath:instancePath+"/fleet/etcd/tls",schemaPath:"#/properties/fleet/properties/etcd/properties/tls/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.fleet.properties.etcd.properties.tls.type,parentSchema:schema31.properties.fleet.properties.etcd.properties.tls,data:data100};
if(vErrors === null){
vErrors = [err192];
}
else {
vErrors.push(err192);
}
errors++;
}
}
let data104 = data94.timeout;
if(typeof data104 === "string"){
if(!pattern4.test(data104)){
const err193 = {instancePath:instancePath+"/fleet/etcd/timeout",schemaPath:"#/$defs/Duration/pattern",keyword:"pattern",params:{pattern: "^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"},message:"must match pattern \""+"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"+"\"",schema:"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$",parentSchema:schema32,data:data104};
if(vErrors === null){
vErrors = [err193];
}
else {
vErrors.push(err193);
}
errors++;
}
}
else {
const err194 = {instancePath:instancePath+"/fleet/etcd/timeout",schemaPath:"#/$defs/Duration/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.type,parentSchema:schema32,data:data104};
if(vErrors === null){
vErrors = [err194];
}
else {
vErrors.push(err194);
}
errors++;
}
if(data94.password !== undefined){
if(data94.username === undefined){
const err195 = {instancePath:instancePath+"/fleet/etcd",schemaPath:"#/properties/fleet/properties/etcd/dependentRequired",keyword:"dependentRequired",params:{property: "password",
    missingProperty: "username",
    depsCount: 1,
    deps: "username"},message:"must have property username when property password is present",schema:schema31.properties.fleet.properties.etcd.dependentRequired,parentSchema:schema31.properties.fleet.properties.etcd,data:data94};
if(vErrors === null){
vErrors = [err195];
}
else {
vErrors.push(err195);
}
errors++;
}
}
}
else {
const err196 = {instancePath:instancePath+"/fleet/etcd",schemaPath:"#/properties/fleet/properties/etcd/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.fleet.properties.etcd.type,parentSchema:schema31.properties.fleet.properties.etcd,data:data94};
if(vErrors === null){
vErrors = [err196];
}
else {
vErrors.push(err196);
}
errors++;
}
}
if(data69.fleetLock !== undefined){
let data105 = data69.fleetLock;
if(data105 && typeof data105 == "object" && !Array.isArray(data105)){
if(data105.timeout === undefined){
data105.timeout = "10s";
}
if(data105.url === undefined){
const err197 = {instancePath:instancePath+"/fleet/fleetLock",schemaPath:"#/properties/fleet/properties/fleetLock/required",keyword:"required",params:{missingProperty: "url"},message:"must have required property '"+"url"+"'",schema:schema31.properties.fleet.properties.fleetLock.required,parentSchema:schema31.properties.fleet.properties.fleetLock,data:data105};
if(vErrors === null){
vErrors = [err197];
}
else {
vErrors.push(err197);
}
errors++;
}
for(const key14 in data105){
if(!((key14 === "url") || (key14 === "timeout"))){
const err198 = {instancePath:instancePath+"/fleet/fleetLock",schemaPath:"#/properties/fleet/properties/fleetLock/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key14},message:"must NOT have additional properties",schema:false,parentSchema:schema31.properties.fleet.properties.fleetLock,data:data105};
if(vErrors === null){
vErrors = [err198];
}
else {
vErrors.push(err198);
}
errors++;
}
}
if(data105.url !== undefined){
let data106 = data105.url;
if(typeof data106 === "string"){
if(!pattern10.test(data106)){
const err199 = {instancePath:instancePath+"/fleet/fleetLock/url",schemaPath:"#/properties/fleet/properties/fleetLock/properties/url/pattern",keyword:"pattern",params:{pattern: "^https?://[^\\s]+$"},message:"must match pattern \""+"^https?://[^\\s]+$"+"\"",schema:"^https?://[^\\s]+$",parentSchema:schema31.properties.fleet.properties.fleetLock.properties.url,data:data106};
if(vErrors === null){
vErrors = [err199];
}
else {
vErrors.push(err199);
}
errors++;
}
}
else {
const err200 = {instancePath:instancePath+"/fleet/fleetLock/url",schemaPath:"#/properties/fleet/properties/fleetLock/properties/url/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.fleet.properties.fleetLock.properties.url.type,parentSchema:schema31.properties.fleet.properties.fleetLock.properties.url,data:data106};
if(vErrors === null){
vErrors = [err200];
}
else {
vErrors.push(err200);
}
errors++;
}
}
let data107 = data105.timeout;
if(typeof data107 === "string"){
if(!pattern4.test(data107)){
const err201 = {instancePath:instancePath+"/fleet/fleetLock/timeout",schemaPath:"#/$defs/Duration/pattern",keyword:"pattern",params:{pattern: "^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"},message:"must match pattern \""+"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$"+"\"",schema:"^ *([0-9]+ *(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks) *)+$",parentSchema:schema32,data:data107};
if(vErrors === null){
vErrors = [err201];
}
else {
vErrors.push(err201);
}
errors++;
}
}
else {
const err202 = {instancePath:instancePath+"/fleet/fleetLock/timeout",schemaPath:"#/$defs/Duration/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.type,parentSchema:schema32,data:data107};
if(vErrors === null){
vErrors = [err202];
}
else {
vErrors.push(err202);
}
errors++;
}
}
else {
const err203 = {instancePath:instancePath+"/fleet/fleetLock",schemaPath:"#/properties/fleet/properties/fleetLock/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.fleet.properties.fleetLock.type,parentSchema:schema31.properties.fleet.properties.fleetLock,data:data105};
if(vErrors === null){
vErrors = [err203];
}
else {
vErrors.push(err203);
}
errors++;
}
}
if(data69.follow !== undefined){
if(data69.etcd === undefined){
const err204 = {instancePath:instancePath+"/fleet",schemaPath:"#/properties/fleet/dependentRequired",keyword:"dependentRequired",params:{property: "follow",
    missingProperty: "etcd",
    depsCount: 1,
    deps: "etcd"},message:"must have property etcd when property follow is present",schema:schema31.properties.fleet.dependentRequired,parentSchema:schema31.properties.fleet,data:data69};
if(vErrors === null){
vErrors = [err204];
}
else {
vErrors.push(err204);
}
errors++;
}
}
}
else {
const err205 = {instancePath:instancePath+"/fleet",schemaPath:"#/properties/fleet/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.fleet.type,parentSchema:schema31.properties.fleet,data:data69};
if(vErrors === null){
vErrors = [err205];
}
else {
vErrors.push(err205);
}
errors++;
}
}
if(data.reboot !== undefined){
if(data.system === undefined){
const err206 = {instancePath,schemaPath:"#/dependentRequired",keyword:"dependentRequired",params:{property: "reboot",
    missingProperty: "system",
    depsCount: 1,
    deps: "system"},message:"must have property system when property reboot is present",schema:schema31.dependentRequired,parentSchema:schema31,data};
if(vErrors === null){
vErrors = [err206];
}
else {
vErrors.push(err206);
}
errors++;
}
}
if(data.bootChecks !== undefined){
if(data.reboot === undefined){
const err207 = {instancePath,schemaPath:"#/dependentRequired",keyword:"dependentRequired",params:{property: "bootChecks",
    missingProperty: "reboot",
    depsCount: 1,
    deps: "reboot"},message:"must have property reboot when property bootChecks is present",schema:schema31.dependentRequired,parentSchema:schema31,data};
if(vErrors === null){
vErrors = [err207];
}
else {
vErrors.push(err207);
}
errors++;
}
}
}
else {
const err208 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.type,parentSchema:schema31,data};
if(vErrors === null){
vErrors = [err208];
}
else {
vErrors.push(err208);
}
errors++;
}
validate20.errors = vErrors;
return errors === 0;
}
validate20.evaluated = {"props":true,"dynamicProps":false,"dynamicItems":false};

