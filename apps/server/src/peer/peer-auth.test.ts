// Goal: a process that cannot prove it belongs to the ensemble never gets an election link or a
// broadcast stream — wrong secret, missing secret, a sid outside the configuration (the
// equivalent of ZooKeeper's CVE-2023-44981, where quorum SASL was skipped for such a sid), a
// connection claiming another server's sid — and each refusal is one clear log line.
// Method: in-process PeerNetworks on loopback, plus a hand-driven gRPC client that forges
// handshakes; tests wait on log lines and events, never on time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { credentials, type ClientDuplexStream } from '@grpc/grpc-js';
import { ConfigError } from '../config/zoo-cfg.js';
import { defaultPeerLimits } from './limits.js';
import { peerAuthProof, peerAuthSecretFromProperties } from './peer-auth.js';
import { peerServices, type WireAuthChallenge, type WireAuthResponse } from './peer-proto.js';
import { startTestEnsemble, testSecret, type TestPeer } from './test-kit.js';

async function closeAll(peers: readonly TestPeer[]): Promise<void> {
  await Promise.all(peers.map((peer) => peer.network.close()));
}

function refusal(peer: TestPeer, reason: string): Promise<unknown> {
  return peer.logger.waitFor((l) => l.level === 'WARN' && l.fields['reason'] === reason && l.message.startsWith('peer authentication failed'));
}

