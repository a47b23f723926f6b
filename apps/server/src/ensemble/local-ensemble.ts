/**
 * Runs an ensemble on this machine: writes each member's zoo.cfg and myid,
 * starts one server process per member (Corral's own CLI by default, or any
 * command a `launcher` builds, e.g. Apache ZooKeeper's QuorumPeerMain), and
 * controls each by PID: kill -9, SIGSTOP/SIGCONT, restart, stop. Used by
 * `corral ensemble --local N` and by the real-process ensemble tests.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { connectStringOf, validateLayout, writeEnsembleFiles, zooCfgPath } from './ensemble-config.js';
import type { EnsembleLayout, EnsembleMember } from './ensemble-config.js';
import { askFourLetterWord, modeOf } from './four-letter-client.js';
import type { ServerMode } from './four-letter-client.js';
import { MemberProcess } from './member-process.js';
import type { MemberCommand } from './member-process.js';
import { resolveServerEntry } from '../server-entry.js';

/** Builds the command that runs `member` from its zoo.cfg. */
export type MemberLauncher = (member: EnsembleMember, configPath: string) => MemberCommand;

/**
 * The Corral CLI a member runs: the bundle when fresh, else dist/cli.js (see server-entry.ts).
 * Resolved at each launch, not from this module's URL: inside the bundle that URL is dist/'s.
 */
export function corralCliPath(): string {
  return resolveServerEntry().file;
}

/**
 * Node options for every member, space-separated (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`
 * to profile a bench's members: NODE_OPTIONS refuses --cpu-prof). Read at each launch.
 */
export const memberNodeArgsEnv = 'CORRAL_MEMBER_NODE_ARGS';

/** Runs `node <corral CLI> server --config <zoo.cfg>` (no wrapper: the PID is the server). */
export const corralLauncher: MemberLauncher = (member, configPath) => ({
  command: process.execPath,
  args: [...(process.env[memberNodeArgsEnv]?.split(' ').filter((arg) => arg !== '') ?? []), corralCliPath(), 'server', '--config', configPath],
  cwd: member.dir,
});

/** Options of LocalEnsemble.start. */
export interface LocalEnsembleOptions {
  readonly layout: EnsembleLayout;
  readonly launcher?: MemberLauncher;
  /** Each output line of each member; default: dropped (the tail is kept either way). */
  readonly onLine?: (sid: number, line: string) => void;
  /** Called when a member exits without being asked to (crash, config error). */
  readonly onUnexpectedExit?: (sid: number, status: { code: number | null; signal: NodeJS.Signals | null }) => void;
}

/** Limits of the launcher's waits. */
export const localEnsembleLimits = {
  /** Time for every member to serve with one leader (JVMs on two cores start slowly). */
  quorumTimeoutMs: 60_000,
  pollMs: 100,
} as const;

/** A running local ensemble. */
export class LocalEnsemble {
  private readonly processes = new Map<number, MemberProcess>();
  /** Members whose exit was asked for (kill9/stop): their exit is not "unexpected". */
  private readonly expectedExit = new Set<MemberProcess>();
  private closed = false;

  private constructor(
    readonly layout: EnsembleLayout,
    private readonly launcher: MemberLauncher,
    private readonly options: LocalEnsembleOptions,
  ) {}

  /** Writes the files and starts every member (does not wait for a quorum: see waitForQuorum). */
  static start(options: LocalEnsembleOptions): LocalEnsemble {
    validateLayout(options.layout);
    writeEnsembleFiles(options.layout);
    const ensemble = new LocalEnsemble(options.layout, options.launcher ?? corralLauncher, options);
    for (const member of options.layout.members) ensemble.startMember(member.sid);
    return ensemble;
  }

  get members(): readonly EnsembleMember[] {
    return this.layout.members;
  }

  /** `127.0.0.1:p1,127.0.0.1:p2,...`. */
  get connectString(): string {
    return connectStringOf(this.layout.members);
  }

  member(sid: number): EnsembleMember {
    const member = this.layout.members.find((candidate) => candidate.sid === sid);
    if (member === undefined) throw new RangeError(`no member with sid ${sid}`);
    return member;
  }

  /** The PID of a running member, or null. */
  pid(sid: number): number | null {
    const running = this.processes.get(sid);
    return running === undefined || running.hasExited ? null : running.pid;
  }

  /** How a member's last process ended (null while it runs or if it never started). */
  exitStatus(sid: number): { code: number | null; signal: NodeJS.Signals | null } | null {
    const running = this.processes.get(sid);
    return running === undefined || !running.hasExited ? null : running.exitStatus;
  }

