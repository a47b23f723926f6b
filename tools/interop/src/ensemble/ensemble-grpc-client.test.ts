/**
 * @corral/client over its gRPC transport (GrpcSessionTransport) against a
 * real-process Corral ensemble with grpcPort on every member: given every
 * member's gRPC address, the client keeps its session when the member it
 * is connected to stops (SIGTERM): it fails over to another member, its
 * ephemeral node stays, and reads and writes work again. Corral only (Apache
 * has no gRPC API).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateMode, GrpcSessionTransport, ZkClient } from '@corral/client';
import { ensembleSuite } from './ensemble-suite.js';

describe('the gRPC client transport in an ensemble (real processes)', () => {
  const suite = ensembleSuite();

  it('fails over to another member when its server stops, keeping its session', async (t) => {
    if (suite.kind !== 'corral') {
      t.skip('the gRPC client API is Corral\'s');
      return;
    }
    const ensemble = await suite.start({ size: 3, grpc: true });
    await ensemble.waitForQuorum();
    const client = await ZkClient.connect(ensemble.grpcConnectString, { transport: new GrpcSessionTransport(), sessionTimeoutMs: 10_000 });
    try {
      await client.create('/grpc-failover', 'before');
      await client.create('/grpc-failover/owned', 'mine', { mode: CreateMode.EPHEMERAL });
      const sessionId = client.sessionId;
      // A new session's id carries the server that created it in its top byte (ZooKeeper's initial session id).
      const home = Number(BigInt.asUintN(64, sessionId) >> 56n);
      assert.ok(ensemble.sids.includes(home), `session 0x${sessionId.toString(16)} names server ${home}`);
      const reconnected = new Promise<void>((resolve) => client.once('reconnected', () => resolve()));
      await ensemble.stopMember(home);
      await reconnected;
      assert.equal(client.sessionId, sessionId);
      await client.setData('/grpc-failover', 'after');
      assert.equal(Buffer.from((await client.getData('/grpc-failover')).data ?? []).toString(), 'after');
      assert.notEqual(await client.exists('/grpc-failover/owned'), null);
    } finally {
      await client.close();
      await ensemble.close();
    }
  });
});
