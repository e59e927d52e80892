# Upgrades only in a night window, on AC power and an unmetered network; reboots for a new kernel.
{ root }:
{
  stateDir = "${root}/state";
  repos = [ { name = "nix-config"; path = "${root}/repos/nix-config"; } { name = "nix-secrets"; path = "${root}/repos/nix-secrets"; } ];
  build = "nh os build ${root}/repos/nix-config";
  switch = "nh os switch ${root}/repos/nix-config";
  window = { start = "02:00"; length = "3h"; days = [ "Mon" "Tue" "Wed" "Thu" "Fri" ]; };
  conditions = { acPower = true; unmetered = true; };
}
