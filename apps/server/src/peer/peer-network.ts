/**
 * PeerNetwork: this server's links to the other servers of the ensemble —
 * the election streams (one per pair) and the broadcast streams (one per
 * learner) of proto/peer.proto — with no consensus logic. The Driver hands
 * it messages to send and receives decoded messages through a small
 * synchronous callback interface (`PeerEvents`).
 *
 * - A peer is its sid: it authenticates as that sid (peer-stream.ts), and each
 *   server dials the addresses its own `server.N` lines give.
 * - Election: as ZooKeeper's QuorumCnxManager, only the connection of the
 *   larger sid survives. Each server dials the peers with smaller sids and
 *   redials them with a doubling delay capped at reconnectDelayMsMax; a stream
 *   from a smaller sid is refused after its handshake. A newer stream from a
 *   larger sid replaces the older one (the peer restarted).
 * - Broadcast: a learner dials its leader with `connectLeader` and gets a
 *   stream number; the leader numbers each learner stream it accepts. Both
 *   come from one counter, so a number names one stream for the network's
 *   life (the contract in packages/broadcast's README). Broadcast streams are
 *   never redialed: a closed one sends the learner back to election.
 * - Every outbound queue is bounded (outboundMessagesPerLinkMax); a peer that
 *   does not keep up loses its link instead of growing it.
 * - A broadcast stream's messages of one turn leave as batches (link-batcher.ts)
 *   once the peer said it accepts them; received batches are unbatched here, so
 *   the Driver sees the same messages in the same order either way.
 */
import { Server, ServerCredentials, credentials, status as Status, type Client, type ClientDuplexStream, type ServerDuplexStream } from '@grpc/grpc-js';
import type { PeerMsg } from '@corral/broadcast';
import type { Notification } from '@corral/election';
import { assert } from '@corral/base';
import type { QuorumServerSpec } from '../config/server-config.js';
import type { Logger } from '../logger.js';
import { unbatched, type BroadcastWire } from './batch-codec.js';
import type { SnapshotStagingFactory } from './snapshot-preload.js';
import { LeaderStreamDecoder, isLeaderMsg, isLearnerMsg, learnerMsgFromWire, learnerMsgToWire } from './broadcast-codec.js';
import { notificationFromWire, notificationToWire } from './election-codec.js';
import { defaultPeerLimits, validatePeerLimits, type PeerLimits } from './limits.js';
import { peerAuthSecretFileKey, peerAuthSecretKey, type PeerService } from './peer-auth.js';
import { PeerProtocolError } from './peer-errors.js';
import { peerServices, type WireElectionMessage, type WireLeaderMessage, type WireLearnerMessage } from './peer-proto.js';
import { LinkBatcher } from './link-batcher.js';
import { LeaderWireMemo, SharedLeaderEncoder } from './leader-wire-sharing.js';
import { leaderCommitSupersedes, learnerAckSupersedes } from './supersede-rules.js';
import { PeerStream, type PeerCall } from './peer-stream.js';

/** One broadcast stream: `leader` when this server accepted it from a learner, `learner` when it dialed a leader. */
export interface BroadcastStreamRef {
  readonly sid: number;
  readonly stream: number;
  readonly side: 'leader' | 'learner';
}

/** What the network reports to the Driver. Called synchronously from socket events; never awaited. */
export interface PeerEvents {
  /** An election notification from an authenticated peer (`from` is the stream's sid and the notification's). */
  notification(from: number, notification: Notification): void;
  /** The election link to `sid` came up (true) or went down (false). */
  electionLink?(sid: number, up: boolean): void;
  /** A broadcast stream finished its handshake. */
  broadcastOpened(ref: BroadcastStreamRef): void;
  /** A broadcast message, with the stream it came on. A SNAP arrives once, reassembled. */
  broadcastMessage(ref: BroadcastStreamRef, msg: PeerMsg): void;
  /** A broadcast stream closed (also one that never opened: a failed `connectLeader`). Reported once. */
  broadcastClosed(ref: BroadcastStreamRef, reason: string): void;
}

export interface PeerNetworkOptions {
  /** This server's id (myid). */
  readonly sid: number;
  /** The `server.N` lines as this server sees them (its own included): where it dials each peer. */
  readonly servers: readonly QuorumServerSpec[];
  /** The ensemble secret; null runs without peer authentication (logged as a warning). */
  readonly secret: Uint8Array | null;
  /** Address to bind the quorum and election ports; defaults to this server's host in `servers`. */
  readonly listenHost?: string;
  readonly limits?: PeerLimits;
  readonly logger: Logger;
  readonly events: PeerEvents;
  /** Learner: where a SNAP's snapshot chunks are stored as they arrive (snapshot-preload); none by default. */
  readonly snapshotStaging?: SnapshotStagingFactory;
}

