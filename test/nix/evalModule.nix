# nix/module.nix as NixOS evaluates it: the real nixpkgs lib's evalModules and types (the lib at
# `libPath`), with the few NixOS options the module sets declared as permissive options, and a
# pkgs with just what the module reads. Returns what a test compares: the failed assertions, the
# JSON config written to /etc, and the units.
{ libPath, sample, root }:
let
  lib = import libPath;
  inherit (lib) mkOption types;
  storePath = name: "/nix/store/0000000000000000000000000000000-${name}";
  package = name: { type = "derivation"; inherit name; outPath = storePath name; };
  pkgs = {
    writeText = name: text: { inherit name text; outPath = storePath name; };
    xs-upgrade = package "xs-upgrade";
    git = package "git";
    nix = package "nix";
    nh = package "nh";
    openssh = package "openssh";
    systemd = package "systemd";
  };
  anything = mkOption { type = types.attrsOf types.anything; default = { }; };
  nixos = {
    options = {
      assertions = mkOption { type = types.listOf types.unspecified; default = [ ]; };
      environment.etc = anything;
      systemd.services = anything;
      systemd.timers = anything;
    };
  };
  host = {
    services.xs-upgrade = { enable = true; } // import (./samples + "/${sample}.nix") { inherit root; };
  };
  evaluated = lib.evalModules {
    modules = [ ../../nix/module.nix nixos host ];
    specialArgs = { inherit pkgs; };
  };
  inherit (evaluated) config;
in
{
  failedAssertions = map (a: a.message) (builtins.filter (a: !a.assertion) config.assertions);
  settings = builtins.fromJSON config.environment.etc."xs-upgrade/host.json".source.text;
  service = config.systemd.services.xs-upgrade;
  bootCheck = config.systemd.services.xs-upgrade-boot-check or null;
  watch = config.systemd.services.xs-upgrade-watch or null;
  timer = config.systemd.timers.xs-upgrade;
}
