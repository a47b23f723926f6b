#!/usr/bin/env node
/**
 * The `corral` command. `corral server [--config zoo.cfg]` runs a server in
 * this process (no wrapper: a signal to this PID reaches the server) —
 * an ensemble member when zoo.cfg has server.N lines and dataDir/myid;
 * without --config it serves standalone on 127.0.0.1:2181 with data in
 * ./data. `corral log dump DIR` and `corral snapshot dump DIR` print the
 * stored log and snapshots.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isStandalone } from './config/ensemble-config.js';
import { readMyid } from './config/myid.js';
import { ConfigError, parseZooCfg } from './config/zoo-cfg.js';
import { createLogger } from './logger.js';
import { CorralServer } from './server.js';
import { BackupError } from './storage/backup-error.js';
import { RecoveryError } from './storage/recovery.js';

const usage = `usage:
  corral server [--config zoo.cfg]     run a server (default: standalone on 127.0.0.1:2181, data in ./data)
  corral ensemble --local N [--base-port 2181] [--data-dir ensemble-data] [--tick-time 2000]
                                       run N servers on 127.0.0.1 in the foreground (Ctrl-C stops all)
  corral log dump DATALOGDIR           print the transaction log
  corral snapshot dump DATADIR         print the snapshots
  corral snapshot export (--config zoo.cfg | --data-dir D [--data-log-dir L]) --out FILE
                                       write the state of a stopped server to one backup file
  corral snapshot restore (--config zoo.cfg | --data-dir D [--data-log-dir L]) --in FILE [--force]
                                       install a backup file as the state of a stopped server
`;

function flag(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index < 0) return undefined;
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) throw new ConfigError(name, 'needs a value');
  return value;
}

function storageDirs(args: string[]): { dataDir: string; dataLogDir: string } {
  const configFile = flag(args, '--config');
  if (configFile !== undefined) {
    const config = parseZooCfg(readFileSync(configFile, 'utf8'));
    return { dataDir: config.dataDir, dataLogDir: config.dataLogDir };
  }
  const dataDir = flag(args, '--data-dir');
  if (dataDir === undefined) throw new ConfigError('--data-dir', 'is required (or --config)');
  return { dataDir, dataLogDir: flag(args, '--data-log-dir') ?? dataDir };
}

// The commands other than `server` are imported when run: a server's start-up does not load them.

async function snapshotExport(args: string[]): Promise<void> {
  const file = flag(args, '--out');
  if (file === undefined) throw new ConfigError('--out', 'is required');
  const { exportBackup } = await import('./storage/backup.js');
  const zxid = await exportBackup({ ...storageDirs(args), file, logger: createLogger({ quiet: true }) });
  process.stdout.write(`exported state at zxid 0x${zxid.toString(16)} to ${file}\n`);
}

async function snapshotRestore(args: string[]): Promise<void> {
  const file = flag(args, '--in');
  if (file === undefined) throw new ConfigError('--in', 'is required');
  const { restoreBackup } = await import('./storage/backup.js');
  const zxid = await restoreBackup({ ...storageDirs(args), file, force: args.includes('--force') });
  process.stdout.write(`restored state at zxid 0x${zxid.toString(16)} from ${file}\n`);
}

async function runServer(args: string[]): Promise<void> {
  const logger = createLogger();
  const configIndex = args.indexOf('--config');
  let text = '';
  if (configIndex >= 0) {
    const file = args[configIndex + 1];
    if (file === undefined) throw new ConfigError('--config', 'needs a file');
    text = readFileSync(file, 'utf8');
  }
  const context = { defaultDataDir: resolve('data') };
  const probe = parseZooCfg(text, context);
  const config = parseZooCfg(text, { ...context, myid: readMyid(probe.dataDir) });
  for (const key of config.unknownKeys) logger.warn({ key }, 'unknown configuration key ignored');
  const server = await CorralServer.start(config, logger);
  // An ensemble member listens now and serves once elected and synced (until then it closes connections).
  const member = isStandalone(config) ? '' : `, ensemble member ${config.myid ?? '?'} of ${config.servers.length}`;
  process.stdout.write(`corral serving on ${config.clientPortAddress}:${server.port} (data ${config.dataDir}${member})\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close().then(() => process.exit(0), (error: unknown) => {
      logger.error({ error }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function main(argv: string[]): Promise<void> {
  const [command, sub, ...rest] = argv;
  if (command === 'server') return runServer(argv.slice(1));
  if (command === 'ensemble') return (await import('./ensemble/ensemble-command.js')).runEnsembleCommand(argv.slice(1));
  if (command === 'log' && sub === 'dump' && rest[0] !== undefined) return (await import('./storage/inspect.js')).dumpLogCommand(rest[0]);
  if (command === 'snapshot' && sub === 'dump' && rest[0] !== undefined) return (await import('./storage/inspect.js')).dumpSnapshotCommand(rest[0]);
  if (command === 'snapshot' && sub === 'export') return snapshotExport(rest);
  if (command === 'snapshot' && sub === 'restore') return snapshotRestore(rest);
  process.stderr.write(usage);
  process.exitCode = command === undefined || command === '--help' ? 0 : 2;
}

// `corral log dump DIR | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof BackupError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  if (error instanceof RecoveryError) {
    // The operator needs the one line that says what is wrong, not a stack.
    process.stderr.write(`${error.message}\n`);
    process.exit(3);
  }
  const code = (error as { code?: unknown }).code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'ELISTEN') {
    // A port that cannot be bound is a configuration problem: one line, no stack.
    process.stderr.write(`cannot listen: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