interface Dialer {
  readonly spec: QuorumServerSpec;
  /** Replaced by redialNow: grpc-js's channel backs off on its own while the peer is down. */
  client: Client;
  stream: PeerStream | null;
  delayMs: number;
  timer: NodeJS.Timeout | null;
}

interface BroadcastEntry {
  readonly ref: BroadcastStreamRef;
  readonly peer: PeerStream;
  readonly out: LinkBatcher<BroadcastWire>;
}

type BidiMethod = (options?: object) => ClientDuplexStream<unknown, unknown>;

/** This server's peer links. */
export class PeerNetwork {
  private readonly limits: PeerLimits;
  private readonly specs: ReadonlyMap<number, QuorumServerSpec>;
  private readonly electionLinks = new Map<number, PeerStream>();
  private readonly dialers = new Map<number, Dialer>();
  /** Wake-up streams to larger sids (see wakeUp), until they are refused. */
  private readonly wakeUps = new Set<PeerStream>();
  private readonly broadcastClients = new Map<number, Client>();
  private readonly broadcastStreams = new Map<number, BroadcastEntry>();
  private readonly pending = new Set<PeerStream>();
  /** Learner streams accepted but still in their handshake: they count against broadcastStreamsMax. */
  private broadcastHandshakeCount = 0;
  private nextStream = 1;
  private closed = false;
  /** A leader's messages converted and encoded once for all its learners. */
  private readonly leaderWires: LeaderWireMemo;
  private readonly leaderEncoder = new SharedLeaderEncoder(peerServices().leaderMessageSerialize);

  private constructor(
    private readonly options: PeerNetworkOptions,
    private readonly servers: { election: Server; quorum: Server },
  ) {
    this.limits = options.limits ?? defaultPeerLimits;
    this.specs = new Map(options.servers.map((spec) => [spec.sid, spec]));
    this.leaderWires = new LeaderWireMemo(this.limits.snapChunkBytesMax);
  }

  /** Binds the quorum and election ports and starts dialing the peers with smaller sids. */
  static async start(options: PeerNetworkOptions): Promise<PeerNetwork> {
    const limits = validatePeerLimits(options.limits ?? defaultPeerLimits);
    const me = options.servers.find((spec) => spec.sid === options.sid);
    assert(me !== undefined, `sid ${options.sid} has no server.${options.sid} line`);
    const host = options.listenHost ?? me.host;
    const serverOptions = { 'grpc.max_receive_message_length': limits.messageBytesMax, 'grpc.max_send_message_length': limits.messageBytesMax };
    const servers = { election: new Server(serverOptions), quorum: new Server(serverOptions) };
    const network = new PeerNetwork({ ...options, limits }, servers);
    const { election, broadcast } = peerServices();
    servers.election.addService(election, { Exchange: (call: ServerDuplexStream<unknown, unknown>) => network.acceptElection(call) });
    servers.quorum.addService(broadcast, { Follow: (call: ServerDuplexStream<unknown, unknown>) => network.acceptBroadcast(call) });
    try {
      await bind(servers.election, `${host}:${me.electionPort}`);
      await bind(servers.quorum, `${host}:${me.quorumPort}`);
    } catch (error) {
      servers.election.forceShutdown();
      servers.quorum.forceShutdown();
      throw error;
    }
    if (options.secret === null) {
      options.logger.warn(
        { sid: options.sid },
        `peer authentication is off: neither ${peerAuthSecretKey} nor ${peerAuthSecretFileKey} is set, so any process that reaches the quorum and election ports can vote and receive data (use only for local trials)`,
      );
    }
    for (const spec of options.servers) if (spec.sid < options.sid) network.startDialer(spec);
    for (const spec of options.servers) if (spec.sid > options.sid) network.wakeUp(spec);
    return network;
  }

  /** The peers whose election link is up. */
  electionPeers(): number[] {
    return [...this.electionLinks.keys()].sort((a, b) => a - b);
  }

  /** Sends a notification; false (dropped) when the link is down or was just dropped for a full queue. */
  sendNotification(to: number, notification: Notification): boolean {
    const link = this.electionLinks.get(to);
    if (link === undefined) return false;
    return link.write({ notification: notificationToWire(notification) } satisfies WireElectionMessage);
  }

