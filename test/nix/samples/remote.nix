# Remote mode: this host switches to what another machine built; no repos of its own.
{ root }:
{
  mode = "remote";
  stateDir = "${root}/state";
  schedule = "Sun 03:00";
  randomizedDelaySec = "30m";
  buildBeforeSwitch = false;
  switch = [ "nixos-rebuild" "switch" "--flake" "github:example/fleet#web" ];
}
