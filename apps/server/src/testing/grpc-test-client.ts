/**
 * A test client of the gRPC client API: stubs of every service on one
 * server, unary calls as promises, and a Session stream that collects its
 * messages (grpc-front.test.ts, ensemble-grpc.test.ts).
 */
import { credentials, loadPackageDefinition, Metadata, type Client, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { loadClientApi } from '../front/grpc/grpc-front.js';

/** A unary method of a grpc-js stub. */
export type Unary = (request: object, metadataOrCallback: unknown, optionsOrCallback?: unknown, callback?: unknown) => unknown;
/** Stubs of every service of one server. */
export type Stubs = { corral: Client & Record<string, Unary>; lock: Client & Record<string, Unary>; election: Client & Record<string, Unary>; health: Client & Record<string, Unary> };

export function call<T = Record<string, unknown>>(stub: Record<string, Unary>, method: string, request: object, deadlineMs?: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const fn = stub[method];
    if (fn === undefined) throw new Error(`no method ${method}`);
    const callback = (error: ServiceError | null, response: T): void => (error === null ? resolve(response) : reject(error));
    if (deadlineMs === undefined) fn.call(stub, request, callback);
    else fn.call(stub, request, new Metadata(), { deadline: Date.now() + deadlineMs }, callback);
  });
}

export async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected the call to fail');
}

export function zkCodeOf(error: ServiceError): number {
  return Number(error.metadata.get('corral-zk-code')[0]);
}

/** A session stream with helpers to wait for messages. */
export class StreamSession {
  readonly messages: Record<string, unknown>[] = [];
  readonly waiters: (() => void)[] = [];
  ended: Promise<ServiceError | null>;
  private nextId = 1;

  constructor(readonly stream: ClientDuplexStream<object, Record<string, unknown>>) {
    stream.on('data', (message: Record<string, unknown>) => {
      this.messages.push(message);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.ended = new Promise((resolve) => {
      stream.on('error', (error: ServiceError) => resolve(error));
      stream.on('end', () => resolve(null));
    });
  }

  /**
   * Pings every `everyMs` until the stream ends, as a real client does: a
   * session used only through unary calls (its ref) otherwise expires after
   * its timeout, which a loaded machine can reach in the middle of a test.
   */
  keepAlive(everyMs = 250): void {
    const timer = setInterval(() => this.stream.write({ ping: {} }), everyMs);
    timer.unref();
    void this.ended.then(() => clearInterval(timer));
  }

  async next(kind: string, from = 0): Promise<Record<string, unknown>> {
    let done = false;
    void this.ended.then(() => {
      done = true;
      for (const wake of this.waiters.splice(0)) wake();
    });
    for (;;) {
      const found = this.messages.slice(from).find((m) => m['kind'] === kind);
      if (found !== undefined) return found;
      if (done) throw new Error(`stream ended before ${kind}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async request(op: string, body: object): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const from = this.messages.length;
    this.stream.write({ call: { id, [op]: body } });
    for (;;) {
      const reply = this.messages.slice(from).find((m) => m['kind'] === 'reply' && (m['reply'] as { id: number }).id === id);
      if (reply !== undefined) return reply['reply'] as Record<string, unknown>;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}

export async function openSession(
  stubs: Pick<Stubs, 'corral'>, cleanups: (() => Promise<void> | void)[], resume?: { sessionId?: string; password?: Buffer; readOnly?: boolean },
): Promise<{ s: StreamSession; sessionId: string; password: Buffer; readOnly: boolean }> {
  const stream = (stubs.corral as unknown as { Session: () => ClientDuplexStream<object, Record<string, unknown>> }).Session();
  const s = new StreamSession(stream);
  cleanups.push(() => {
    stream.cancel();
  });
  stream.write({ open: { timeoutMs: 4000, ...(resume === undefined ? {} : resume) } });
  const opened = (await s.next('opened'))['opened'] as { sessionId: string; password: Buffer; readOnly: boolean };
  return { s, sessionId: opened.sessionId, password: opened.password, readOnly: opened.readOnly };
}

/** Stubs of every service on `address`, closed by `cleanups`. */
export function stubsFor(address: string, cleanups: (() => Promise<void> | void)[]): Stubs {
  const api = loadPackageDefinition(loadClientApi()) as unknown as {
    corral: { v1: Record<string, new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client & Record<string, Unary>> };
    grpc: { health: { v1: { Health: new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client & Record<string, Unary> } } };
  };
  const make = <T extends Client>(Ctor: new (a: string, c: ReturnType<typeof credentials.createInsecure>) => T): T => {
    const stub = new Ctor(address, credentials.createInsecure());
    cleanups.push(() => stub.close());
    return stub;
  };
  const v1 = api.corral.v1;
  if (v1['Corral'] === undefined || v1['Lock'] === undefined || v1['Election'] === undefined) throw new Error('services missing');
  return { corral: make(v1['Corral']), lock: make(v1['Lock']), election: make(v1['Election']), health: make(api.grpc.health.v1.Health) };
}
