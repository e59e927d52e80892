# A follower in a fleet on etcd: waits for the canaries' proven commit set and for a slot.
{ root }:
{
  stateDir = "${root}/state";
  repos = [ { name = "nix-config"; path = "${root}/repos/nix-config"; } { name = "nix-secrets"; path = "${root}/repos/nix-secrets"; } ];
  build = "nh os build ${root}/repos/nix-config";
  switch = "nh os switch ${root}/repos/nix-config";
  fleet = {
    group = "web";
    id = "web-1";
    slotTimeout = "30m";
    onFailure = "hold";
    follow = { group = "canary"; soak = "1h"; };
    etcd = {
      endpoints = [ "https://etcd-1.example.org:2379" "https://etcd-2.example.org:2379" ];
      prefix = "/fleet/xs-upgrade";
      username = "xs-upgrade";
      password = "XS_UPGRADE_ETCD_PASSWORD";
    };
  };
}
