// What a closure source may answer: the store path of a NixOS system's toplevel, and nothing else.
// The answer comes from another machine (a CI server, a command's output): a path of another kind
// (a package, a path outside the store, text with a newline or an option in it) is refused before
// Nix or a switch ever sees it.

/** /nix/store/<32 characters of Nix's base32>-nixos-system-<host>-<version>. */
const systemPath =
  /^\/nix\/store\/[0-9abcdfghijklmnpqrsvwxyz]{32}-nixos-system-[A-Za-z0-9][A-Za-z0-9+._-]*$/;

export function isSystemPath(text: string): boolean {
  return text.length <= 211 && systemPath.test(text);
}

/** A short, printable excerpt of an answer that was not a system path, for the error message. */
export function excerpt(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(printable.length > 80 ? `${printable.slice(0, 80)}…` : printable);
}
