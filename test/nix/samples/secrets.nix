# A host whose secrets stay out of the store: an EnvironmentFile and a systemd credential.
{ root }:
{
  stateDir = "/var/lib/xs-upgrade";
  repos = [ { name = "nix-config"; path = "${root}/repos/nix-config"; } ];
  build = "nh os build ${root}/repos/nix-config";
  switch = "nh os switch ${root}/repos/nix-config";
  secretEnvFile = "/run/secrets/xs-upgrade.env";
  credentials = { webhook-token = "/run/secrets/webhook-token"; };
}
