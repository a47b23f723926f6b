/**
 * grpc.health.v1.Health: SERVING for the server ("") and each Corral service
 * while the server serves clients; NOT_SERVING while an ensemble member is
 * electing or syncing (watchers are told of each change, so a client's
 * health check moves it to another member) and once it is shutting down.
 * Unknown services get NOT_FOUND from Check, as the protocol asks.
 *
 * `corral.v1.ReadOnly` (not a service: a health name only) answers whether a
 * client that accepts a read-only session is served here: SERVING while the
 * server serves (read-write) and while a member without a quorum serves
 * read-only clients (`readonlymode.enabled`, ZooKeeper's `isro` = ro); the
 * other names stay NOT_SERVING then, since writes, locks and elections need
 * a quorum.
 */
import { status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream, type UntypedServiceImplementation } from '@grpc/grpc-js';

const servingStatus = { SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } as const;

/** The health name that reports whether read-only sessions are served (see the file comment). */
export const readOnlyHealthName = 'corral.v1.ReadOnly';

/** Health of the gRPC services, with watchers told of changes. */
export class HealthService {
  private readonly services: ReadonlySet<string>;
  private serving: boolean;
  private readOnly = false;
  private shutDown = false;
  private readonly watchers = new Set<ServerWritableStream<{ service?: string }, unknown>>();

  constructor(services: readonly string[], serving: boolean) {
    this.services = new Set(['', ...services, readOnlyHealthName]);
    this.serving = serving;
  }

  private statusOf(service: string): number {
    if (!this.services.has(service)) return servingStatus.SERVICE_UNKNOWN;
    const served = this.serving || (service === readOnlyHealthName && this.readOnly);
    return served ? servingStatus.SERVING : servingStatus.NOT_SERVING;
  }

  /** The handlers to register for grpc.health.v1.Health. */
  handlers(): UntypedServiceImplementation {
    return {
      Check: (call: ServerUnaryCall<{ service?: string }, unknown>, callback: sendUnaryData<unknown>) => {
        const service = call.request.service ?? '';
        if (!this.services.has(service)) {
          callback({ code: status.NOT_FOUND, details: `unknown service ${service}` });
          return;
        }
        callback(null, { status: this.statusOf(service) });
      },
      Watch: (call: ServerWritableStream<{ service?: string }, unknown>) => {
        call.write({ status: this.statusOf(call.request.service ?? '') });
        if (this.shutDown) {
          call.end();
          return;
        }
        this.watchers.add(call);
        call.on('cancelled', () => this.watchers.delete(call));
      },
    };
  }

  /** The server started or stopped serving: watchers get the new status. */
  setServing(serving: boolean): void {
    if (this.shutDown || serving === this.serving) return;
    this.update(() => {
      this.serving = serving;
    });
  }

  /** A member without a quorum started or stopped serving read-only clients. */
  setReadOnly(readOnly: boolean): void {
    if (this.shutDown || readOnly === this.readOnly) return;
    this.update(() => {
      this.readOnly = readOnly;
    });
  }

  /** Applies `change` and tells each watcher whose status it changed. */
  private update(change: () => void): void {
    const before = new Map([...this.watchers].map((call) => [call, this.statusOf(call.request.service ?? '')]));
    change();
    for (const [call, status] of before) {
      const now = this.statusOf(call.request.service ?? '');
      if (now !== status) call.write({ status: now });
    }
  }

  /** Reports NOT_SERVING to every watcher and ends their streams. */
  shutdown(): void {
    this.shutDown = true;
    this.serving = false;
    this.readOnly = false;
    for (const call of this.watchers) {
      call.write({ status: this.statusOf(call.request.service ?? '') });
      call.end();
    }
    this.watchers.clear();
  }
}
