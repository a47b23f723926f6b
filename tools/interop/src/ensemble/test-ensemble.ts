/**
 * Real-process ensembles for tests, of either implementation: Corral
 * (`corral server` through @corral/server's LocalEnsemble) or Apache
 * ZooKeeper 3.8 (QuorumPeerMain with the same zoo.cfg/myid files). Every
 * port is drawn from 40000-49999 and checked free, data lives in a fresh temp
 * dir, and every process is stopped by PID in close() (and SIGKILLed if the
 * test process exits first). With `proxied`, every directed peer link goes
 * through its own LinkProxy, so a test can partition members both ways or
 * one way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEnsemble, askFourLetterWord, corralLauncher, modeOf } from '@corral/server';
import type { EnsembleLayout, EnsembleMember, MemberLauncher, PeerAddress, ServerMode } from '@corral/server';
import { parseKeyValueLines } from '../four-letter.js';
import { javaBin, slf4jSimpleJar, zookeeperClasspath } from '../paths.js';
import { portIsFree, randomPort } from '../ports.js';
import type { ServerKind } from '../servers.js';
import { LinkProxy } from './link-proxy.js';

/** How to start a test ensemble. */
export interface TestEnsembleOptions {
  readonly kind: ServerKind;
  readonly size: number;
  /** Put every peer link behind a LinkProxy (needed for partitions). */
  readonly proxied?: boolean;
  /** Default 200 ms: failover in about a second; initLimit 10 and syncLimit 5 ticks unless set. */
  readonly tickTimeMs?: number;
  /** Extra zoo.cfg keys for every member (snapCount, syncLimit, ...). */
  readonly settings?: Readonly<Record<string, string>>;
  /** Extra `-D` properties for Apache (it reads some settings only as system properties). */
  readonly apacheProperties?: readonly string[];
  /** Corral only: each member also serves the gRPC client API on a port of its own. */
  readonly grpc?: boolean;
  /** Each output line of each member (default: only kept as a tail). */
  readonly onLine?: (sid: number, line: string) => void;
}

const loopback = '127.0.0.1';

/** Limits of the kit. */
export const testEnsembleLimits = {
  /** Whole-ensemble start attempts (a port taken between the check and the bind costs one). */
  startAttemptsMax: 3,
  /** Wait before a member that lost a port race is started again. */
  portRetryMs: 1_000,
  /** Apache's heap per member: small, since up to five JVMs share the machine. */
  apacheHeap: '-Xmx192m',
} as const;

/** QuorumPeerMain on the member's zoo.cfg, logging INFO to stderr (kept as the member's tail). */
export function apacheLauncher(extraProperties: readonly string[] = []): MemberLauncher {
  return (member, configPath) => ({
    command: javaBin,
    args: [
      testEnsembleLimits.apacheHeap,
      '-Dzookeeper.admin.enableServer=false',
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=info',
      '-Dorg.slf4j.simpleLogger.showDateTime=true',
      ...extraProperties,
      '-cp',
      [...zookeeperClasspath, slf4jSimpleJar].join(':'),
      'org.apache.zookeeper.server.quorum.QuorumPeerMain',
      configPath,
    ],
    cwd: member.dir,
    env: { ZOO_LOG_DIR: member.dir },
  });
}

/** Draws `count` distinct free ports from 40000-49999. */
async function freePorts(count: number, avoid: Set<number>): Promise<number[]> {
  const ports: number[] = [];
  for (let attempt = 0; ports.length < count; attempt++) {
    if (attempt > count * 20) throw new Error('not enough free ports in 40000-49999');
    const port = randomPort();
    if (avoid.has(port) || !(await portIsFree(port))) continue;
    avoid.add(port);
    ports.push(port);
  }
  return ports;
}

/** A running ensemble owned by one test. */
export class TestEnsemble {
  private closed = false;

  private constructor(
    readonly kind: ServerKind,
    readonly local: LocalEnsemble,
    private readonly workDir: string,
    /** proxies.get(viewer).get(peer) = [quorum proxy, election proxy]. */
    private readonly proxies: Map<number, Map<number, readonly [LinkProxy, LinkProxy]>>,
  ) {}

  /** Starts the ensemble and waits until every member serves under one leader. */
  static async start(options: TestEnsembleOptions): Promise<TestEnsemble> {
    const failures: string[] = [];
    for (let attempt = 0; attempt < testEnsembleLimits.startAttemptsMax; attempt++) {
      const ensemble = await TestEnsemble.launch(options);
      try {
        await ensemble.waitForQuorum();
        return ensemble;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.push(message);
        await ensemble.close();
        // Only a lost port race is worth new ports.
        if (!/BindException|EADDRINUSE|Address already in use/i.test(message)) break;
      }
    }
    throw new Error(`${options.kind} ensemble of ${options.size} did not start:\n${failures.join('\n---\n')}`);
  }