  /** Learner: opens a broadcast stream to the leader `sid`; events follow for the returned stream number. */
  connectLeader(sid: number): number {
    assert(!this.closed, 'connectLeader after close');
    const spec = this.specs.get(sid);
    assert(spec !== undefined && sid !== this.options.sid, `connectLeader to unknown or own sid ${sid}`);
    const stream = this.nextStream++;
    const ref: BroadcastStreamRef = { sid, stream, side: 'learner' };
    let client = this.broadcastClients.get(sid);
    if (client === undefined) {
      const options = { ...this.channelOptions(), 'grpc-node.flow_control_window': this.limits.broadcastReceiveWindowBytes };
      client = new (peerServices().BroadcastClient)(`${spec.host}:${spec.quorumPort}`, credentials.createInsecure(), options);
      this.broadcastClients.set(sid, client);
    }
    const call = (client as unknown as { Follow: BidiMethod }).Follow();
    const decoder = new LeaderStreamDecoder(this.limits, this.options.snapshotStaging);
    const peer = this.peerStream({
      call, side: 'connector', service: 'broadcast', dialedSid: sid,
      onOpen: () => this.options.events.broadcastOpened(ref),
      onMessage: (wire) => {
        for (const w of unbatched(wire as WireLeaderMessage, this.limits.batchMessagesMax)) {
          if (!peer.open) return;
          if (w.msg === 'leaderInfo' && w.leaderInfo?.acceptsBatches === true) out.peerAcceptsBatches = true;
          if (w.msg === 'leaderInfo' && w.leaderInfo?.cumulativeAcks === true) out.supersede = learnerAckSupersedes;
          const msg = decoder.decode(w);
          if (msg !== null) this.options.events.broadcastMessage(ref, msg);
        }
      },
      onClose: (reason) => {
        decoder.abandon();
        this.broadcastClosed(ref, reason);
      },
    });
    const out = new LinkBatcher<BroadcastWire>(peer, this.limits);
    this.broadcastStreams.set(stream, { ref, peer, out });
    return stream;
  }

  /** Sends on a broadcast stream (with the rest of this turn's messages); false when it is closed or was just dropped for a full queue. */
  sendBroadcast(stream: number, msg: PeerMsg): boolean {
    const entry = this.broadcastStreams.get(stream);
    if (entry === undefined) return false;
    if (entry.ref.side === 'leader') {
      assert(isLeaderMsg(msg), `${msg.type} is not a leader message`);
      return entry.out.add(this.leaderWires.toWire(msg));
    }
    assert(isLearnerMsg(msg), `${msg.type} is not a learner message`);
    return entry.out.add([learnerMsgToWire(msg)]);
  }

  /** Closes a broadcast stream (Ready.disconnect, or a learner leaving its leader). */
  closeBroadcast(stream: number, reason: string): void {
    const entry = this.broadcastStreams.get(stream);
    entry?.out.flush();
    entry?.peer.close(reason);
  }

