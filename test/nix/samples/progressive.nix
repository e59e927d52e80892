# A follower of canaries in waves, behind a Prometheus gate and a command gate, with the watcher
# that starts a recall (or a set proven for it) without waiting for the timer.
{ root }:
{
  stateDir = "${root}/state";
  repos = [ { name = "nix-config"; path = "${root}/repos/nix-config"; } ];
  build = "nh os build ${root}/repos/nix-config";
  switch = "nh os switch ${root}/repos/nix-config";
  watch.enable = true;
  fleet = {
    group = "web";
    follow = {
      group = "canary";
      hosts = 2;
      soak = "2h";
      waves = [ { share = "5%"; soak = "2h"; } { share = "25%"; soak = "6h"; } { share = "100%"; } ];
      gates = [
        {
          name = "failed-units";
          prometheus = {
            url = "http://prometheus.example:9090";
            query = "sum(node_systemd_unit_state{state=\"failed\",group=\"{group}\"}) or vector(0)";
            max = 0;
          };
        }
        { name = "smoke"; command = [ "/run/current-system/sw/bin/true" ]; timeout = "1m"; }
      ];
    };
    etcd = { endpoints = [ "https://etcd-1.example.org:2379" ]; };
  };
}
