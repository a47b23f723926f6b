/**
 * Several CorralServers in one test process forming an ensemble on
 * 127.0.0.1: each has its own temp data dir with a myid file, a client port
 * and quorum/election ports picked at random in 40000–49999 (checked free
 * just before use). Tests wait on conditions (`until`, polled between
 * event-loop turns with a deadline that fails the test), never on time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMyid } from '../config/myid.js';
import { parseZooCfg } from '../config/zoo-cfg.js';
import { createLogger, type Logger } from '../logger.js';
import { RecordingLogger } from '../peer/test-kit.js';
import { CorralServer } from '../server.js';
import assert from 'node:assert/strict';
import { ZkCode } from '@corral/base';
import { OpCode, type CreateRequest } from '@corral/wire';
import { RawClient } from './raw-client.js';

/** One member's fixed identity (it keeps its ports and data dir across restarts). */
export interface TestMember {
  readonly sid: number;
  readonly dataDir: string;
  readonly clientPort: number;
  /** The gRPC client API's port, when the ensemble was started with `grpc`. */
  readonly grpcPort: number | null;
  readonly observer: boolean;
  server: CorralServer | null;
  /** Every line this member logged, across restarts. */
  readonly log: RecordingLogger;
}

/** How often a member's start is tried when one of its ports is taken, and the wait between tries. */
const bindAttemptsMax = 20;
const bindRetryMs = 250;

/** Resolves with a free port in the tests' range. */
async function freePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 40_000 + Math.floor(Math.random() * 10_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
}


const openAcl = { perms: 31, id: { scheme: 'world', id: 'anyone' } };

/** A create2 of `path` with an open ACL. */
export function createRequest(path: string, data = '', flags = 0): CreateRequest {
  return { type: OpCode.create2, path, data: Buffer.from(data), acl: [openAcl], flags };
}

/** The data of `path` as text, or null when it does not exist. */
export async function dataOf(client: RawClient, path: string): Promise<string | null> {
  const reply = await client.request({ type: OpCode.getData, path, watch: false });
  if (reply.header.err === ZkCode.NONODE) return null;
  assert.equal(reply.header.err, ZkCode.OK);
  assert.ok(reply.response?.type === OpCode.getData);
  return Buffer.from(reply.response.data ?? []).toString();
}

