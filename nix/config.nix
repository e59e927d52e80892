# The module's option values -> the JSON config xs-upgrade reads. Only Nix builtins (no nixpkgs
# lib), so it is evaluated here with `nix-instantiate --eval --strict --json` and each result
# checked by `xs-upgrade validate` (test/nix/config.test.ts). The options mirror the schema name
# for name (nix/options.generated.nix), so the mapping is: drop what is unset (null), at every
# level, and the module's own options, which are not part of the config.
cfg:
let
  moduleOnly = [ "enable" "package" "path" "secretEnvFile" "credentials" "watch" "_module" ];
  # Also `_module`, which the module system may leave in a submodule's value.
  clean =
    value:
    if builtins.isAttrs value then
      builtins.mapAttrs (name: clean) (
        builtins.removeAttrs value (
          [ "_module" ] ++ builtins.filter (name: value.${name} == null) (builtins.attrNames value)
        )
      )
    else if builtins.isList value then
      map clean value
    else
      value;
in
clean (builtins.removeAttrs cfg moduleOnly)
