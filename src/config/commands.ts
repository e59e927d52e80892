// Every command a config runs as root, with where it stands in the config: what `validate` looks
// for on PATH (checkHost.ts) and whose files must not be a non-root user's (checkOwnership.ts).
// One list, so a new kind of command (a closure source, a gate) is checked by both or neither.
import type { CommandSpec, ResolvedConfig } from './resolve.js';

export function configCommands(config: ResolvedConfig): { where: string; spec: CommandSpec }[] {
  const list = (specs: CommandSpec[], key: string) =>
    specs.map((spec, index) => ({ where: `/${key}/${index}`, spec }));
  const closure = config.system?.closure;
  return [
    ...list(config.preUpdateHooks, 'preUpdateHooks'),
    ...(config.build ? [{ where: '/build', spec: config.build }] : []),
    ...list(config.validationChecks, 'validationChecks'),
    { where: '/switch', spec: config.switch },
    ...(config.rollbackSwitch ? [{ where: '/rollbackSwitch', spec: config.rollbackSwitch }] : []),
    ...config.healthChecks.flatMap((check, index) =>
      'command' in check.target
        ? [{ where: `/healthChecks/${index}/command`, spec: check.target.command }]
        : [],
    ),
    ...config.notify.flatMap((notification, index) =>
      'command' in notification.target
        ? [{ where: `/notify/${index}/command`, spec: notification.target.command }]
        : [],
    ),
    ...(closure && 'command' in closure.source
      ? [{ where: '/system/closure/command', spec: closure.source.command }]
      : []),
    ...(closure?.gcCommand
      ? [{ where: '/system/closure/gcCommand', spec: closure.gcCommand }]
      : []),
    ...(config.fleet?.follow?.gates ?? []).flatMap((gate, index) =>
      'command' in gate.check
        ? [{ where: `/fleet/follow/gates/${index}/command`, spec: gate.check.command }]
        : [],
    ),
  ];
}
