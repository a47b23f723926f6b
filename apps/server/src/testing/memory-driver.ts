/**
 * A Driver over the in-memory disk, for tests of the core without a
 * process: its fsyncs complete when the test says (`disk.fsyncMode`), and
 * its epoch files go to a temporary data dir removed by the cleanup.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { MemoryDisk, MemorySnapshotStore, MemoryTxnLog } from '@corral/txn-log';
import type { ClientResponse, ConnectResponse, ReplyHeader, WatcherEvent } from '@corral/wire';
import { parseZooCfg } from '../config/zoo-cfg.js';
import type { ServerConfig } from '../config/server-config.js';
import { Driver } from '../driver/driver.js';
import { createLogger } from '../logger.js';
import { SessionTable } from '../session/session-table.js';
import type { ClientTransport, ReplyBacklog, Session } from '../session/session.js';
import { ConnectionStats } from '../stats/connection-stats.js';
import { ServerStats } from '../stats/server-stats.js';

/** A started Driver and what it runs on. */
export interface MemoryDriver {
  readonly driver: Driver;
  readonly disk: MemoryDisk;
  readonly log: MemoryTxnLog;
  readonly config: ServerConfig;
  readonly sessions: SessionTable;
  /** What the Driver reported through `onFatal`. */
  readonly fatal: unknown[];
  readonly dataDir: string;
}

/**
 * Starts a Driver on `reuse`'s disk and data dir (a restart) or on new
 * ones; `extra` is appended to its zoo.cfg. Pushes its own cleanups.
 */
export async function startMemoryDriver(
  cleanups: (() => Promise<void> | void)[],
  options: { readonly reuse?: { readonly disk: MemoryDisk; readonly dataDir: string }; readonly extra?: string } = {},
): Promise<MemoryDriver> {
  let dataDir = options.reuse?.dataDir;
  if (dataDir === undefined) {
    const made = mkdtempSync(join(tmpdir(), 'corral-driver-test-'));
    cleanups.push(() => rmSync(made, { recursive: true, force: true }));
    dataDir = made;
  }
  const disk = options.reuse?.disk ?? new MemoryDisk();
  const log = await MemoryTxnLog.open(disk);
  const snapshots = await MemorySnapshotStore.open(disk);
  const config = parseZooCfg(`tickTime=1000\ndataDir=${dataDir}\n${options.extra ?? ''}`);
  const fatal: unknown[] = [];
  const sessions = new SessionTable({ tickTimeMs: 1000, nowMs: 0, serverId: 1, sessionsMax: 100 });
  const driver = await Driver.start({
    config, log, snapshots, sessions, stats: new ServerStats(0), logger: createLogger({ quiet: true }), onFatal: (error) => fatal.push(error),
  });
  cleanups.push(() => driver.close());
  return { driver, disk, log, config, sessions, fatal, dataDir };
}

/** A transport that records what the Driver sends it. */
export class RecordingTransport implements ClientTransport {
  readonly remoteAddress = '127.0.0.1';
  readonly stats = new ConnectionStats(0);
  readonly backlog: ReplyBacklog = { requestCount: 0, replyBytes: 0 };
  readonly connects: ConnectResponse[] = [];
  readonly replies: { readonly header: ReplyHeader; readonly response: ClientResponse | null }[] = [];
  readonly events: WatcherEvent[] = [];
  closed: string | null = null;
  sendConnectResponse(response: ConnectResponse): void {
    this.connects.push(response);
  }
  sendReply(header: ReplyHeader, response: ClientResponse | null): void {
    this.replies.push({ header, response });
  }
  sendEvent(event: WatcherEvent): void {
    this.events.push(event);
  }
  close(reason: string): void {
    this.closed = reason;
  }
}

/** Lets the Driver run its pending turns and promise callbacks. */
export async function turns(count = 5): Promise<void> {
  for (let index = 0; index < count; index += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Opens a session on `transport` (or reconnects `existing` there) and waits for it. */
export async function connected(driver: Driver, transport: ClientTransport, existing: Session | null = null): Promise<Session> {
  let session: Session | null = null;
  driver.connect(transport, {
    protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30_000, sessionId: existing?.id ?? 0n, passwd: existing?.passwd ?? new Uint8Array(16), readOnly: false,
  }, (opened) => {
    session = opened;
  });
  await turns();
  assert.ok(session !== null, 'the session opened');
  return session;
}
