# Takes the system CI built: its store path from a URL, fetched from two caches with their keys,
# prefetched outside a night window; nothing is built here.
{ root }:
{
  stateDir = "${root}/state";
  repos = [ { name = "nix-config"; path = "${root}/repos/nix-config"; } ];
  buildBeforeSwitch = false;
  switch = "nh os switch ${root}/repos/nix-config";
  window = { start = "02:00"; length = "3h"; };
  system = {
    profile = "/nix/var/nix/profiles/system";
    closure = {
      url = "https://ci.example/closures/{host}/{nix-config}";
      substituters = [ "https://cache.example" "https://cache.nixos.org" ];
      publicKeys = [ "ci.example-1:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfG=" "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=" ];
      keepFree = "2GiB";
      gcCommand = [ "nix-collect-garbage" "--delete-older-than" "30d" ];
    };
  };
}
