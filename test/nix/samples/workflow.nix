# The seed's workflow, as a NixOS user writes services.xs-upgrade (the options the module takes,
# without `enable`, `package` and `path`). `root` is where the test put real repos.
{ root }:
{
  enable = true;
  path = [ ];
  stateDir = "${root}/state";
  repos = [
    { name = "nix-config"; path = "${root}/repos/nix-config"; }
    { name = "nix-secrets"; path = "${root}/repos/nix-secrets"; branch = "main"; }
  ];
  preUpdateHooks = [ "chezmoi re-add" ];
  build = { name = "build"; run = "nh os build ${root}/repos/nix-config"; timeout = "2h"; };
  validationChecks = [
    "systemctl --quiet is-enabled sshd"
    { name = "config present"; run = [ "test" "-f" "${root}/repos/nix-config/configuration.nix" ]; timeout = "10s"; }
  ];
  switch = { name = "switch"; run = "nh os switch ${root}/repos/nix-config"; timeout = "1h"; };
  rollbackSwitch = "nixos-rebuild switch --rollback";
  healthChecks = [
    { name = "sshd"; command = [ "systemctl" "is-active" "sshd" ]; retries = 3; interval = "5s"; }
  ];
  notify = [
    # The URL and the token are named, not written here: they never enter the Nix store.
    {
      on = [ "rolled-back" "rollback-failed" ];
      webhook = {
        url = { env = "XS_UPGRADE_WEBHOOK_URL"; };
        headers = { Authorization = { credential = "webhook-token"; }; };
      };
    }
  ];
}