  /** Releases every socket, stream and timer. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const dialer of this.dialers.values()) {
      if (dialer.timer !== null) clearTimeout(dialer.timer);
      dialer.timer = null;
      dialer.stream?.close('network closing');
    }
    for (const link of [...this.electionLinks.values()]) link.close('network closing');
    for (const entry of [...this.broadcastStreams.values()]) {
      // What this turn queued goes ahead of the close, as it did before batching.
      entry.out.flush();
      entry.peer.close('network closing');
    }
    for (const peer of [...this.pending]) peer.close('network closing');
    for (const stream of [...this.wakeUps]) stream.close('network closing');
    for (const dialer of this.dialers.values()) dialer.client.close();
    for (const client of this.broadcastClients.values()) client.close();
    await Promise.all([shutdown(this.servers.election), shutdown(this.servers.quorum)]);
  }

  private channelOptions(): object {
    return {
      'grpc.max_receive_message_length': this.limits.messageBytesMax,
      'grpc.max_send_message_length': this.limits.messageBytesMax,
      'grpc.use_local_subchannel_pool': 1,
      'grpc.initial_reconnect_backoff_ms': this.limits.reconnectDelayMsMin,
      'grpc.max_reconnect_backoff_ms': this.limits.reconnectDelayMsMax,
    };
  }

  private peerStream(o: {
    call: PeerCall; side: 'connector' | 'acceptor'; service: PeerService; dialedSid: number | null;
    admit?: (sid: number) => string | null;
    onOpen: (sid: number) => void; onMessage: (wire: unknown) => void; onClose: (reason: string) => void;
  }): PeerStream {
    const peer: PeerStream = new PeerStream({
      ...o,
      mySid: this.options.sid,
      secret: this.options.secret,
      isMember: (sid) => this.specs.has(sid),
      outboundMessagesMax: this.limits.outboundMessagesPerLinkMax,
      handshakeTimeoutMs: this.limits.handshakeTimeoutMs,
      logger: this.options.logger,
      onOpen: (sid) => {
        this.pending.delete(peer);
        o.onOpen(sid);
      },
      onClose: (reason) => {
        this.pending.delete(peer);
        o.onClose(reason);
      },
    });
    if (!peer.open) this.pending.add(peer);
    return peer;
  }

  private startDialer(spec: QuorumServerSpec): void {
    const client = this.electionClient(spec);
    const dialer: Dialer = { spec, client, stream: null, delayMs: this.limits.reconnectDelayMsMin, timer: null };
    this.dialers.set(spec.sid, dialer);
    this.dial(dialer);
  }

  /**
   * One stream to a larger sid, which refuses it and dials this server back at once (its own
   * redial of a server that was down has backed off to reconnectDelayMsMax). Without it a
   * restarted server with a small sid waited up to 2 s for its first vote (ZooKeeper's
   * QuorumCnxManager connects to every peer and the larger sid connects back the same way).
   */
  private wakeUp(spec: QuorumServerSpec): void {
    const client = this.electionClient(spec);
    const call = (client as unknown as { Exchange: BidiMethod }).Exchange();
    const stream = this.peerStream({
      call, side: 'connector', service: 'election', dialedSid: spec.sid,
      onOpen: () => undefined,
      onMessage: () => undefined,
      onClose: () => {
        this.wakeUps.delete(stream);
        client.close();
      },
    });
    this.wakeUps.add(stream);
  }

  /** A smaller sid that was refused here is dialed now, not after its backed-off delay. */
  private redialNow(sid: number): void {
    const dialer = this.dialers.get(sid);
    if (dialer === undefined || dialer.stream?.open === true || this.closed) return;
    // A pending attempt waits for its channel's own backoff (up to reconnectDelayMsMax): a fresh channel dials now.
    dialer.stream?.close('redialed: the peer is back');
    if (dialer.timer !== null) clearTimeout(dialer.timer);
    dialer.timer = null;
    dialer.client.close();
    dialer.client = this.electionClient(dialer.spec);
    dialer.delayMs = this.limits.reconnectDelayMsMin;
    this.dial(dialer);
  }

  private electionClient(spec: QuorumServerSpec): Client {
    return new (peerServices().ElectionClient)(`${spec.host}:${spec.electionPort}`, credentials.createInsecure(), this.channelOptions());
  }

  private dial(dialer: Dialer): void {
    dialer.timer = null;
    if (this.closed) return;
    const call = (dialer.client as unknown as { Exchange: BidiMethod }).Exchange();
    const sid = dialer.spec.sid;
    dialer.stream = this.peerStream({
      call, side: 'connector', service: 'election', dialedSid: sid,
      onOpen: () => {
        dialer.delayMs = this.limits.reconnectDelayMsMin;
        this.electionOpened(sid, dialer.stream);
      },
      onMessage: (wire) => this.electionMessage(sid, wire),
      onClose: (reason) => {
        this.electionClosed(sid, dialer.stream, reason);
        dialer.stream = null;
        this.scheduleRedial(dialer);
      },
    });
  }

  private scheduleRedial(dialer: Dialer): void {
    if (this.closed || dialer.timer !== null) return;
    dialer.timer = setTimeout(() => this.dial(dialer), dialer.delayMs);
    dialer.timer.unref();
    dialer.delayMs = Math.min(dialer.delayMs * 2, this.limits.reconnectDelayMsMax);
  }

