// A small NixOS-like system for sandbox hosts, built by real nix-build into the real /nix/store
// and activated from a real Nix profile: the nix-config repo's default.nix imports
// configuration.nix (so a Nix error in a commit fails the build, as on NixOS) and builds a system
// with a kernel, an initrd, kernel modules and bin/switch-to-configuration, which points the
// sandbox's current-system link at itself. No nixpkgs: builtins.derivation and /bin/sh only.
import { execa } from 'execa';

/**
 * Nix as the tests and the demo use it here: as root, without a daemon, without the network (no
 * substituters), without build users or a sandbox (a plain Debian nix-bin).
 */
export const nixConfig = ['substituters =', 'sandbox = false', 'build-users-group ='].join('\n');

/** Whether nix-build and nix-env can be run here. */
export async function nixAvailable(): Promise<boolean> {
  const answers = await Promise.all(
    ['nix-build', 'nix-env'].map((program) =>
      execa(program, ['--version'], { reject: false }).then((result) => result.exitCode === 0),
    ),
  );
  return answers.every(Boolean);
}

/**
 * nix-config/switch-to-configuration.sh: the system's activation, as NixOS's behaves for what the
 * tests need. `switch` and `test` first run the switchInhibitors pre-switch check (unless
 * NIXOS_NO_CHECK=1): when a component the system lists in `system.switch.inhibitors` differs from
 * the booted system's, it refuses before changing anything, with NixOS's words and exit status 1.
 * `boot` makes the system the boot default (the sandbox's boot-default link); `switch` and `test`
 * point the sandbox's current-system link at it; `check` runs the check only. The @...@ are filled
 * in by default.nix.
 */
export const switchScript = [
  '#!/bin/sh',
  'set -e',
  'action="$1"',
  'case "$action" in switch|boot|test|check) ;; *) echo "usage: switch-to-configuration switch|boot|test|check" >&2; exit 64 ;; esac',
  'new_inhibitors="@out@/switch-inhibitors"',
  'if [ "$action" != boot ] && [ "${NIXOS_NO_CHECK-}" != 1 ] && [ -f "$new_inhibitors" ]; then',
  '  printf "Checking switch inhibitors..."',
  '  booted_inhibitors="$(/bin/readlink -f "@booted@")/switch-inhibitors"',
  '  if [ ! -f "$booted_inhibitors" ]; then',
  '    echo',
  '    echo "The previous configuration did not specify switch inhibitors, nothing to check."',
  '  else',
  '    changes=""',
  '    while IFS="=" read -r name value; do',
  '      old="$(/bin/sed -n "s/^$name=//p" "$booted_inhibitors")"',
  '      if [ "$old" != "$value" ]; then changes="$changes$name : ${old:-none} -> $value',
  '"; fi',
  '    done < "$new_inhibitors"',
  '    if [ -n "$changes" ]; then',
  '      echo',
  '      echo "There are changes to critical components of the system:"',
  '      echo',
  '      printf "%s" "$changes"',
  '      echo',
  '      echo "Switching into this system is not recommended."',
  '      echo "You probably want to run \'nixos-rebuild boot\' and reboot your system instead."',
  '      echo',
  '      echo "If you really want to switch into this configuration directly, then"',
  '      echo "you can set NIXOS_NO_CHECK=1 to ignore pre-switch checks."',
  '      echo',
  '      echo "WARNING: doing so might cause the switch to fail or your system to become unstable."',
  '      echo',
  '      echo "Pre-switch check \'switchInhibitors\' failed"',
  '      echo "Pre-switch checks failed" >&2',
  '      exit 1',
  '    fi',
  '    echo " done"',
  '  fi',
  'fi',
  'if [ "$action" = check ]; then exit 0; fi',
  '# The tests stop a run while it installs for the next boot: a boot that takes its time.',
  'if [ "$action" = boot ] && [ -n "${XS_DEMO_SLOW_BOOT-}" ]; then sleep 30 & echo "started $!"; wait; fi',
  'if [ -n "@bootDefault@" ] && { [ "$action" = boot ] || [ "$action" = switch ]; }; then',
  '  /bin/ln -sfn "@out@" "@bootDefault@.new"',
  '  /bin/mv -T "@bootDefault@.new" "@bootDefault@"',
  'fi',
  'if [ "$action" = boot ]; then echo "installed @out@ for the next boot"; exit 0; fi',
  '/bin/ln -sfn "@out@" "@current@.new"',
  '/bin/mv -T "@current@.new" "@current@"',
  'echo "activated @out@"',
  '',
].join('\n');

