# nix/package.nix as `callPackage` gives it its arguments: the real nixpkgs lib (at `libPath`), and
# for the builders, functions that return what they were given, so a test reads what the package
# asks nixpkgs for. lib.fileset needs Nix 2.14 (builtins.readFileType) and this machine's Nix is
# 2.8, so the file set is read as the list of paths it unites; the test builds from exactly those.
{ libPath }:
let
  realLib = import libPath;
  root = toString ../..;
  relative = path: if toString path == root then "." else realLib.removePrefix "${root}/" (toString path);
  lib = realLib // {
    fileset = {
      unions = paths: map relative paths;
      toSource = { root, fileset }: { root = relative root; files = fileset; };
    };
  };
  importNpmLock = {
    __functor = _: args: { importNpmLock = args; };
    npmConfigHook = "importNpmLock.npmConfigHook";
  };
  package = import ../../nix/package.nix {
    inherit lib importNpmLock;
    buildNpmPackage = args: args;
    nodejs_22 = "nodejs_22";
    makeWrapper = "makeWrapper";
  };
in
{
  inherit (package) pname version src npmBuildScript npmConfigHook nodejs postInstall;
  npmDeps = package.npmDeps.importNpmLock;
  hasNpmDepsHash = package ? npmDepsHash;
}
