/**
 * grpc.health.v1.Health: SERVING for the server ("") and each Corral service
 * while the server serves clients; NOT_SERVING while an ensemble member is
 * electing or syncing (watchers are told of each change, so a client's
 * health check moves it to another member) and once it is shutting down.
 * Unknown services get NOT_FOUND from Check, as the protocol asks.
 */
import { status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream, type UntypedServiceImplementation } from '@grpc/grpc-js';

const servingStatus = { SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } as const;

/** Health of the gRPC services, with watchers told of changes. */
export class HealthService {
  private readonly services: ReadonlySet<string>;
  private serving: boolean;
  private shutDown = false;
  private readonly watchers = new Set<ServerWritableStream<{ service?: string }, unknown>>();

  constructor(services: readonly string[], serving: boolean) {
    this.services = new Set(['', ...services]);
    this.serving = serving;
  }

  private statusOf(service: string): number {
    if (!this.services.has(service)) return servingStatus.SERVICE_UNKNOWN;
    return this.serving ? servingStatus.SERVING : servingStatus.NOT_SERVING;
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
    this.serving = serving;
    for (const call of this.watchers) call.write({ status: this.statusOf(call.request.service ?? '') });
  }

  /** Reports NOT_SERVING to every watcher and ends their streams. */
  shutdown(): void {
    this.shutDown = true;
    this.serving = false;
    for (const call of this.watchers) {
      call.write({ status: this.statusOf(call.request.service ?? '') });
      call.end();
    }
    this.watchers.clear();
  }
}