  /** Starts the processes without waiting for a leader (probes, tests of start-up itself). */
  static startWithoutQuorum(options: TestEnsembleOptions): Promise<TestEnsemble> {
    return TestEnsemble.launch(options);
  }

  private static async launch(options: TestEnsembleOptions): Promise<TestEnsemble> {
    const workDir = mkdtempSync(join(tmpdir(), `corral-ensemble-${options.kind}-`));
    const used = new Set<number>();
    const ports = await freePorts(options.size * 3, used);
    const grpcPorts = options.grpc === true ? await freePorts(options.size, used) : [];
    const members: EnsembleMember[] = [];
    for (let index = 0; index < options.size; index++) {
      const grpcPort = grpcPorts[index];
      members.push({
        sid: index + 1,
        host: loopback,
        clientPort: ports[index * 3] ?? 0,
        ...(grpcPort === undefined ? {} : { grpcPort }),
        quorumPort: ports[index * 3 + 1] ?? 0,
        electionPort: ports[index * 3 + 2] ?? 0,
        observer: false,
        dir: join(workDir, `server${index + 1}`),
      });
    }
    const proxies = new Map<number, Map<number, readonly [LinkProxy, LinkProxy]>>();
    if (options.proxied === true) {
      for (const viewer of members) {
        const row = new Map<number, readonly [LinkProxy, LinkProxy]>();
        proxies.set(viewer.sid, row);
        for (const peer of members) {
          if (peer.sid === viewer.sid) continue;
          const quorum = await LinkProxy.start(peer.quorumPort, used);
          used.add(quorum.port);
          const election = await LinkProxy.start(peer.electionPort, used);
          used.add(election.port);
          row.set(peer.sid, [quorum, election]);
        }
      }
    }
    if (options.kind === 'apache') {
      for (const [viewer, row] of proxies) {
        for (const [peer, pair] of row) {
          const back = proxies.get(peer)?.get(viewer);
          if (back !== undefined) pair[1].rewriteElectionHandshake(`${loopback}:${back[1].port}`);
        }
      }
    }
    const peerAddress = (viewerSid: number, peerSid: number): PeerAddress => {
      const pair = proxies.get(viewerSid)?.get(peerSid);
      if (pair === undefined) throw new Error(`no proxy for ${viewerSid}->${peerSid}`);
      return { host: loopback, quorumPort: pair[0].port, electionPort: pair[1].port };
    };
    const tickTimeMs = options.tickTimeMs ?? 200;
    const layout: EnsembleLayout = {
      members,
      settings: new Map([
        ['tickTime', String(tickTimeMs)],
        ['initLimit', '10'],
        ['syncLimit', '5'],
        ['maxClientCnxns', '200'],
        ['minSessionTimeout', String(tickTimeMs * 2)],
        ['maxSessionTimeout', String(Math.max(tickTimeMs * 20, 10_000))],
        ...Object.entries(options.settings ?? {}),
      ]),
      ...(options.proxied === true ? { peerAddress } : {}),
    };
    const launcher = options.kind === 'apache' ? apacheLauncher(options.apacheProperties) : corralLauncher;
    const local = LocalEnsemble.start({ layout, launcher, ...(options.onLine === undefined ? {} : { onLine: options.onLine }) });
    return new TestEnsemble(options.kind, local, workDir, proxies);
  }

  get members(): readonly EnsembleMember[] {
    return this.local.members;
  }

  get sids(): number[] {
    return this.local.members.map((member) => member.sid);
  }

  /** Every member's client address. */
  get connectString(): string {
    return this.local.connectString;
  }

  /** Every member's gRPC address (started with `grpc`). */
  get grpcConnectString(): string {
    return this.local.members.map((member) => {
      if (member.grpcPort === undefined) throw new Error('started without grpc');
      return `${loopback}:${member.grpcPort}`;
    }).join(',');
  }

  /** The client addresses of `sids` only (a client pinned to some servers). */
  connectStringOf(sids: readonly number[]): string {
    return sids.map((sid) => `${loopback}:${this.local.member(sid).clientPort}`).join(',');
  }

  /** Waits for one leader with `sids` (default: every running member) serving; returns the leader's sid. */
  waitForQuorum(options: { sids?: readonly number[]; timeoutMs?: number } = {}): Promise<number> {
    return this.local.waitForQuorum(options);
  }

