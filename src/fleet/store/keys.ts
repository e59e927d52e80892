// Where everything lives in the fleet's etcd, under the configured prefix P. A host writes only
// keys that name it, so etcd's RBAC can give each host a role that writes those and reads the
// rest (docs/fleet.md, "Roles"):
//   P/reports/ID                 the host's last run                      written by host ID
//   P/proofs/ID/SET              ID ran SET healthy (open, or until when) written by host ID
//   P/rejections/ID/SET          ID rolled SET back for its content       written by host ID
//   P/slots/GROUP/claims/ID      ID's place in GROUP's slot queue         written by host ID
//   P/slots/GROUP/limit          how many slots GROUP has                 operator
//   P/forgiven/SET               rejections of SET before this are lifted operator
//   P/members/ID                 ID is enrolled, in this group            operator
//   P/paused/GROUP               GROUP takes nothing new: who, when, why  operator
//   P/paused-all                 no group takes anything new              operator
//   P/aborted/SET                SET is rejected fleet-wide by an operator operator
// A record's host and set come from its key, never from its text: a host cannot write a proof
// in another host's name.

export const hostIdPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
export const groupPattern = /^[a-zA-Z0-9.-]{1,100}$/;
export const setIdPattern = /^[0-9a-f]{12}$/;
/** Who an operator record names: an etcd or system user name, as `fleet pause` writes it. */
export const operatorPattern = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,99}$/;

export type FleetKeys = ReturnType<typeof fleetKeys>;

export function fleetKeys(prefix: string) {
  const p = prefix.replace(/\/+$/, '');
  return {
    prefix: `${p}/`,
    reports: `${p}/reports/`,
    report: (host: string) => `${p}/reports/${host}`,
    proofs: `${p}/proofs/`,
    hostProofs: (host: string) => `${p}/proofs/${host}/`,
    proof: (host: string, set: string) => `${p}/proofs/${host}/${set}`,
    rejections: `${p}/rejections/`,
    hostRejections: (host: string) => `${p}/rejections/${host}/`,
    rejection: (host: string, set: string) => `${p}/rejections/${host}/${set}`,
    slots: `${p}/slots/`,
    groupSlots: (group: string) => `${p}/slots/${group}/`,
    claims: (group: string) => `${p}/slots/${group}/claims/`,
    claim: (group: string, host: string) => `${p}/slots/${group}/claims/${host}`,
    limit: (group: string) => `${p}/slots/${group}/limit`,
    forgivenAll: `${p}/forgiven/`,
    forgiven: (set: string) => `${p}/forgiven/${set}`,
    members: `${p}/members/`,
    member: (host: string) => `${p}/members/${host}`,
    paused: `${p}/paused/`,
    pausedGroup: (group: string) => `${p}/paused/${group}`,
    pausedAll: `${p}/paused-all`,
    abortedAll: `${p}/aborted/`,
    aborted: (set: string) => `${p}/aborted/${set}`,
    /** Keys of the layout before per-host keys (one document per set and per group). */
    legacy: [`${p}/sets/`, `${p}/hosts/`],
  };
}

/** The parts of `key` after `under`, split at "/": [] when it is not under it. */
export function keyParts(key: string, under: string): string[] {
  return key.startsWith(under) ? key.slice(under.length).split('/') : [];
}