/** nix-config/default.nix: the system a commit describes. */
export const defaultNix = `# The system this repo describes: built with \`nix-build --argstr currentSystemLink PATH\`.
{ currentSystemLink, secretsCommit ? "none", bootedSystemLink ? "/run/booted-system", bootDefaultLink ? "" }:
let
  configuration = import ./configuration.nix { config = { }; pkgs = { }; };
  kernelVersion = configuration.boot.kernelVersion or "6.6.1";
  # As NixOS's system.switch.inhibitors: components that must not change under a running system.
  inhibitors = configuration.system.switch.inhibitors or null;
  sh = script: [ "-c" script ];
  # Kernel, initrd and modules come from their own store path, as on NixOS: two systems with the
  # same kernel version share it, so a reboot is needed only when it changes.
  kernel = builtins.derivation {
    name = "linux-\${kernelVersion}";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = sh ''
      /bin/mkdir -p $out/lib/modules
      echo "bzImage \${kernelVersion}" > $out/bzImage
      echo "initrd \${kernelVersion}" > $out/initrd
    '';
  };
in
builtins.derivation {
  # As a NixOS toplevel is named (nixos-system-HOST-VERSION): what a closure source may point at.
  name = "nixos-system-sandbox-26.05";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  inherit secretsCommit;
  configuration = builtins.toJSON configuration;
  switchInhibitors =
    if inhibitors == null then ""
    else builtins.concatStringsSep "" (map (name: "\${name}=\${inhibitors.\${name}}\\n") (builtins.attrNames inhibitors));
  switchScript = builtins.replaceStrings [ "@current@" "@booted@" "@bootDefault@" ] [ currentSystemLink bootedSystemLink bootDefaultLink ] (builtins.readFile ./switch-to-configuration.sh);
  args = sh ''
    set -e
    /bin/mkdir -p $out/bin
    echo "$configuration" > $out/configuration.json
    echo "$secretsCommit" > $out/secrets-commit
    /bin/ln -s \${kernel}/bzImage $out/kernel
    /bin/ln -s \${kernel}/initrd $out/initrd
    /bin/ln -s \${kernel}/lib/modules $out/kernel-modules
    if [ -n "$switchInhibitors" ]; then printf "$switchInhibitors" > $out/switch-inhibitors; fi
    printf "%s" "$switchScript" | /bin/sed "s|@out@|$out|g" > $out/bin/switch-to-configuration
    /bin/chmod +x $out/bin/switch-to-configuration
  '';
}
`;

/** A valid configuration.nix; `extra` is more of its attributes, e.g. a kernel version. */
export const configurationNix = (extra = '') =>
  `{ config, pkgs, ... }:\n{\n  services.openssh.enable = true;\n${extra}}\n`;

/** Builds the system of a nix-config checkout, with the secrets repo's commit, in the sandbox. */
export const buildLineFrom = (config: string, secrets: string) =>
  `nix-build ${config} --no-out-link --argstr currentSystemLink "$PWD/current-system" --argstr bootedSystemLink "$PWD/booted-system" --argstr bootDefaultLink "$PWD/boot-default" --argstr secretsCommit "$(git -C ${secrets} rev-parse HEAD)"`;

const buildLine = buildLineFrom('repos/nix-config', 'repos/nix-secrets');

/** Scripts in bin/ that stand where `nh os build` and `nh os switch` stand on a NixOS host. */
export const nixScripts: Record<string, string> = {
  'nix-build.sh': `#!/bin/sh
# Stands in for \`nh os build\`: builds the system the repos describe, and prints its store path.
set -eu
${buildLine}
`,
  'nix-activate.sh': `#!/bin/sh
# A switch command that activates the new system without making it a generation first (the tests
# need one: a refused switch then leaves nothing to install for the next boot).
set -eu
out=$(${buildLine})
"$out/bin/switch-to-configuration" switch
`,
  'nix-switch.sh': `#!/bin/sh
# Stands in for \`nh os switch\` (\`nixos-rebuild switch\`): build, a new generation of the
# profile, then activate it.
set -eu
out=$(${buildLine})
nix-env -p "$PWD/profiles/system" --set "$out"
"$out/bin/switch-to-configuration" switch
`,
};
