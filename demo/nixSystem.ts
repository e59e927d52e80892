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

/** nix-config/default.nix: the system a commit describes. */
export const defaultNix = `# The system this repo describes: built with \`nix-build --argstr currentSystemLink PATH\`.
{ currentSystemLink, secretsCommit ? "none" }:
let
  configuration = import ./configuration.nix { config = { }; pkgs = { }; };
  kernelVersion = configuration.boot.kernelVersion or "6.6.1";
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
  name = "xs-upgrade-demo-system";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  inherit currentSystemLink secretsCommit;
  configuration = builtins.toJSON configuration;
  args = sh ''
    set -e
    /bin/mkdir -p $out/bin
    echo "$configuration" > $out/configuration.json
    echo "$secretsCommit" > $out/secrets-commit
    /bin/ln -s \${kernel}/bzImage $out/kernel
    /bin/ln -s \${kernel}/initrd $out/initrd
    /bin/ln -s \${kernel}/lib/modules $out/kernel-modules
    {
      echo '#!/bin/sh'
      echo 'set -e'
      echo 'case "$1" in switch|boot|test) ;; *) echo "usage: switch-to-configuration switch|boot|test" >&2; exit 64 ;; esac'
      echo "/bin/ln -sfn $out $currentSystemLink.new"
      echo "/bin/mv -T $currentSystemLink.new $currentSystemLink"
      echo "echo activated $out"
    } > $out/bin/switch-to-configuration
    /bin/chmod +x $out/bin/switch-to-configuration
  '';
}
`;

/** A valid configuration.nix; `extra` is more of its attributes, e.g. a kernel version. */
export const configurationNix = (extra = '') =>
  `{ config, pkgs, ... }:\n{\n  services.openssh.enable = true;\n${extra}}\n`;

const buildLine =
  'nix-build repos/nix-config --no-out-link --argstr currentSystemLink "$PWD/current-system" --argstr secretsCommit "$(git -C repos/nix-secrets rev-parse HEAD)"';

/** Scripts in bin/ that stand where `nh os build` and `nh os switch` stand on a NixOS host. */
export const nixScripts: Record<string, string> = {
  'nix-build.sh': `#!/bin/sh
# Stands in for \`nh os build\`: builds the system the repos describe, and prints its store path.
set -eu
${buildLine}
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