  private acceptElection(call: ServerDuplexStream<unknown, unknown>): void {
    if (this.closed) return void call.emit('error', { code: Status.UNAVAILABLE, details: 'closing' });
    let link: PeerStream | null = null;
    link = this.peerStream({
      call, side: 'acceptor', service: 'election', dialedSid: null,
      // The larger sid's connection survives: a smaller sid is dialed by this server instead.
      admit: (sid) => {
        if (sid >= this.options.sid) return null;
        this.redialNow(sid);
        return `sid ${sid} is smaller than this server's ${this.options.sid}; this server dials it`;
      },
      onOpen: (sid) => this.electionOpened(sid, link),
      onMessage: (wire) => {
        if (link?.peerSid !== null && link?.peerSid !== undefined) this.electionMessage(link.peerSid, wire);
      },
      onClose: (reason) => {
        if (link?.peerSid !== null && link?.peerSid !== undefined) this.electionClosed(link.peerSid, link, reason);
      },
    });
  }

  private electionOpened(sid: number, link: PeerStream | null): void {
    if (link === null) return;
    const previous = this.electionLinks.get(sid);
    this.electionLinks.set(sid, link);
    if (previous !== undefined && previous !== link) previous.close('replaced by a newer connection from the same sid');
    this.options.logger.info({ sid: this.options.sid, peer: sid }, 'election link up');
    this.options.events.electionLink?.(sid, true);
  }

  private electionClosed(sid: number, link: PeerStream | null, reason: string): void {
    if (link === null || this.electionLinks.get(sid) !== link) return;
    this.electionLinks.delete(sid);
    if (!this.closed) this.options.logger.info({ sid: this.options.sid, peer: sid, reason }, 'election link down');
    this.options.events.electionLink?.(sid, false);
  }

  private electionMessage(sid: number, wire: unknown): void {
    const w = wire as WireElectionMessage;
    if (w.msg !== 'notification') throw new PeerProtocolError('unexpected-message', `election message ${String(w.msg)} after the handshake`);
    const notification = notificationFromWire(w.notification);
    if (notification.sid !== sid) throw new PeerProtocolError('unexpected-message', `notification from sid ${notification.sid} on sid ${sid}'s link`);
    this.options.events.notification(sid, notification);
  }

  private acceptBroadcast(call: ServerDuplexStream<unknown, unknown>): void {
    const accepted = [...this.broadcastStreams.values()].filter((entry) => entry.ref.side === 'leader').length;
    if (this.closed || accepted + this.broadcastHandshakeCount >= this.limits.broadcastStreamsMax) {
      this.options.logger.warn({ sid: this.options.sid, broadcastStreamsMax: this.limits.broadcastStreamsMax }, 'broadcast stream refused: too many streams');
      return void call.emit('error', { code: Status.RESOURCE_EXHAUSTED, details: 'too many broadcast streams' });
    }
    let ref: BroadcastStreamRef | null = null;
    let handshaking = true;
    const handshakeDone = (): void => {
      if (handshaking) this.broadcastHandshakeCount--;
      handshaking = false;
    };
    this.broadcastHandshakeCount++;
    const peer: PeerStream = this.peerStream({
      call, side: 'acceptor', service: 'broadcast', dialedSid: null,
      onOpen: (sid) => {
        handshakeDone();
        ref = { sid, stream: this.nextStream++, side: 'leader' };
        this.broadcastStreams.set(ref.stream, { ref, peer, out });
        this.options.events.broadcastOpened(ref);
      },
      onMessage: (wire) => {
        if (ref === null) return;
        for (const w of unbatched(wire as WireLearnerMessage, this.limits.batchMessagesMax)) {
          if (!peer.open) return;
          if ((w.msg === 'followerInfo' || w.msg === 'observerInfo') && w[w.msg]?.acceptsBatches === true) out.peerAcceptsBatches = true;
          this.options.events.broadcastMessage(ref, learnerMsgFromWire(w));
        }
      },
      onClose: (reason) => {
        handshakeDone();
        if (ref !== null) this.broadcastClosed(ref, reason);
      },
    });
    const out = new LinkBatcher<BroadcastWire>(peer, this.limits, { encode: (group) => this.leaderEncoder.encode(group), supersede: leaderCommitSupersedes });
  }

  private broadcastClosed(ref: BroadcastStreamRef, reason: string): void {
    if (!this.broadcastStreams.delete(ref.stream)) return;
    this.options.events.broadcastClosed(ref, reason);
  }
}

function bind(server: Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, port) => (error === null ? resolve(port) : reject(error)));
  });
}

/**
 * Stops a grpc-js server and resolves once its listener and sessions have closed: tryShutdown
 * tracks them, and forceShutdown right after destroys the sessions instead of waiting for peers.
 */
function shutdown(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.tryShutdown(() => resolve());
    server.forceShutdown();
  });
}
