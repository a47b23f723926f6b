/**
 * What ZooKeeper 3.8 answers to each check of testdata/kazoo_checks.py (recorded against
 * Apache, re-proven with CORRAL_INTEROP_TARGET=apache and CORRAL_ENSEMBLE_TARGET=apache),
 * shared by the standalone suite and the ensemble suite.
 */
import assert from 'node:assert/strict';
import type { ServerKind } from './servers.js';

/** One check of kazoo_checks.py and the observations ZooKeeper 3.8 gives. */
export interface KazooCase {
  check: string;
  want: Record<string, unknown>;
}

/** Every check, for a server of `kind` (Corral differs from Apache in one documented place). */
export function kazooCases(kind: ServerKind): readonly KazooCase[] {
  return [
    {
      check: 'create_modes',
      want: {
        persistent: '/km/p',
        ephemeral: '/km/e',
        ephemeralOwnerIsSession: true,
        persistentOwner: 0,
        // the sequence number is the parent's cversion: p and e came first
        sequential: ['/km/s-0000000002', '/km/s-0000000003'],
        ephemeralSequential: '/km/es-0000000004',
        childOfEphemeral: 'NoChildrenForEphemerals',
        duplicate: 'NodeExists',
        noParent: 'NoNode',
        create2: { path: '/km/p2', dataLength: 3, version: 0, czxidIsMzxid: true },
        container: '/km/c',
        containerKeptWithChild: true,
        containerRemoved: true,
        ttl: '/km/t',
        // clients see ephemeralOwner 0 for TTL nodes and containers (DataNode.getClientEphemeralOwner)
        ttlEphemeralOwnerNonZero: false,
        ttlRemoved: true,
        ttlSequential: '/km/ts-0000000008',
        ttlZero: 'BadArguments',
        ephemeralGoneAfterClose: true,
        persistentKeptAfterClose: true,
      },
    },
    {
      check: 'versions',
      want: {
        initial: { data: 'v0', version: 0 },
        setVersion0: 1,
        setStaleVersion: 'BadVersion',
        setAnyVersion: 2,
        deleteStale: 'BadVersion',
        dataAfter: 'v3',
        deleteNotEmpty: 'NotEmpty',
        deleteChild: 'OK',
        deleteRight: 'OK',
        getDeleted: 'NoNode',
        setDeleted: 'NoNode',
        children: ['a', 'b', 'c'],
        cversion: 3,
        numChildren: 3,
        cversionAfterDelete: 4,
      },
    },
    {
      check: 'watches',
      want: {
        // one event per one-shot watch, even though each node changed twice
        afterChanges: [
          { watch: 'data', type: 'CHANGED', path: '/kw' },
          { watch: 'exists', type: 'CREATED', path: '/kw/new' },
          { watch: 'child', type: 'CHILD', path: '/kw' },
        ],
        afterDelete: [
          { watch: 'childOnDeleted', type: 'DELETED', path: '/kw/new' },
          { watch: 'dataOnDeleted', type: 'DELETED', path: '/kw/new' },
        ],
        existsOnDeleted: [{ watch: 'existsOnExisting', type: 'DELETED', path: '/kw' }],
      },
    },
    {
      check: 'transaction',
      want: {
        // ops before the failing one report OK (kazoo: RolledBackError), after it RuntimeInconsistency
        failed: ['OK', 'BadVersion', 'RuntimeInconsistency'],
        rolledBack: true,
        succeeded: ['/kt/a', true, { version: 1 }, true],
        dataAfter: 'y',
        multiResults: [
          { type: 'error', code: 'OK' },
          { type: 'error', code: 'NoNode' },
          { type: 'error', code: 'RuntimeInconsistency' },
        ],
      },
    },
    {
      // kazoo's test_create_null_data and test_set_null_data, then null data through every
      // write that carries data; bytes are hex ('' is empty data), null is jute length -1.
      check: 'null_data',
      want: {
        createNull: { value: null, dataLength: 0 },
        setNullVersion: 1,
        setNull: { value: null, dataLength: 0, version: 1 },
        createEmpty: '',
        setEmptyAfterNull: '',
        setNullAgain: null,
        create2: { dataLength: 0, value: null },
        existsDataLength: 0,
        container: null,
        ttl: null,
        multiCodes: ['OK', 'OK', 'OK'],
        multiData: [null, '', null],
        multiRead: [
          { data: null, dataLength: 0 },
          { data: '', dataLength: 0 },
          { data: null, dataLength: 0 },
        ],
      },
    },
    {
      check: 'acl',
      want: {
        noAuthGet: 'NoAuth',
        noAuthSet: 'NoAuth',
        noAuthCreateChild: 'NoAuth',
        // Apache 3.8.0 answers OK; Corral checks READ on exists (docs/divergences.md#exists-checks-read).
        existsWithoutAuth: kind === 'corral' ? 'NoAuth' : 'OK',
        wrongPassword: 'NoAuth',
        authedGet: 'secret',
        aclSeen: [{ perms: 31, scheme: 'digest', id: 'user:2Om+GBbT2q/tS6pdvACZbbm7/1A=' }],
        expectedDigestId: 'user:2Om+GBbT2q/tS6pdvACZbbm7/1A=',
        readOnlyAclSet: 'NoAuth',
        invalidAcl: 'InvalidACL',
      },
    },
    {
      check: 'session_expiry',
      want: {
        negotiatedTimeoutMs: 2000,
        rawCreate: ['OK', '/kx/eph'],
        ownerIsRawSession: true,
        watchFired: true,
        events: [{ type: 'DELETED', path: '/kx/eph' }],
        ephemeralGone: true,
        rawAfterExpiry: 'closed',
      },
    },
    {
      check: 'recipes',
      want: {
        aAcquired: true,
        bNonBlocking: false,
        contenders: ['a'],
        bAcquiredAfterRelease: true,
        electionContenders: ['a', 'b'],
        leaders: ['a', 'b'],
        queueLength: 4,
        queueOrder: ['urgent', 'one', 'two', 'three'],
        queueEmpty: null,
        counter: 20,
      },
    },
    {
      check: 'many_ephemerals_close',
      want: { created: 3300, childrenAfterClose: 0, serverAnswers: 'OK' },
    },
  ];
}

/** Timing varies: session_expiry only has to expire within a few timeouts. */
const expiredWithinMaxS = 10;

/** The observations to compare with the case's `want`, after checking and dropping timings. */
export function comparableKazooObservations(check: string, got: Record<string, unknown>): Record<string, unknown> {
  if (check !== 'session_expiry') return got;
  const { expiredWithinS: seconds, ...rest } = got;
  assert.ok(typeof seconds === 'number' && seconds <= expiredWithinMaxS, `expired after ${String(seconds)} s`);
  return rest;
}
