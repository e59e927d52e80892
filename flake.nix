{
  description = "xs-upgrade: unattended, rollback-safe upgrades for git-managed NixOS hosts";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";

  outputs =
    { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forEachSystem = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = forEachSystem (pkgs: rec {
        xs-upgrade = pkgs.callPackage ./nix/package.nix { };
        default = xs-upgrade;
      });

      # pkgs.xs-upgrade, for hosts that take packages from an overlay.
      overlays.default = final: _prev: { xs-upgrade = final.callPackage ./nix/package.nix { }; };

      # services.xs-upgrade, with this flake's package as its default.
      nixosModules.default =
        { pkgs, lib, ... }:
        {
          imports = [ ./nix/module.nix ];
          services.xs-upgrade.package = lib.mkDefault self.packages.${pkgs.stdenv.hostPlatform.system}.default;
        };
      nixosModules.xs-upgrade = self.nixosModules.default;
    };
}
