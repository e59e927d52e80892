# xs-upgrade as a Nix package: `npm ci` from the lock file (offline, from the deps fetched by hash),
# `npm run build` (tsc, then the esbuild bundle the CLI runs from), and a wrapper that starts Node
# with the flags the systemd units use. See docs/nixos.md for the first build on a real host.
{
  lib,
  buildNpmPackage,
  nodejs_20,
  makeWrapper,
  # The hash of the npm dependencies in package-lock.json. It cannot be computed on the project's
  # build machine (no nixpkgs, no network there): the first `nix build` on a real host prints the
  # right value ("got: sha256-..."); pass it here, or write it in. docs/nixos.md, "Install".
  npmDepsHash ? lib.fakeHash,
}:

let
  packageJson = builtins.fromJSON (builtins.readFile ../package.json);
in
buildNpmPackage {
  pname = "xs-upgrade";
  inherit (packageJson) version;
  nodejs = nodejs_20;

  src = lib.fileset.toSource {
    root = ./..;
    fileset = lib.fileset.unions [
      ../package.json
      ../package-lock.json
      ../tsconfig.json
      ../tsconfig.build.json
      ../bin
      ../src
      ../demo
      ../bench
      ../scripts
      ../schemas
      ../configs
    ];
  };

  inherit npmDepsHash;

  # `npm run build`: tsc, then scripts/bundle.mjs writes dist/bundle, which bin/xs-upgrade.js loads.
  npmBuildScript = "build";

  nativeBuildInputs = [ makeWrapper ];

  # The same Node flags as the units' ExecStart (src/cli/systemdUnits.ts, nodeFlags): a flat
  # memory profile under a build that prints gigabytes.
  # The link npm made to bin/xs-upgrade.js goes first: writing the wrapper through it would
  # overwrite the script itself.
  postInstall = ''
    rm -f $out/bin/xs-upgrade
    makeWrapper ${nodejs_20}/bin/node $out/bin/xs-upgrade \
      --add-flags "--max-semi-space-size=4 $out/lib/node_modules/xs-upgrade/bin/xs-upgrade.js"
  '';

  meta = {
    description = "Unattended, rollback-safe upgrades for git-managed NixOS hosts";
    license = lib.licenses.mit;
    mainProgram = "xs-upgrade";
    platforms = lib.platforms.linux;
  };
}
