# xs-upgrade as a Nix package: `npm ci` from the lock file (offline, from the deps Nix fetched),
# `npm run build` (tsc, then the esbuild bundle the CLI runs from), and a wrapper that starts Node
# with the flags the systemd units use. See docs/nixos.md, "Install".
{
  lib,
  buildNpmPackage,
  importNpmLock,
  # NixOS's default Node. The code also runs on Node 20 (package.json's engines); the project's
  # tests run the built CLI on Node 22 too (test/nix/package.test.ts, test/e2e/node22.test.ts).
  nodejs_22,
  makeWrapper,
}:

let
  packageJson = builtins.fromJSON (builtins.readFile ../package.json);
in
buildNpmPackage {
  pname = "xs-upgrade";
  inherit (packageJson) version;
  nodejs = nodejs_22;

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

  # Every dependency is fetched by the address and integrity hash package-lock.json already
  # holds (one fixed-output download each), so there is no npmDepsHash to fill in by hand: a lock
  # change is the whole update. .npmrc keeps the addresses in the lock; test/nix/package.test.ts
  # checks that every entry has both.
  npmDeps = importNpmLock {
    package = lib.importJSON ../package.json;
    packageLock = lib.importJSON ../package-lock.json;
  };
  npmConfigHook = importNpmLock.npmConfigHook;

  # `npm run build`: tsc, then scripts/bundle.mjs writes dist/bundle, which bin/xs-upgrade.js loads.
  npmBuildScript = "build";

  nativeBuildInputs = [ makeWrapper ];

  # The same Node flags as the units' ExecStart (src/cli/systemdUnits.ts, nodeFlags): a flat
  # memory profile under a build that prints gigabytes.
  # The link npm made to bin/xs-upgrade.js goes first: writing the wrapper through it would
  # overwrite the script itself.
  postInstall = ''
    rm -f $out/bin/xs-upgrade
    makeWrapper ${nodejs_22}/bin/node $out/bin/xs-upgrade \
      --add-flags "--max-semi-space-size=4 $out/lib/node_modules/xs-upgrade/bin/xs-upgrade.js"
  '';

  meta = {
    description = "Unattended, rollback-safe upgrades for git-managed NixOS hosts";
    license = lib.licenses.mit;
    mainProgram = "xs-upgrade";
    platforms = lib.platforms.linux;
  };
}
