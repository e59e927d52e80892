# A mistake a user makes: a number as a string. The real lib's type check must name the option.
{ root }:
{
  repos = [ { name = "nix-config"; path = "${root}/repos/nix-config"; } ];
  build = "true";
  switch = "true";
  fetchRetries = "two";
}
