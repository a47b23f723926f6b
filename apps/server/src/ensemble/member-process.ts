/**
 * One ensemble member's process: spawned with piped output split into
 * lines (forwarded and kept as a bounded tail), signalled only by its own
 * PID, and SIGKILLed when this process exits so that no server outlives the
 * launcher or a failed test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** What to run for one member. */
export interface MemberCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/** Limits of the output kept per member. */
export const memberProcessLimits = {
  /** Lines kept for failure messages. */
  tailLinesMax: 300,
  /** Longer lines are cut (a stack trace line, a JSON log line). */
  lineCharsMax: 4_000,
  /** How long SIGTERM may take before SIGKILL. */
  stopTimeoutMs: 10_000,
} as const;

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killLiveSync(): void {
  for (const child of live) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** A running (or exited) member process. */
export class MemberProcess {
  private readonly tail: string[] = [];
  private readonly exitPromise: Promise<void>;
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
  ) {
    this.exitPromise = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', () => {
      this.exited = true;
      live.delete(child);
    });
  }

  /** Spawns `command`; `onLine` receives each output line (stdout and stderr). */
  static spawn(command: MemberCommand, onLine: (line: string) => void): MemberProcess {
    const child = spawn(command.command, [...command.args], {
      cwd: command.cwd,
      env: { ...process.env, ...command.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) throw new Error(`spawn ${command.command} failed`);
    live.add(child);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', killLiveSync);
    }
    const member = new MemberProcess(child, child.pid);
    for (const stream of [child.stdout, child.stderr]) {
      if (stream === null) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (raw: string) => {
        const line = raw.length > memberProcessLimits.lineCharsMax ? `${raw.slice(0, memberProcessLimits.lineCharsMax)}…` : raw;
        member.tail.push(line);
        if (member.tail.length > memberProcessLimits.tailLinesMax) member.tail.shift();
        onLine(line);
      });
    }
    return member;
  }

  get hasExited(): boolean {
    return this.exited;
  }

  /** Exit code and signal, once exited. */
  get exitStatus(): { code: number | null; signal: NodeJS.Signals | null } {
    return { code: this.child.exitCode, signal: this.child.signalCode };
  }

  /** Sends `signal` to this PID (never a group or a name); no-op once exited. */
  signal(signal: NodeJS.Signals): void {
    if (this.exited) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // raced with exit
    }
  }

  /** Resolves when the process has exited. */
  waitExit(): Promise<void> {
    return this.exitPromise;
  }

  /** SIGTERM (SIGCONT first, a stopped process cannot handle it), then SIGKILL after `timeoutMs`. */
  async stop(timeoutMs: number = memberProcessLimits.stopTimeoutMs): Promise<void> {
    if (this.exited) return;
    this.signal('SIGCONT');
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.exitPromise.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.signal('SIGKILL');
      await this.exitPromise;
    }
  }

  /** SIGKILL and wait for the exit (a crash: nothing is flushed). */
  async kill9(): Promise<void> {
    this.signal('SIGKILL');
    await this.exitPromise;
  }

  /** The last output lines. */
  logTail(lineCount: number = memberProcessLimits.tailLinesMax): string {
    return this.tail.slice(-lineCount).join('\n');
  }
}
