/**
 * `corral ensemble --local N [--base-port P] [--data-dir D] [--tick-time MS]`:
 * an N-server ensemble on 127.0.0.1 in the foreground, for trying failover by
 * hand. Prints the connect string, forwards every server's output prefixed
 * with its sid, and on Ctrl-C/SIGTERM stops every server by PID.
 */
import { resolve } from 'node:path';
import { ConfigError } from '../config/zoo-cfg.js';
import { ensembleLimits, localLayout } from './ensemble-config.js';
import { LocalEnsemble } from './local-ensemble.js';

/** Defaults of the subcommand. */
export const ensembleCommandDefaults = {
  basePort: 2181,
  dataDir: 'ensemble-data',
  tickTimeMs: 2000,
} as const;

function intFlag(args: readonly string[], name: string, fallback: number | undefined): number {
  const index = args.indexOf(name);
  if (index < 0) {
    if (fallback === undefined) throw new ConfigError(name, 'is required');
    return fallback;
  }
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(name, `needs a positive integer, got "${args[index + 1]}"`);
  return value;
}

function stringFlag(args: readonly string[], name: string, fallback: string): string {
  const index = args.indexOf(name);
  if (index < 0) return fallback;
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) throw new ConfigError(name, 'needs a value');
  return value;
}

/** Runs the subcommand until a signal; resolves after every server has stopped. */
export async function runEnsembleCommand(args: readonly string[]): Promise<void> {
  const size = intFlag(args, '--local', undefined);
  if (size > ensembleLimits.membersMax) throw new ConfigError('--local', `at most ${ensembleLimits.membersMax} servers`);
  const layout = localLayout({
    size,
    basePort: intFlag(args, '--base-port', ensembleCommandDefaults.basePort),
    dataDir: resolve(stringFlag(args, '--data-dir', ensembleCommandDefaults.dataDir)),
    settings: new Map([['tickTime', String(intFlag(args, '--tick-time', ensembleCommandDefaults.tickTimeMs))]]),
  });
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  const ensemble = LocalEnsemble.start({
    layout,
    onLine: (sid, line) => out(`[server ${sid}] ${line}`),
    onUnexpectedExit: (sid, status) => out(`[ensemble] server ${sid} exited (code ${status.code}, signal ${status.signal})`),
  });
  for (const member of layout.members) {
    out(`[ensemble] server ${member.sid}: pid ${ensemble.pid(member.sid)}, client ${member.host}:${member.clientPort}, config ${member.dir}/zoo.cfg`);
  }
  out(`[ensemble] connect string: ${ensemble.connectString}`);
  const stopped = new Promise<string>((resolveSignal) => {
    process.once('SIGINT', () => resolveSignal('SIGINT'));
    process.once('SIGTERM', () => resolveSignal('SIGTERM'));
  });
  const abort = new AbortController();
  ensemble.waitForQuorum({ signal: abort.signal }).then(
    (leader) => out(`[ensemble] serving: leader is server ${leader}; connect with ${ensemble.connectString}`),
    (error: unknown) => {
      if (!abort.signal.aborted) out(`[ensemble] no quorum yet: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    },
  );
  const signal = await stopped;
  abort.abort();
  out(`[ensemble] ${signal}: stopping every server`);
  await ensemble.close();
  out('[ensemble] stopped');
}
