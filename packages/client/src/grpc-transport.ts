/**
 * The gRPC transport: one corral.v1 Corral.Session stream per connection,
 * behind the same Transport seam as jute over TCP, so sessions, watches and
 * recipes work unchanged over either. Calls get their own ids (mapped back
 * to the session's xids); ping, auth, setWatches and close use the stream's
 * dedicated messages; replies are turned back into @corral/wire records.
 */
import { fileURLToPath } from 'node:url';
import { Client, credentials, loadPackageDefinition, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ZkCode, isZkCode } from '@corral/base';
import { OpCode, Xid, type ClientRequest, type ConnectResponse } from '@corral/wire';
import { callForRequest, responseForReply, type ReplyMsg } from './grpc-messages.js';
import type { Transport, TransportConnectOptions, TransportConnection, TransportHandlers } from './transport.js';

/** Where the repository keeps its .proto files, seen from dist/. */
const protoRoot = fileURLToPath(new URL('../../../proto', import.meta.url));

type SessionStub = Client & { Session(): ClientDuplexStream<object, Record<string, unknown>> };
let stubConstructor: (new (address: string, creds: ReturnType<typeof credentials.createInsecure>, options: object) => SessionStub) | null = null;

function corralStub(): new (address: string, creds: ReturnType<typeof credentials.createInsecure>, options: object) => SessionStub {
  if (stubConstructor !== null) return stubConstructor;
  const definition = loadSync(['corral/v1/corral.proto'], { includeDirs: [protoRoot], keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true });
  const api = loadPackageDefinition(definition) as unknown as { corral: { v1: { Corral: typeof stubConstructor } } };
  stubConstructor = api.corral.v1.Corral;
  if (stubConstructor === null) throw new Error('corral.v1.Corral missing from proto/corral/v1/corral.proto');
  return stubConstructor;
}

/** ZooKeeper's code carried by a failed stream's trailers, if any. */
export function zkCodeOfStatus(error: ServiceError): number | null {
  const value = error.metadata?.get('corral-zk-code')[0];
  const code = typeof value === 'string' ? Number(value) : NaN;
  return Number.isInteger(code) ? code : null;
}

/** Opens Corral.Session streams; `connect` targets the server's gRPC port. */
export class GrpcSessionTransport implements Transport {
  connect(options: TransportConnectOptions): Promise<TransportConnection> {
    if (options.signal.aborted) return Promise.reject(new Error('connection attempt aborted'));
    const Stub = corralStub();
    const client = new Stub(`${options.address.host}:${options.address.port}`, credentials.createInsecure(), {
      'grpc.max_receive_message_length': options.maxFrameBytes,
    });
    const stream = client.Session();
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (outcome: { connection: GrpcSessionConnection } | { error: Error } | { expired: true }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        if ('connection' in outcome) {
          resolve(outcome.connection);
          return;
        }
        stream.cancel();
        client.close();
        if ('expired' in outcome) resolve(expiredConnection());
        else reject(outcome.error);
      };
      const timer = setTimeout(() => finish({ error: new Error(`gRPC connect to ${options.address.host}:${options.address.port} timed out`) }), options.timeoutMs);
      timer.unref();
      const onAbort = (): void => finish({ error: new Error('connection attempt aborted') });
      options.signal.addEventListener('abort', onAbort, { once: true });
      const onEarlyError = (error: ServiceError): void => {
        // ZooKeeper's answer to a resume of an expired session is a ConnectResponse with timeOut 0.
        if (zkCodeOfStatus(error) === ZkCode.SESSIONEXPIRED) finish({ expired: true });
        else finish({ error: new Error(`gRPC session stream failed: ${error.details ?? error.message}`) });
      };
      stream.on('error', onEarlyError);
      stream.once('data', (message: Record<string, unknown>) => {
        stream.removeListener('error', onEarlyError);
        const opened = message['opened'] as { sessionId: string; password: Buffer; timeoutMs: number; batches?: boolean; readOnly?: boolean } | undefined;
        if (message['kind'] !== 'opened' || opened === undefined) {
          finish({ error: new Error(`gRPC session stream answered ${String(message['kind'])} before opened`) });
          return;
        }
        const response: ConnectResponse = {
          protocolVersion: 0, timeOut: opened.timeoutMs, sessionId: BigInt(opened.sessionId), passwd: new Uint8Array(opened.password), readOnly: opened.readOnly === true,
        };
        finish({ connection: new GrpcSessionConnection({ client, stream, response, handlers: options.handlers, batches: opened.batches === true }) });
      });
      const request = options.request;
      stream.write({
        open: {
          sessionId: request.sessionId.toString(), password: Buffer.from(request.passwd), timeoutMs: request.timeOut,
          lastZxidSeen: request.lastZxidSeen.toString(), acceptBatches: true, readOnly: request.readOnly,
        },
      });
    });
  }
}

/** The connection a refused resume yields: timeOut 0, which the session reports as expired. */
function expiredConnection(): TransportConnection {
  return {
    response: { protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: new Uint8Array(16), readOnly: false },
    send: () => undefined,
    close: () => undefined,
  };
}

/** A SessionRequest as proto-loader takes it: one of call, calls, ping, addAuth, close. */
type SessionRequestObject = { call?: object } & Record<string, unknown>;

/** Calls packed into one CallBatch at most (the server's per-batch limit is 1,000). */
const callBatchCallsMax = 500;

