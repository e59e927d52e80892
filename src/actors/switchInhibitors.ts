// NixOS's switch inhibitors (nixpkgs' switchable-system module, since 2025-12): when a component
// the system lists in `system.switch.inhibitors` (systemd, dbus, ...) differs between the booted
// system and the new one, `switch-to-configuration switch` refuses before changing anything,
// prints what changed and "Pre-switch check 'switchInhibitors' failed", and exits non-zero. That
// is not a bad commit: the new system is meant to be booted into. Pure.

/** The line the pre-switch check prints when it refuses (nixos/modules/system/activation). */
const refused = /Pre-switch check 'switchInhibitors' failed/;
/** The newer message names each component: "dbus-implementation : dbus -> broker". */
const named = /^\s*([A-Za-z0-9][\w.-]*)\s*:\s*(\S.*?)\s*->\s*(\S.*?)\s*$/;
/** The older one prints a diff of the store paths: "< /nix/store/...-systemd-257". */
const diffed = /^\s*[<>]\s*\/nix\/store\/[0-9a-z]{32}-(\S+)\s*$/;

/** What the refused switch says inhibited it, or undefined when it was not refused for that. */
export function inhibitorsOf(output: readonly string[]): string[] | undefined {
  if (!output.some((line) => refused.test(line))) return undefined;
  const names = output.flatMap((line) => {
    const match = named.exec(line);
    return match?.[1] && !/^(Pre-switch|Found|The|If|WARNING)/.test(match[1]) ? [match[1]] : [];
  });
  if (names.length > 0) return [...new Set(names)];
  const paths = output.flatMap((line) => {
    const match = diffed.exec(line);
    return match?.[1] ? [match[1]] : [];
  });
  return paths.length > 0 ? [...new Set(paths)] : ['a switch inhibitor'];
}

/** A switch refused for its inhibitors: installed for the next boot instead, when allowed. */
export class SwitchInhibited extends Error {
  readonly inhibitedBy: string[];
  /** `inhibited: "boot"`: the machine installs the new system for the next boot. */
  readonly installForBoot: boolean;
  readonly outputTail: string[];
  readonly command?: string;
  readonly next: string;
  constructor(
    cause: Error & { outputTail?: string[]; command?: string },
    by: string[],
    installForBoot: boolean,
  ) {
    super(`switch inhibited by ${by.join(', ')}: ${cause.message}`);
    this.name = 'SwitchInhibited';
    this.inhibitedBy = by;
    this.installForBoot = installForBoot;
    this.outputTail = cause.outputTail ?? [];
    if (cause.command !== undefined) this.command = cause.command;
    this.next = installForBoot
      ? 'the new system is installed for the next boot'
      : 'the new system needs a reboot to take effect (`"inhibited": "boot"` installs it for the next boot and reboots in the window); these commits are not held against the host';
  }
}
