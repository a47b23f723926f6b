/**
 * Service discovery (Curator's ServiceDiscovery, reduced): an instance
 * registers as an ephemeral node `base/<service>/<id>` holding JSON, so it
 * disappears with its session; clients list a service's instances and
 * watch the list. Registration is idempotent under connection loss: the id
 * is the node name, and NODEEXISTS owned by this session means done.
 */
import { ZkCode, ZkError } from '@corral/base';
import { CreateMode } from '@corral/wire';
import type { Watcher } from '../watch-registry.js';
import type { CallOptions, ZkClient } from '../client.js';
import { isZkError } from '../errors.js';
import { deleteQuietly, ensurePath, retryOnLoss, wakeUp } from './common.js';

/** One registered instance. */
export interface ServiceInstance {
  id: string;
  address: string;
  port: number;
  payload?: unknown;
}

/** Registrations and look-ups under `basePath`. */
export class ServiceDiscovery {
  constructor(
    private readonly client: ZkClient,
    readonly basePath: string,
  ) {}

  /** Registers an instance of `service` for the life of the session. */
  async register(service: string, instance: ServiceInstance, options: CallOptions = {}): Promise<void> {
    checkName(service);
    checkName(instance.id);
    const dir = `${this.basePath}/${service}`;
    await ensurePath(this.client, dir, options);
    const path = `${dir}/${instance.id}`;
    await retryOnLoss(this.client, async () => {
      try {
        await this.client.create(path, JSON.stringify(instance), { ...options, mode: CreateMode.EPHEMERAL });
      } catch (error) {
        if (!isZkError(error, ZkCode.NODEEXISTS)) throw error;
        const stat = await this.client.exists(path, options);
        if (stat !== null && stat.ephemeralOwner !== this.client.sessionId) throw error;
      }
    }, options);
  }

  /** Removes a registration of this session. */
  async unregister(service: string, id: string): Promise<void> {
    await deleteQuietly(this.client, `${this.basePath}/${service}/${id}`);
  }

  /** The instances of `service` now, sorted by id. */
  async list(service: string, options: CallOptions = {}): Promise<ServiceInstance[]> {
    return retryOnLoss(this.client, () => this.read(service, options), options);
  }

  /** The instance list of `service`, each time it changes (first the current one). */
  async *watch(service: string, options: CallOptions = {}): AsyncGenerator<ServiceInstance[]> {
    let last = '';
    for (;;) {
      const wake = wakeUp(this.client, options.signal);
      try {
        const instances = await retryOnLoss(this.client, () => this.read(service, { ...options, watch: wake.watcher }), options);
        const key = JSON.stringify(instances);
        if (key !== last) {
          last = key;
          yield instances;
        }
        await wake.wait;
      } finally {
        wake.dispose();
      }
    }
  }

  private async read(service: string, options: CallOptions & { watch?: Watcher }): Promise<ServiceInstance[]> {
    const dir = `${this.basePath}/${service}`;
    let ids: string[];
    try {
      ids = await this.client.getChildren(dir, options);
    } catch (error) {
      if (!isZkError(error, ZkCode.NONODE)) throw error;
      await ensurePath(this.client, dir, options);
      ids = await this.client.getChildren(dir, options);
    }
    const instances: ServiceInstance[] = [];
    for (const id of ids.sort()) {
      try {
        const { data } = await this.client.getData(`${dir}/${id}`, { ...(options.signal ? { signal: options.signal } : {}) });
        instances.push(JSON.parse(Buffer.from(data ?? []).toString()) as ServiceInstance);
      } catch (error) {
        // Unregistered between the two reads.
        if (!isZkError(error, ZkCode.NONODE)) throw error;
      }
    }
    return instances;
  }
}

function checkName(name: string): void {
  if (name === '' || name.includes('/')) throw new ZkError(ZkCode.BADARGUMENTS, { message: `bad name "${name}"` });
}