/** One open session stream. */
class GrpcSessionConnection implements TransportConnection {
  readonly response: ConnectResponse;
  private readonly client: Client;
  private readonly stream: ClientDuplexStream<object, Record<string, unknown>>;
  private readonly handlers: TransportHandlers;
  /** Call id -> the session's xid and the request, for the reply. */
  private readonly calls = new Map<number, { xid: number; request: ClientRequest }>();
  private nextCallId = 1;
  private closeXid: number | null = null;
  private lastZxid = 0n;
  private closed = false;
  /** The server takes CallBatch: calls made while a write is in progress leave together. */
  private readonly batches: boolean;
  /** Messages waiting for the write in progress (batching only), in order. */
  private outbox: SessionRequestObject[] = [];
  private writing = false;

  constructor(options: {
    client: Client; stream: ClientDuplexStream<object, Record<string, unknown>>; response: ConnectResponse; handlers: TransportHandlers; batches: boolean;
  }) {
    this.client = options.client;
    this.stream = options.stream;
    this.response = options.response;
    this.handlers = options.handlers;
    this.batches = options.batches;
    this.stream.on('data', (message: Record<string, unknown>) => this.onMessage(message));
    this.stream.on('error', (error: ServiceError) => this.onStreamError(error));
    this.stream.on('end', () => this.terminate(null));
  }

  send(xid: number, request: ClientRequest): void {
    if (this.closed) return;
    switch (request.type) {
      case OpCode.ping:
        this.write({ ping: {} });
        return;
      case OpCode.auth:
        this.write({ addAuth: { scheme: request.scheme, auth: Buffer.from(request.auth) } });
        return;
      case OpCode.closeSession:
        this.closeXid = xid;
        this.write({ close: {} });
        return;
      default: {
        const call = callForRequest(request);
        if (call === null) {
          // Not in the gRPC API (checkWatches, reconfig, sasl): answered here as ZooKeeper would an unknown op.
          queueMicrotask(() => this.handlers.onReply({ xid, zxid: this.lastZxid, err: ZkCode.UNIMPLEMENTED }, null));
          return;
        }
        const id = this.nextCallId;
        this.nextCallId = id >= 0x7fff_ffff ? 1 : id + 1;
        this.calls.set(id, { xid, request });
        this.write({ call: { id, ...call } });
      }
    }
  }

  /**
   * Sends one SessionRequest. grpc-js sends one message per stream and waits
   * for HTTP/2 to flush it before the next, so with many calls in flight the
   * per-message cost bounds the rate: when the server takes batches, what is
   * sent while a write is in progress waits, and leaves with the next write,
   * consecutive calls packed into one CallBatch.
   */
  private write(message: SessionRequestObject): void {
    if (!this.batches) {
      this.stream.write(message);
      return;
    }
    this.outbox.push(message);
    if (this.writing) return;
    this.writing = true;
    process.nextTick(this.flush);
  }

  private readonly flush = (): void => {
    const pending = this.outbox;
    this.outbox = [];
    if (pending.length === 0 || this.closed) {
      this.writing = false;
      return;
    }
    let calls: object[] = [];
    const messages: object[] = [];
    const packCalls = (): void => {
      if (calls.length === 0) return;
      messages.push(calls.length === 1 ? { call: calls[0] } : { calls: { calls } });
      calls = [];
    };
    for (const message of pending) {
      if (message.call === undefined) {
        packCalls();
        messages.push(message);
        continue;
      }
      calls.push(message.call);
      if (calls.length >= callBatchCallsMax) packCalls();
    }
    packCalls();
    const last = messages.length - 1;
    messages.forEach((message, index) => {
      if (index === last) this.stream.write(message, this.flush);
      else this.stream.write(message);
    });
  };

  private onMessage(message: Record<string, unknown>): void {
    switch (message['kind']) {
      case 'batch':
        for (const response of (message['batch'] as { responses: Record<string, unknown>[] }).responses) this.onMessage(response);
        return;
      case 'reply':
        this.onReplyMessage(message['reply'] as ReplyMsg);
        return;
      case 'event': {
        const event = message['event'] as { type: number; path: string };
        this.handlers.onEvent({ type: event.type === 0 ? -1 : event.type, state: 3, path: event.path }, -1n);
        return;
      }
      case 'pong':
        this.handlers.onReply({ xid: Xid.ping, zxid: this.lastZxid, err: ZkCode.OK }, null);
        return;
      case 'authOk':
        this.handlers.onReply({ xid: Xid.auth, zxid: 0n, err: ZkCode.OK }, null);
        return;
      case 'closed':
        if (this.closeXid !== null) this.handlers.onReply({ xid: this.closeXid, zxid: this.lastZxid, err: ZkCode.OK }, null);
        this.terminate(null);
        return;
      default:
        return;
    }
  }

  private onReplyMessage(reply: ReplyMsg): void {
    const call = this.calls.get(reply.id);
    if (call === undefined) return;
    this.calls.delete(reply.id);
    const zxid = BigInt(reply.zxid);
    if (zxid > this.lastZxid) this.lastZxid = zxid;
    const { err, response } = responseForReply(call.request, reply);
    this.handlers.onReply({ xid: call.xid, zxid, err }, response);
  }

  private onStreamError(error: ServiceError): void {
    const code = zkCodeOfStatus(error);
    if (code === ZkCode.AUTHFAILED) this.handlers.onReply({ xid: Xid.auth, zxid: 0n, err: ZkCode.AUTHFAILED }, null);
    const reason = code !== null && isZkCode(code) ? `${error.details} (zk code ${code})` : error.details;
    this.terminate(new Error(`gRPC session stream ended: ${reason}`));
  }

  private terminate(error: Error | null): void {
    if (this.closed) return;
    this.closed = true;
    this.calls.clear();
    this.stream.cancel();
    this.client.close();
    this.handlers.onClose(error);
  }

  close(): void {
    this.terminate(null);
  }
}