test('a wrong secret is refused on election and broadcast, with one log line each', async () => {
  const { peers } = await startTestEnsemble({ sids: [1, 2], secretOf: (sid) => (sid === 2 ? Buffer.from('not-the-ensemble-secret') : testSecret) });
  const [one, two] = peers as [TestPeer, TestPeer];
  try {
    const line = (await refusal(one, 'bad-proof')) as { fields: Record<string, unknown>; message: string };
    assert.equal(line.fields['service'], 'election');
    assert.match(line.message, /does not match this ensemble's secret/);
    // The server with the wrong secret learns it too.
    await two.logger.waitFor((l) => l.level === 'WARN' && l.message.startsWith('peer authentication refused by the peer') && l.fields['peer'] === 1);
    const stream = one.network.connectLeader(2);
    await one.events.waitFor((e) => e.kind === 'closed' && e.ref.stream === stream);
    await two.logger.waitFor((l) => l.fields['reason'] === 'bad-proof' && l.fields['service'] === 'broadcast');
    assert.deepEqual([one.network.electionPeers(), two.network.electionPeers()], [[], []]);
    for (const peer of peers) assert.ok(peer.events.items.every((e) => e.kind !== 'notification' && e.kind !== 'opened' && e.kind !== 'message'));
  } finally {
    await closeAll(peers);
  }
});

test('a server without the secret cannot join one that has it, in either direction', async () => {
  const { peers } = await startTestEnsemble({ sids: [1, 2, 3], secretOf: (sid) => (sid === 2 ? null : testSecret) });
  const [one, two, three] = peers as [TestPeer, TestPeer, TestPeer];
  try {
    await two.logger.waitFor((l) => l.level === 'WARN' && l.message.startsWith('peer authentication is off'));
    // 2 dials 1: 1 asks for hmac-sha256, 2 has none. 3 dials 2: 2 offers none, 3 refuses it.
    await refusal(two, 'mechanism-mismatch');
    await refusal(three, 'mechanism-mismatch');
    await one.events.waitFor((e) => e.kind === 'link' && e.sid === 3 && e.up);
    assert.deepEqual(two.network.electionPeers(), []);
    assert.deepEqual(one.network.electionPeers(), [3]);
  } finally {
    await closeAll(peers);
  }
});

test('without any secret the ensemble runs (local trials) and each server warns at start', async () => {
  const { peers } = await startTestEnsemble({ sids: [1, 2], secretOf: () => null });
  try {
    for (const peer of peers) await peer.logger.waitFor((l) => l.message.startsWith('peer authentication is off'));
    await peers[0]?.events.waitFor((e) => e.kind === 'link' && e.up);
  } finally {
    await closeAll(peers);
  }
});

test('a sid that is not in the configuration is refused, even with the right secret', async () => {
  // Server 9 holds the secret and lists server 1, but server 1's configuration has no server.9.
  const { peers } = await startTestEnsemble({ sids: [1, 9], viewOf: (sid, list) => (sid === 1 ? list.filter((s) => s.sid !== 9) : list) });
  const [one, nine] = peers as [TestPeer, TestPeer];
  try {
    const line = (await refusal(one, 'unknown-sid')) as { fields: Record<string, unknown> };
    assert.equal(line.fields['service'], 'election');
    const stream = nine.network.connectLeader(1);
    await nine.events.waitFor((e) => e.kind === 'closed' && e.ref.stream === stream);
    await one.logger.waitFor((l) => l.fields['reason'] === 'unknown-sid' && l.fields['service'] === 'broadcast');
    assert.deepEqual(one.network.electionPeers(), []);
    assert.ok(one.events.items.every((e) => e.kind !== 'opened' && e.kind !== 'notification'));
  } finally {
    await closeAll(peers);
  }
});

/** What a forged handshake got back: any messages after the challenge, and the final status. */
interface ForgedResult {
  readonly challenge: WireAuthChallenge;
  readonly after: unknown[];
  readonly code: number;
}

/** Dials an election port by hand and answers its challenge with `respond` (or never, given null). */
function forgeElectionHandshake(port: number, respond: ((challenge: WireAuthChallenge) => WireAuthResponse) | null): Promise<ForgedResult> {
  const client = new (peerServices().ElectionClient)(`127.0.0.1:${port}`, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
  const call = (client as unknown as { Exchange(): ClientDuplexStream<unknown, unknown> }).Exchange();
  let challenge: WireAuthChallenge | null = null;
  const after: unknown[] = [];
  return new Promise((resolve) => {
    call.on('data', (wire: { msg?: string; challenge?: WireAuthChallenge }) => {
      if (challenge === null && wire.msg === 'challenge' && wire.challenge) {
        challenge = wire.challenge;
        if (respond !== null) call.write({ auth: respond(challenge) });
      } else {
        after.push(wire);
        // Prove the acceptor never took us for a peer: it must not vote to us either.
        call.write({ notification: { sid: '77', state: 'SERVER_STATE_LOOKING', leader: '77', zxid: '0', electionEpoch: '1', peerEpoch: '0', configVersion: '0' } });
      }
    });
    call.on('error', (error: { code: number }) => {
      client.close();
      assert.ok(challenge !== null);
      resolve({ challenge, after, code: error.code });
    });
  });
}

const unauthenticated = 16;

test('CVE-2023-44981 equivalent: an unknown sid gets nothing, with a forged or even a valid proof', async () => {
  const { peers, servers } = await startTestEnsemble({ sids: [1, 2] });
  const [one] = peers as [TestPeer, TestPeer];
  const port = servers[0]?.electionPort ?? 0;
  try {
    const garbage = await forgeElectionHandshake(port, () => ({ sid: '77', nonce: Buffer.alloc(32, 1), proof: Buffer.alloc(32) }));
    assert.equal(garbage.code, unauthenticated);
    assert.deepEqual(garbage.after, []);
    await refusal(one, 'unknown-sid');
    // Knowing the secret is not enough: the sid must be a server of the configuration.
    const valid = await forgeElectionHandshake(port, (challenge) => {
      const nonce = Buffer.alloc(32, 2);
      const proof = peerAuthProof(testSecret, 'connector', { service: 'election', acceptorSid: 1, acceptorNonce: challenge.nonce, connectorSid: 78, connectorNonce: nonce });
      return { sid: '78', nonce, proof };
    });
    assert.equal(valid.code, unauthenticated);
    assert.deepEqual(valid.after, []);
    assert.ok(one.events.items.every((e) => e.kind !== 'notification'));
  } finally {
    await closeAll(peers);
  }
});

test('a connection claiming another server\'s sid is refused', async () => {
  const { peers, servers } = await startTestEnsemble({ sids: [1, 2, 3] });
  const [one] = peers as [TestPeer, TestPeer, TestPeer];
  const port = servers[0]?.electionPort ?? 0;
  try {
    // Claiming the acceptor's own sid, with a proof that would otherwise be valid.
    const self = await forgeElectionHandshake(port, (challenge) => {
      const nonce = Buffer.alloc(32, 3);
      return { sid: '1', nonce, proof: peerAuthProof(testSecret, 'connector', { service: 'election', acceptorSid: 1, acceptorNonce: challenge.nonce, connectorSid: 1, connectorNonce: nonce }) };
    });
    assert.equal(self.code, unauthenticated);
    await refusal(one, 'impostor-sid');
    // A proof made for sid 3 does not vouch for a claim to be sid 2 (a relayed handshake).
    const relayed = await forgeElectionHandshake(port, (challenge) => {
      const nonce = Buffer.alloc(32, 4);
      return { sid: '2', nonce, proof: peerAuthProof(testSecret, 'connector', { service: 'election', acceptorSid: 1, acceptorNonce: challenge.nonce, connectorSid: 3, connectorNonce: nonce }) };
    });
    assert.equal(relayed.code, unauthenticated);
    assert.deepEqual(relayed.after, []);
    await refusal(one, 'bad-proof');
    // A proof for the broadcast service is not valid on the election service.
    const crossService = await forgeElectionHandshake(port, (challenge) => {
      const nonce = Buffer.alloc(32, 5);
      return { sid: '2', nonce, proof: peerAuthProof(testSecret, 'connector', { service: 'broadcast', acceptorSid: 1, acceptorNonce: challenge.nonce, connectorSid: 2, connectorNonce: nonce }) };
    });
    assert.equal(crossService.code, unauthenticated);
  } finally {
    await closeAll(peers);
  }
});

test('a server answering for another sid at a dialed address is refused by the dialer', async () => {
  // Server 3's line for server 1 points at server 2's election port: 2 answers as sid 2.
  const { peers } = await startTestEnsemble({
    sids: [1, 2, 3],
    viewOf: (sid, list) => {
      if (sid !== 3) return list;
      const two = list.find((s) => s.sid === 2);
      return list.map((s) => (s.sid === 1 && two !== undefined ? { ...s, electionPort: two.electionPort } : s));
    },
  });
  const [, , three] = peers as [TestPeer, TestPeer, TestPeer];
  try {
    const line = (await refusal(three, 'impostor-sid')) as { message: string };
    assert.match(line.message, /dialed sid 1, the peer says it is sid 2/);
    await three.events.waitFor((e) => e.kind === 'link' && e.sid === 2 && e.up);
    assert.deepEqual(three.network.electionPeers(), [2]);
  } finally {
    await closeAll(peers);
  }
});

test('quorum.auth.secret and quorum.auth.secretFile: one of them, long enough', () => {
  const props = (entries: Record<string, string>): Map<string, string> => new Map(Object.entries(entries));
  assert.equal(peerAuthSecretFromProperties(props({})), null);
  assert.deepEqual(peerAuthSecretFromProperties(props({ 'quorum.auth.secret': 'sixteen-byte-key' })), Buffer.from('sixteen-byte-key'));
  const files = new Map([['/s', Buffer.from('a-secret-from-a-file\n')]]);
  const read = (path: string): Buffer => {
    const found = files.get(path);
    if (found === undefined) throw new Error(`ENOENT: ${path}`);
    return found;
  };
  assert.deepEqual(peerAuthSecretFromProperties(props({ 'quorum.auth.secretFile': '/s' }), read), Buffer.from('a-secret-from-a-file'));
  const refused = (entries: Record<string, string>, key: string): void => {
    assert.throws(() => peerAuthSecretFromProperties(props(entries), read), (error: unknown) => error instanceof ConfigError && error.key === key);
  };
  refused({ 'quorum.auth.secret': 'short' }, 'quorum.auth.secret');
  refused({ 'quorum.auth.secretFile': '/missing' }, 'quorum.auth.secretFile');
  refused({ 'quorum.auth.secret': 'sixteen-byte-key', 'quorum.auth.secretFile': '/s' }, 'quorum.auth.secretFile');
});

test('a connection that never answers the challenge is closed after handshakeTimeoutMs', async () => {
  const { peers, servers } = await startTestEnsemble({ sids: [1], limits: { ...defaultPeerLimits, handshakeTimeoutMs: 20 } });
  try {
    const silent = await forgeElectionHandshake(servers[0]?.electionPort ?? 0, null);
    assert.equal(silent.code, unauthenticated);
    await refusal(peers[0] as TestPeer, 'timeout');
  } finally {
    await closeAll(peers);
  }
});
