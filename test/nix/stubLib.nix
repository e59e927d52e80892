# A stand-in for the part of nixpkgs' `lib` that option declarations use, so they can be
# evaluated here (no nixpkgs on this machine): each type becomes a plain description the tests
# compare with the JSON Schema.
{
  mkOption = option: option // { _option = true; };
  types = {
    str = "str";
    int = "int";
    number = "number";
    bool = "bool";
    attrs = "attrs";
    anything = "anything";
    enum = values: { enum = values; };
    listOf = type: { listOf = type; };
    attrsOf = type: { attrsOf = type; };
    nullOr = type: { nullOr = type; };
    oneOf = choices: { oneOf = choices; };
    submodule = module: { submodule = module.options; };
  };
}
