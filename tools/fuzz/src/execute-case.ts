/**
 * Runs one FuzzCase against a server's client port. The attacker side
 * never trusts or interprets replies beyond the ConnectResponse it needs
 * for `resume`; everything it does is bounded in time, and every socket it
 * opens is destroyed when the case ends.
 */
import { Buffer } from 'node:buffer';
import { connect, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { decodeConnectResponse, encodeConnectRequest, type ConnectResponse } from '@corral/wire';
import type { FuzzCase, Step } from './cases.js';

/** Longest wait for a ConnectResponse. */
const connectAnswerMsMax = 2000;

/** One attacker connection. */
class AttackSocket {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  isClosed = false;
  private received = Buffer.alloc(0);
  private answerWaiter: (() => void) | null = null;

  constructor(port: number) {
    this.socket = connect({ port, host: '127.0.0.1' });
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => this.socket.once('close', () => {
      this.isClosed = true;
      this.answerWaiter?.();
      resolve();
    }));
    this.socket.on('data', (chunk: Buffer) => {
      // Only the start of the stream matters (the ConnectResponse); keep at most 64 KiB of it.
      if (this.received.length < 65_536) this.received = Buffer.concat([this.received, chunk]);
      this.answerWaiter?.();
    });
  }

  async opened(): Promise<boolean> {
    return new Promise((resolve) => {
      this.socket.once('connect', () => resolve(true));
      this.socket.once('error', () => resolve(false));
    });
  }

  /** The ConnectResponse, once a whole first frame arrived; null if the server closed or took too long. */
  async connectAnswer(): Promise<ConnectResponse | null> {
    const deadline = Date.now() + connectAnswerMsMax;
    while (!this.isClosed && Date.now() < deadline) {
      const frame = this.firstFrame();
      if (frame !== null) {
        try {
          return decodeConnectResponse(frame);
        } catch {
          return null;
        }
      }
      await Promise.race([new Promise<void>((resolve) => { this.answerWaiter = resolve; }), delay(100)]);
      this.answerWaiter = null;
    }
    return null;
  }

  private firstFrame(): Uint8Array | null {
    if (this.received.length < 4) return null;
    const length = this.received.readInt32BE(0);
    if (length < 0 || this.received.length < 4 + length) return null;
    return this.received.subarray(4, 4 + length);
  }

  write(bytes: Buffer): void {
    if (!this.isClosed) this.socket.write(bytes);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Executes `fuzzCase` against 127.0.0.1:port; resolves when it is over and its sockets are gone. */
export async function executeCase(port: number, fuzzCase: FuzzCase): Promise<void> {
  const sockets: AttackSocket[] = [];
  const open = async (): Promise<AttackSocket | null> => {
    const attack = new AttackSocket(port);
    sockets.push(attack);
    return (await attack.opened()) ? attack : null;
  };
  try {
    let current = await open();
    let session: ConnectResponse | null = null;
    for (const step of fuzzCase.steps) {
      if (current === null || current.isClosed) break;
      const next = await runStep(step, current, session, open);
      current = next.socket;
      session = next.session ?? session;
    }
    if (current !== null && fuzzCase.lingerMs > 0) await Promise.race([current.closed, delay(fuzzCase.lingerMs)]);
  } finally {
    for (const attack of sockets) attack.destroy();
    await Promise.all(sockets.map((attack) => attack.closed));
  }
}

async function runStep(
  step: Step,
  socket: AttackSocket,
  session: ConnectResponse | null,
  open: () => Promise<AttackSocket | null>,
): Promise<{ socket: AttackSocket | null; session?: ConnectResponse | null }> {
  switch (step.op) {
    case 'send':
      socket.write(Buffer.from(step.hex, 'hex'));
      return { socket };
    case 'connect':
      socket.write(Buffer.from(step.hex, 'hex'));
      return { socket, session: await socket.connectAnswer() };
    case 'resume': {
      if (session === null) return { socket };
      const passwd = step.password === 'same' ? session.passwd : session.passwd.map((byte) => byte ^ 0x5a);
      const second = await open();
      second?.write(encodeConnectRequest({
        protocolVersion: 0, lastZxidSeen: BigInt(step.lastZxidSeen), timeOut: step.timeOut, sessionId: session.sessionId, passwd, readOnly: false,
      }));
      await second?.connectAnswer();
      return { socket: second };
    }
    case 'pause':
      socket.socket.pause();
      return { socket };
    case 'wait':
      await Promise.race([socket.closed, delay(step.ms)]);
      return { socket };
  }
}
