# Local mode (the default) without repos: the module's assertion, not a type error.
{ root }:
{
  stateDir = "${root}/state";
  build = "true";
  switch = "true";
}