  isRunning(sid: number): boolean {
    return this.pid(sid) !== null;
  }

  /** Starts a member that is not running (first start or restart on its existing data). */
  startMember(sid: number): void {
    if (this.closed) throw new Error('ensemble is closed');
    if (this.isRunning(sid)) throw new Error(`member ${sid} is already running`);
    const member = this.member(sid);
    const running = MemberProcess.spawn(this.launcher(member, zooCfgPath(member)), (line) => this.options.onLine?.(sid, line));
    this.processes.set(sid, running);
    void running.waitExit().then(() => {
      if (!this.expectedExit.has(running)) this.options.onUnexpectedExit?.(sid, running.exitStatus);
    });
  }

  /** kill -9 by PID and wait for the exit. */
  async kill9(sid: number): Promise<void> {
    const running = this.processes.get(sid);
    if (running === undefined) return;
    this.expectedExit.add(running);
    await running.kill9();
  }

  /** SIGTERM by PID (SIGKILL after a timeout) and wait for the exit. */
  async stopMember(sid: number): Promise<void> {
    const running = this.processes.get(sid);
    if (running === undefined) return;
    this.expectedExit.add(running);
    await running.stop();
  }

  /** SIGSTOP: the process freezes with its sockets open (a long GC pause, a hung VM). */
  pause(sid: number): void {
    this.processes.get(sid)?.signal('SIGSTOP');
  }

  /** SIGCONT after pause. */
  resume(sid: number): void {
    this.processes.get(sid)?.signal('SIGCONT');
  }

  /** The member's last output lines (also after it exited). */
  logTail(sid: number, lineCount?: number): string {
    return this.processes.get(sid)?.logTail(lineCount) ?? '';
  }

  /**
   * Each running member's `srvr` Mode (null: not serving or not answering), of `sids`
   * only when given (a paused member answers nothing until the 4lw timeout).
   */
  async modes(sids?: readonly number[]): Promise<Map<number, ServerMode | null>> {
    const members = sids === undefined ? this.layout.members : sids.map((sid) => this.member(sid));
    const entries = await Promise.all(
      members.map(async (member): Promise<[number, ServerMode | null]> => {
        if (!this.isRunning(member.sid)) return [member.sid, null];
        try {
          return [member.sid, modeOf(await askFourLetterWord({ host: member.host, port: member.clientPort, word: 'srvr' }))];
        } catch {
          return [member.sid, null];
        }
      }),
    );
    return new Map(entries);
  }

  /**
   * Waits until every member in `sids` (default: all running) serves and exactly one
   * of them leads; resolves with the leader's sid. (A member cut off from `sids` may
   * still call itself leader until it notices.) Rejects when a member in
   * `sids` exits or the timeout passes, with the members' log tails.
   */
  async waitForQuorum(options: { sids?: readonly number[]; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<number> {
    const deadline = Date.now() + (options.timeoutMs ?? localEnsembleLimits.quorumTimeoutMs);
    let last = new Map<number, ServerMode | null>();
    for (;;) {
      options.signal?.throwIfAborted();
      const sids = options.sids ?? this.layout.members.filter((member) => this.isRunning(member.sid)).map((member) => member.sid);
      const dead = sids.filter((sid) => !this.isRunning(sid));
      if (dead.length > 0) throw new Error(`member(s) ${dead.join(',')} exited:\n${this.describe(dead)}`);
      last = await this.modes(sids);
      const leaders = sids.filter((sid) => last.get(sid) === 'leader');
      if (leaders.length === 1 && leaders[0] !== undefined && sids.every((sid) => last.get(sid) !== null)) return leaders[0];
      if (Date.now() > deadline) {
        const summary = [...last].map(([sid, mode]) => `${sid}:${mode ?? '-'}`).join(' ');
        throw new Error(`no single leader with members ${sids.join(',')} serving (${summary}):\n${this.describe(sids)}`);
      }
      await delay(localEnsembleLimits.pollMs);
    }
  }

  /** The log tails of `sids`, for failure messages. */
  describe(sids: readonly number[] = this.layout.members.map((member) => member.sid), lineCount = 40): string {
    return sids.map((sid) => `--- server ${sid} ---\n${this.logTail(sid, lineCount)}`).join('\n');
  }

  /** Stops every member by PID (SIGTERM, then SIGKILL); idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.processes.keys()].map((sid) => this.stopMember(sid)));
  }

  /** kill -9 of every member at once (a power cut). */
  async killAll(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((sid) => this.kill9(sid)));
  }
}
