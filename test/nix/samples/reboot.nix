# Reboots into a new kernel in a night window, checking the boot after it; the system profile is
# where the test built real generations.
{ root }:
{
  stateDir = "${root}/state";
  repos = [ { name = "nix-config"; path = "${root}/repos/nix-config"; } { name = "nix-secrets"; path = "${root}/repos/nix-secrets"; } ];
  build = "nh os build ${root}/repos/nix-config";
  switch = "nh os switch ${root}/repos/nix-config";
  system = { profile = "${root}/profiles/system"; };
  reboot = { when = "needed"; window = { lower = "01:00"; upper = "05:00"; }; };
  bootChecks = [ { name = "sshd"; command = [ "systemctl" "is-active" "sshd" ]; } ];
}
