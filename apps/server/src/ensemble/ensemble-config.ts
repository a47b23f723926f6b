/**
 * The zoo.cfg and myid of each member of an ensemble, in ZooKeeper's format
 * (`server.N=host:quorumPort:electionPort[:role];clientHost:clientPort`), so
 * the same files start Corral (`corral server --config`) or Apache ZooKeeper
 * (QuorumPeerMain). Each member may see its peers at different addresses:
 * ZooKeeper binds its own entry and dials the others as listed, which lets a
 * test put every peer link behind its own proxy.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where one member listens. */
export interface EnsembleMember {
  readonly sid: number;
  readonly host: string;
  readonly clientPort: number;
  /** The gRPC client API's port (Corral's `grpcPort`), if it serves one. */
  readonly grpcPort?: number;
  readonly quorumPort: number;
  readonly electionPort: number;
  readonly observer: boolean;
  /** Holds zoo.cfg, myid and the data (dataDir). */
  readonly dir: string;
}

/** The address `viewer` dials to reach `peer`'s quorum and election ports. */
export interface PeerAddress {
  readonly host: string;
  readonly quorumPort: number;
  readonly electionPort: number;
}

/** Everything the config files depend on. */
export interface EnsembleLayout {
  readonly members: readonly EnsembleMember[];
  /** Keys written into every zoo.cfg (tickTime, initLimit, snapCount, ...), after the defaults. */
  readonly settings: ReadonlyMap<string, string>;
  /** How `viewer` sees `peer`; the peer's own ports when absent. */
  readonly peerAddress?: (viewerSid: number, peerSid: number) => PeerAddress;
}

/** Limits of the local launcher (STYLE §6). */
export const ensembleLimits = {
  /** ZooKeeper's sid range in myid is 1..255 here (0 is legal in ZooKeeper but confusing in logs). */
  sidMax: 255,
  /** Members of one local ensemble: more than this does not fit two cores anyway. */
  membersMax: 15,
} as const;

/** The defaults every member gets unless `settings` overrides them (ZooKeeper's sample zoo.cfg, 4lw on). */
export const ensembleSettingsDefault: ReadonlyMap<string, string> = new Map([
  ['tickTime', '2000'],
  ['initLimit', '10'],
  ['syncLimit', '5'],
  ['4lw.commands.whitelist', '*'],
  ['admin.enableServer', 'false'],
]);

/** The path of a member's zoo.cfg. */
export function zooCfgPath(member: EnsembleMember): string {
  return join(member.dir, 'zoo.cfg');
}

/** The data dir of a member (holds myid). */
export function dataDirOf(member: EnsembleMember): string {
  return join(member.dir, 'data');
}

/** The zoo.cfg text of `self` in `layout`. */
export function memberZooCfg(layout: EnsembleLayout, self: EnsembleMember): string {
  const settings = new Map([...ensembleSettingsDefault, ...layout.settings]);
  const lines = [...settings].map(([key, value]) => `${key}=${value}`);
  lines.push(`dataDir=${dataDirOf(self)}`, `clientPort=${self.clientPort}`, `clientPortAddress=${self.host}`);
  if (self.grpcPort !== undefined) lines.push(`grpcPort=${self.grpcPort}`);
  for (const member of layout.members) {
    const seen = member.sid === self.sid || layout.peerAddress === undefined ? member : layout.peerAddress(self.sid, member.sid);
    const role = member.observer ? 'observer' : 'participant';
    lines.push(`server.${member.sid}=${seen.host}:${seen.quorumPort}:${seen.electionPort}:${role};${member.host}:${member.clientPort}`);
  }
  return lines.join('\n') + '\n';
}

/** Checks the layout: unique sids in range, a quorum of participants, distinct ports. */
export function validateLayout(layout: EnsembleLayout): void {
  const { members } = layout;
  if (members.length < 1 || members.length > ensembleLimits.membersMax) {
    throw new RangeError(`an ensemble has 1..${ensembleLimits.membersMax} members, not ${members.length}`);
  }
  const sids = new Set<number>();
  const ports = new Set<number>();
  for (const member of members) {
    if (!Number.isInteger(member.sid) || member.sid < 1 || member.sid > ensembleLimits.sidMax) {
      throw new RangeError(`sid ${member.sid} is outside 1..${ensembleLimits.sidMax}`);
    }
    if (sids.has(member.sid)) throw new RangeError(`sid ${member.sid} appears twice`);
    sids.add(member.sid);
    for (const port of [member.clientPort, member.quorumPort, member.electionPort, ...(member.grpcPort === undefined ? [] : [member.grpcPort])]) {
      if (ports.has(port)) throw new RangeError(`port ${port} is used twice`);
      ports.add(port);
    }
  }
  if (!members.some((member) => !member.observer)) throw new RangeError('an ensemble needs at least one participant');
}

/** Writes every member's zoo.cfg and myid (creating its dirs); existing data is kept. */
export function writeEnsembleFiles(layout: EnsembleLayout): void {
  validateLayout(layout);
  for (const member of layout.members) {
    mkdirSync(dataDirOf(member), { recursive: true });
    writeFileSync(zooCfgPath(member), memberZooCfg(layout, member));
    writeFileSync(join(dataDirOf(member), 'myid'), `${member.sid}\n`);
  }
}

/**
 * The layout of `corral ensemble --local N`: member i (sid i, 1-based) listens on
 * basePort+i-1 for clients, basePort+100+i-1 for the quorum and basePort+200+i-1
 * for elections (2181.., 2281.., 2381.. by default), under dataDir/server<i>.
 */
export function localLayout(options: { size: number; basePort: number; dataDir: string; settings?: ReadonlyMap<string, string> }): EnsembleLayout {
  const { size, basePort, dataDir } = options;
  if (!Number.isInteger(basePort) || basePort < 1 || basePort + 200 + size > 65536) {
    throw new RangeError(`base port ${basePort} leaves no room for ${size} members`);
  }
  const members: EnsembleMember[] = [];
  for (let sid = 1; sid <= size; sid++) {
    members.push({
      sid,
      host: '127.0.0.1',
      clientPort: basePort + sid - 1,
      quorumPort: basePort + 100 + sid - 1,
      electionPort: basePort + 200 + sid - 1,
      observer: false,
      dir: join(dataDir, `server${sid}`),
    });
  }
  return { members, settings: options.settings ?? new Map() };
}

/** `host:clientPort,...` of the members, what clients take. */
export function connectStringOf(members: readonly EnsembleMember[]): string {
  return members.map((member) => `${member.host}:${member.clientPort}`).join(',');
}