  /** Each running member's `srvr` mode (of `sids` only when given). */
  modes(sids?: readonly number[]): Promise<Map<number, ServerMode | null>> {
    return this.local.modes(sids);
  }

  /** A four-letter word's answer from one member. */
  fourLetter(sid: number, word: string): Promise<string> {
    return askFourLetterWord({ host: loopback, port: this.local.member(sid).clientPort, word });
  }

  /** `mntr` as a map (`zk_server_state` → `leader`, ...). */
  async mntr(sid: number): Promise<Map<string, string>> {
    return parseKeyValueLines(await this.fourLetter(sid, 'mntr'), /\t/);
  }

  /** The mode of one member, or null when it does not serve. */
  async mode(sid: number): Promise<ServerMode | null> {
    try {
      return modeOf(await this.fourLetter(sid, 'srvr'));
    } catch {
      return null;
    }
  }

  kill9(sid: number): Promise<void> {
    return this.local.kill9(sid);
  }

  /** kill -9 of every member at once. */
  killAll(): Promise<void> {
    return this.local.killAll();
  }

  pause(sid: number): void {
    this.local.pause(sid);
  }

  resume(sid: number): void {
    this.local.resume(sid);
  }

  /** Starts a stopped or killed member again on its data. */
  restart(sid: number): void {
    this.local.startMember(sid);
  }

  /**
   * Restarts `sids` and waits until every member serves under one leader
   * (returned). A restarted member keeps its ports, and 40000-49999 lies in
   * Linux's ephemeral range: another test's connection may hold one of them
   * for a moment, and the member exits with EADDRINUSE. Such a member is
   * started again, as TestEnsemble.start does for a whole ensemble.
   */
  async restartAndWait(sids: readonly number[]): Promise<number> {
    for (const sid of sids) this.restart(sid);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.waitForQuorum({ sids: this.sids });
      } catch (error) {
        const lostPortRace = sids.filter((sid) => !this.isRunning(sid) && /EADDRINUSE|address already in use/i.test(this.describe([sid], 10)));
        if (lostPortRace.length === 0 || attempt >= testEnsembleLimits.startAttemptsMax) throw error;
        await new Promise((resolve) => setTimeout(resolve, testEnsembleLimits.portRetryMs));
        for (const sid of lostPortRace) this.restart(sid);
      }
    }
  }

  stopMember(sid: number): Promise<void> {
    return this.local.stopMember(sid);
  }

  isRunning(sid: number): boolean {
    return this.local.isRunning(sid);
  }

  /** The PID of a running member, or null. */
  pid(sid: number): number | null {
    return this.local.pid(sid);
  }

  /** How a member's last process ended (null while it runs). */
  exitStatus(sid: number): { code: number | null; signal: NodeJS.Signals | null } | null {
    return this.local.exitStatus(sid);
  }

  private linkProxies(viewer: number, peer: number): readonly LinkProxy[] {
    const pair = this.proxies.get(viewer)?.get(peer);
    if (pair === undefined) throw new Error('peer links are not proxied: start with { proxied: true }');
    return pair;
  }

  /** Drops every byte `from` sends to `to` (both on links `from` dials and on links `to` dials). */
  cutOneWay(from: number, to: number): void {
    for (const proxy of this.linkProxies(from, to)) proxy.drop({ toPeer: true, fromPeer: false });
    for (const proxy of this.linkProxies(to, from)) proxy.drop({ toPeer: false, fromPeer: true });
  }

  /** Cuts every link between the groups, both ways (members of one group still talk). */
  partition(groups: readonly (readonly number[])[]): void {
    for (const group of groups) {
      for (const other of groups) {
        if (other === group) continue;
        for (const from of group) for (const to of other) this.cutOneWay(from, to);
      }
    }
  }

  /** Cuts `sid` off from every other member. */
  isolate(sid: number): void {
    this.partition([[sid], this.sids.filter((other) => other !== sid)]);
  }

  /** Restores every link. */
  heal(): void {
    for (const row of this.proxies.values()) for (const pair of row.values()) for (const proxy of pair) proxy.heal();
  }

  /** The last output lines of each member (or of `sids`). */
  describe(sids?: readonly number[], lineCount?: number): string {
    return this.local.describe(sids, lineCount);
  }

  /** Stops every member by PID, closes the proxies and removes the data; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.local.close();
    await Promise.all([...this.proxies.values()].flatMap((row) => [...row.values()].flat().map((proxy) => proxy.close())));
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