/** Waits until `condition` holds, polling each 10 ms; fails after `deadlineMs` naming `what`. */
export async function until(what: string, condition: () => boolean | Promise<boolean>, deadlineMs = 60_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** An in-process ensemble. */
export class TestEnsemble {
  readonly members: readonly TestMember[];
  private readonly configText: string;
  private readonly logger: Logger;

  private constructor(members: TestMember[], configText: string) {
    this.members = members;
    this.configText = configText;
    this.logger = createLogger({ quiet: process.env['CORRAL_TEST_LOG'] === undefined });
  }

  /** Creates the members' dirs and configs and starts every one of them. */
  static async start(cleanups: (() => Promise<void> | void)[], options: { voters: number; observers?: number; extra?: string; grpc?: boolean }): Promise<TestEnsemble> {
    const taken = new Set<number>();
    const members: TestMember[] = [];
    const lines: string[] = [];
    const count = options.voters + (options.observers ?? 0);
    for (let sid = 1; sid <= count; sid += 1) {
      const dataDir = mkdtempSync(join(tmpdir(), `corral-ensemble-${sid}-`));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      writeFileSync(join(dataDir, 'myid'), `${sid}\n`);
      const observer = sid > options.voters;
      const clientPort = await freePort(taken);
      const grpcPort = options.grpc === true ? await freePort(taken) : null;
      members.push({ sid, dataDir, clientPort, grpcPort, observer, server: null, log: new RecordingLogger() });
      lines.push(`server.${sid}=127.0.0.1:${await freePort(taken)}:${await freePort(taken)}${observer ? ':observer' : ''}`);
    }
    const configText = [
      'tickTime=100', 'initLimit=50', 'syncLimit=20', 'electionPortBindRetry=1', '4lw.commands.whitelist=*', ...lines, options.extra ?? '',
    ].join('\n');
    const ensemble = new TestEnsemble(members, configText);
    cleanups.push(() => ensemble.closeAll());
    await Promise.all(members.map((member) => ensemble.startMember(member.sid)));
    return ensemble;
  }

  member(sid: number): TestMember {
    const member = this.members.find((candidate) => candidate.sid === sid);
    if (member === undefined) throw new Error(`no member ${sid}`);
    return member;
  }

  /** Starts (or restarts) one member from its data dir. */
  async startMember(sid: number, extra = ''): Promise<CorralServer> {
    const member = this.member(sid);
    const peerType = member.observer ? 'peerType=observer\n' : '';
    const grpc = member.grpcPort === null ? '' : `grpcPort=${member.grpcPort}\n`;
    const text = `${this.configText}\ndataDir=${member.dataDir}\nclientPort=${member.clientPort}\n${grpc}${peerType}${extra}`;
    const config = parseZooCfg(text, { myid: readMyid(member.dataDir) });
    const echo = this.logger;
    const log = member.log;
    const logger: Logger = {
      info: (fields, message) => {
        log.info(fields, message);
        echo.info(fields, message);
      },
      warn: (fields, message) => {
        log.warn(fields, message);
        echo.warn(fields, message);
      },
      error: (fields, message) => {
        log.error(fields, message);
        echo.error(fields, message);
      },
    };
    // A port probed free can be taken before the member binds it (or between its restarts) by
    // another test's outgoing connection: 40000–49999 lies inside Linux's ephemeral range. Such a
    // connection is short-lived, so wait and bind again; start() releases what it opened on failure.
    for (let attempt = 1; ; attempt += 1) {
      try {
        member.server = await CorralServer.start(config, logger);
        return member.server;
      } catch (error) {
        const code = (error as { code?: string }).code;
        const portTaken = code === 'EADDRINUSE' || code === 'ELISTEN' || /address already in use|No address added/i.test(String(error));
        if (attempt >= bindAttemptsMax || !portTaken) throw error;
        await new Promise((resolve) => setTimeout(resolve, bindRetryMs));
      }
    }
  }

  /** Stops one member (its process would exit: sockets and peers close). */
  async stopMember(sid: number): Promise<void> {
    const member = this.member(sid);
    const server = member.server;
    member.server = null;
    await server?.close({ force: true });
  }

  async closeAll(): Promise<void> {
    for (const member of this.members) await this.stopMember(member.sid);
  }

  /** How member `sid` was last synced as a learner (DIFF, TRUNC or SNAP), from its log. */
  lastSync(sid: number): unknown {
    return this.syncs(sid).at(-1);
  }

  /** The sync mode of each time the member started to follow or observe, oldest first (a stream broken under load syncs again). */
  syncs(sid: number): unknown[] {
    const lines = this.member(sid).log.items.filter((line) => line.message === 'serving as follower' || line.message === 'serving as observer');
    return lines.map((line) => line.fields['sync']);
  }

  /** The modes of the running members, by sid. */
  modes(): Map<number, string> {
    return new Map(this.members.flatMap((member) => (member.server === null ? [] : [[member.sid, member.server.mode] as const])));
  }

  /** Waits until one running member leads and every other running one follows or observes; returns the leader. */
  async settled(): Promise<number> {
    let leader = -1;
    await until('a leader with every running member serving', () => {
      const modes = [...this.modes()];
      const leaders = modes.filter(([, mode]) => mode === 'leader');
      if (leaders.length !== 1 || modes.some(([, mode]) => mode === 'looking')) return false;
      leader = leaders[0]?.[0] ?? -1;
      return true;
    });
    return leader;
  }

  /** A client of member `sid` (retried while the server is not serving). */
  async client(sid: number, cleanups: (() => Promise<void> | void)[], options: Parameters<typeof RawClient.open>[1] = {}): Promise<RawClient> {
    let client: RawClient | null = null;
    await until(`a session on server ${sid}`, async () => {
      try {
        client = await RawClient.open(this.member(sid).clientPort, options);
        return true;
      } catch {
        return false;
      }
    });
    const opened = client as unknown as RawClient;
    cleanups.push(() => opened.close());
    return opened;
  }
}
