"""Interop checks run with kazoo (the Python client) against a server.

usage: kazoo_checks.py HOSTS CHECK [HOSTS ...]
Each client the check opens takes the next connect string, in turn (so an ensemble test
can put each client of a check on a different server); where a client reads what another
wrote, it syncs first, as ZooKeeper guarantees nothing across servers without it.
Prints one JSON object: the observations of CHECK. The TypeScript test compares them
with what ZooKeeper 3.8 does; this script never decides pass/fail itself, except that
an unexpected exception is printed as {"crash": ...} with exit code 1.
"""
import json
import sys
import threading
import time
import traceback

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException, ZookeeperError
from kazoo.security import make_digest_acl, OPEN_ACL_UNSAFE
from kazoo.recipe.lock import Lock
from kazoo.recipe.election import Election
from kazoo.recipe.queue import Queue
from kazoo.recipe.counter import Counter

import zkraw

CONNECT_STRINGS = [sys.argv[1]] + sys.argv[3:]
_opened = [0]


def next_hosts():
    """The connect string of the next client (or raw session): the list in turn."""
    hosts = CONNECT_STRINGS[_opened[0] % len(CONNECT_STRINGS)]
    _opened[0] += 1
    return hosts


def client(timeout=10.0):
    c = KazooClient(hosts=next_hosts(), timeout=timeout, connection_retry={'max_tries': 3})
    c.start(timeout=15)
    return c


def outcome(fn):
    """'OK' or the ZooKeeper code name of the exception fn raised."""
    try:
        fn()
        return 'OK'
    except (KazooException, ZookeeperError) as exc:
        return zkraw.error_name(exc)


def wait_until(predicate, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def check_create_modes():
    c = client()
    out = {}
    c.create('/km')
    out['persistent'] = c.create('/km/p', b'p')
    out['ephemeral'] = c.create('/km/e', b'e', ephemeral=True)
    out['ephemeralOwnerIsSession'] = c.exists('/km/e').ephemeralOwner == c.client_id[0]
    out['persistentOwner'] = c.exists('/km/p').ephemeralOwner
    out['sequential'] = [c.create('/km/s-', sequence=True) for _ in range(2)]
    out['ephemeralSequential'] = c.create('/km/es-', ephemeral=True, sequence=True)
    out['childOfEphemeral'] = outcome(lambda: c.create('/km/e/child'))
    out['duplicate'] = outcome(lambda: c.create('/km/p'))
    out['noParent'] = outcome(lambda: c.create('/km/missing/child'))
    path, stat = c.create('/km/p2', b'abc', include_data=True)
    out['create2'] = {'path': path, 'dataLength': stat.dataLength, 'version': stat.version,
                      'czxidIsMzxid': stat.czxid == stat.mzxid}
    # Container: stays while it has a child, is removed once the last child goes.
    cpath, cstat = zkraw.call(c, zkraw.CreateContainer('/km/c', b'', OPEN_ACL_UNSAFE, 4))
    out['container'] = cpath
    c.create('/km/c/x')
    time.sleep(1.5)  # several container check intervals: must NOT be removed while non-empty
    out['containerKeptWithChild'] = c.exists('/km/c') is not None
    c.delete('/km/c/x')
    out['containerRemoved'] = wait_until(lambda: c.exists('/km/c') is None, 15)
    # TTL: a childless TTL node is removed once its TTL has passed without modification.
    tpath, tstat = zkraw.call(c, zkraw.CreateTTL('/km/t', b'', OPEN_ACL_UNSAFE, 5, 500))
    out['ttl'] = tpath
    out['ttlEphemeralOwnerNonZero'] = tstat.ephemeralOwner != 0
    out['ttlRemoved'] = wait_until(lambda: c.exists('/km/t') is None, 15)
    spath, _ = zkraw.call(c, zkraw.CreateTTL('/km/ts-', b'', OPEN_ACL_UNSAFE, 6, 60000))
    out['ttlSequential'] = spath
    out['ttlZero'] = outcome(lambda: zkraw.call(c, zkraw.CreateTTL('/km/t0', b'', OPEN_ACL_UNSAFE, 5, 0)))
    c.stop()
    c2 = client()
    c2.sync('/km')
    out['ephemeralGoneAfterClose'] = c2.exists('/km/e') is None and c2.exists(out['ephemeralSequential']) is None
    out['persistentKeptAfterClose'] = c2.exists('/km/p') is not None
    c2.stop()
    return out


def check_versions():
    c = client()
    out = {}
    c.create('/kv', b'v0')
    data, stat = c.get('/kv')
    out['initial'] = {'data': data.decode(), 'version': stat.version}
    out['setVersion0'] = c.set('/kv', b'v1', version=0).version
    out['setStaleVersion'] = outcome(lambda: c.set('/kv', b'v2', version=0))
    out['setAnyVersion'] = c.set('/kv', b'v3', version=-1).version
    out['deleteStale'] = outcome(lambda: c.delete('/kv', version=0))
    out['dataAfter'] = c.get('/kv')[0].decode()
    c.create('/kv/child')
    out['deleteNotEmpty'] = outcome(lambda: c.delete('/kv', version=2))
    out['deleteChild'] = outcome(lambda: c.delete('/kv/child'))
    out['deleteRight'] = outcome(lambda: c.delete('/kv', version=2))
    out['getDeleted'] = outcome(lambda: c.get('/kv'))
    out['setDeleted'] = outcome(lambda: c.set('/kv', b'x'))
    c.create('/kvc')
    for name in ('b', 'a', 'c'):
        c.create('/kvc/' + name)
    children, stat = c.get_children('/kvc', include_data=True)
    out['children'] = sorted(children)
    out['cversion'] = stat.cversion
    out['numChildren'] = stat.numChildren
    c.delete('/kvc/a')
    out['cversionAfterDelete'] = c.exists('/kvc').cversion
    c.stop()
    return out


def check_watches():
    c = client()
    other = client()
    events = []
    lock = threading.Lock()

    def recorder(kind):
        def on_event(event):
            with lock:
                events.append({'watch': kind, 'type': event.type, 'path': event.path})
        return on_event

    c.create('/kw', b'0')
    c.get('/kw', watch=recorder('data'))
    c.exists('/kw/new', watch=recorder('exists'))
    c.get_children('/kw', watch=recorder('child'))
    other.set('/kw', b'1')
    other.set('/kw', b'2')  # must not fire the (one-shot) data watch again
    other.create('/kw/new')
    other.create('/kw/new2')  # must not fire the child watch again
    zkraw.flush_callbacks(c)
    out = {'afterChanges': list(events)}
    del events[:]
    c.get('/kw/new', watch=recorder('dataOnDeleted'))
    c.get_children('/kw/new', watch=recorder('childOnDeleted'))
    other.delete('/kw/new')
    zkraw.flush_callbacks(c)
    out['afterDelete'] = sorted(events, key=lambda e: e['watch'])
    del events[:]
    c.exists('/kw', watch=recorder('existsOnExisting'))
    other.delete('/kw/new2')
    other.delete('/kw')
    zkraw.flush_callbacks(c)
    out['existsOnDeleted'] = list(events)
    c.stop()
    other.stop()
    return out


def check_transaction():
    c = client()
    out = {}
    c.create('/kt', b'x')
    t = c.transaction()
    t.create('/kt/a', b'a')
    t.check('/kt', 5)
    t.set_data('/kt', b'y')
    results = t.commit()
    out['failed'] = [zkraw.error_name(r) if isinstance(r, Exception) else r for r in results]
    out['rolledBack'] = c.exists('/kt/a') is None and c.get('/kt')[0] == b'x'
    t = c.transaction()
    t.create('/kt/a', b'a')
    t.check('/kt', 0)
    t.set_data('/kt', b'y')
    t.delete('/kt/a')
    results = t.commit()
    out['succeeded'] = [r if isinstance(r, (str, bool)) else {'version': r.version} for r in results]
    out['dataAfter'] = c.get('/kt')[0].decode()
    out['multiResults'] = zkraw.call(c, zkraw.Multi([
        zkraw.Create('/kt/m1', b'', OPEN_ACL_UNSAFE, 0),
        zkraw.Delete('/kt/nope', -1),
        zkraw.SetData('/kt', b'z', -1),
    ]))
    c.stop()
    return out


def check_null_data():
    """Null data (jute buffer length -1) stays null, distinct from empty data: kazoo's own
    test_create_null_data and test_set_null_data, plus create2, TTL, container, multi and
    multiRead with null data, and the Stat of a null node."""
    c = client()
    out = {}
    c.create('/kn')
    # kazoo's test_create_null_data
    c.create('/kn/created', None)
    value, stat = c.get('/kn/created')
    out['createNull'] = {'value': value, 'dataLength': stat.dataLength}
    # kazoo's test_set_null_data
    c.create('/kn/set', b'somedata')
    out['setNullVersion'] = c.set('/kn/set', None).version
    value, stat = c.get('/kn/set')
    out['setNull'] = {'value': value, 'dataLength': stat.dataLength, 'version': stat.version}
    c.create('/kn/empty', b'')
    out['createEmpty'] = c.get('/kn/empty')[0]
    c.set('/kn/set', b'')
    out['setEmptyAfterNull'] = c.get('/kn/set')[0]
    c.set('/kn/set', None)
    out['setNullAgain'] = c.get('/kn/set')[0]
    path, stat = c.create('/kn/create2', None, include_data=True)
    out['create2'] = {'dataLength': stat.dataLength, 'value': c.get(path)[0]}
    out['existsDataLength'] = c.exists('/kn/create2').dataLength
    zkraw.call(c, zkraw.CreateContainer('/kn/container', None, OPEN_ACL_UNSAFE, 4))
    c.create('/kn/container/child')
    out['container'] = c.get('/kn/container')[0]
    zkraw.call(c, zkraw.CreateTTL('/kn/ttl', None, OPEN_ACL_UNSAFE, 5, 60000))
    out['ttl'] = c.get('/kn/ttl')[0]
    multi = zkraw.call(c, zkraw.Multi([
        zkraw.Create('/kn/m1', None, OPEN_ACL_UNSAFE, 0),
        zkraw.Create('/kn/m2', b'', OPEN_ACL_UNSAFE, 0),
        zkraw.SetData('/kn/empty', None, -1),
    ]))
    out['multiCodes'] = [r['code'] for r in multi]
    out['multiData'] = [c.get(p)[0] for p in ('/kn/m1', '/kn/m2', '/kn/empty')]
    reads = zkraw.call(c, zkraw.MultiRead([
        zkraw.GetData('/kn/m1', False),
        zkraw.GetData('/kn/m2', False),
        zkraw.GetData('/kn/created', False),
    ]))
    out['multiRead'] = [{'data': r['data'], 'dataLength': r['stat'].dataLength} for r in reads]
    c.stop()
    return out


def check_acl():
    owner = client()
    stranger = client()
    out = {}
    acl = make_digest_acl('user', 'pw', all=True)
    owner.create('/ka', b'secret', acl=[acl])
    stranger.sync('/ka')
    out['noAuthGet'] = outcome(lambda: stranger.get('/ka'))
    out['noAuthSet'] = outcome(lambda: stranger.set('/ka', b'x'))
    out['noAuthCreateChild'] = outcome(lambda: stranger.create('/ka/c'))
    # exists checks no ACL in ZooKeeper (only existence leaks)
    out['existsWithoutAuth'] = outcome(lambda: stranger.exists('/ka'))
    out['wrongPassword'] = None
    wrong = client()
    wrong.add_auth('digest', 'user:nope')
    out['wrongPassword'] = outcome(lambda: wrong.get('/ka'))
    wrong.stop()
    stranger.add_auth('digest', 'user:pw')
    out['authedGet'] = stranger.get('/ka')[0].decode()
    acls, _ = stranger.get_acls('/ka')
    out['aclSeen'] = [{'perms': a.perms, 'scheme': a.id.scheme, 'id': a.id.id} for a in acls]
    out['expectedDigestId'] = acl.id.id
    owner.create('/kr', b'r', acl=[make_digest_acl('user', 'pw', read=True)])
    out['readOnlyAclSet'] = outcome(lambda: stranger.set('/kr', b'x'))
    out['invalidAcl'] = outcome(lambda: owner.create('/kbad', acl=[make_digest_acl('user', 'pw', all=True)._replace(perms=31)._replace(id=acl.id._replace(scheme='nosuchscheme'))]))
    owner.stop()
    stranger.stop()
    return out


def check_session_expiry():
    watcher = client()
    watcher.ensure_path('/kx')
    host, port = next_hosts().split(',')[0].rsplit(':', 1)
    raw = zkraw.RawSession(host, int(port), 2000)
    out = {'negotiatedTimeoutMs': raw.timeout_ms}
    code, path = raw.create('/kx/eph', b'', 'ephemeral')
    out['rawCreate'] = [code, path]
    watcher.sync('/kx')
    stat = watcher.exists('/kx/eph')
    out['ownerIsRawSession'] = stat is not None and stat.ephemeralOwner == raw.session_id
    fired = threading.Event()
    events = []

    def on_event(event):
        events.append({'type': event.type, 'path': event.path})
        fired.set()

    watcher.exists('/kx/eph', watch=on_event)
    started = time.time()
    # the raw session now goes silent: no pings, no requests
    out['watchFired'] = fired.wait(20)
    out['expiredWithinS'] = round(time.time() - started)
    out['events'] = events
    out['ephemeralGone'] = watcher.exists('/kx/eph') is None
    try:
        out['rawAfterExpiry'] = raw.create('/kx/again')[0]
    except (ConnectionError, OSError):
        out['rawAfterExpiry'] = 'closed'
    raw.close_socket()
    watcher.stop()
    return out


def check_recipes():
    a = client()
    b = client()
    out = {}
    lock_a = Lock(a, '/krl', 'a')
    lock_b = Lock(b, '/krl', 'b')
    out['aAcquired'] = lock_a.acquire(timeout=10)
    out['bNonBlocking'] = lock_b.acquire(blocking=False)
    a.sync('/krl')  # b removed its node on b's server
    out['contenders'] = lock_a.contenders()
    got = []
    waiter = threading.Thread(target=lambda: got.append(lock_b.acquire(timeout=15)))
    waiter.start()
    time.sleep(0.3)
    lock_a.release()
    waiter.join(20)
    out['bAcquiredAfterRelease'] = got == [True]
    lock_b.release()

    leaders = []
    election_a = Election(a, '/kre', 'a')
    election_b = Election(b, '/kre', 'b')
    stop_a = threading.Event()

    def lead_a():
        leaders.append('a')
        stop_a.wait(15)

    thread_a = threading.Thread(target=lambda: election_a.run(lead_a))
    thread_a.start()
    wait_until(lambda: leaders == ['a'], 10)
    thread_b = threading.Thread(target=lambda: election_b.run(lambda: leaders.append('b')))
    thread_b.start()
    wait_until(lambda: len(election_a.contenders()) == 2, 10)
    out['electionContenders'] = election_a.contenders()
    stop_a.set()
    thread_a.join(15)
    thread_b.join(15)
    out['leaders'] = leaders

    qa = Queue(a, '/krq')
    qb = Queue(b, '/krq')
    for item in (b'one', b'two', b'three'):
        qa.put(item)
    qa.put(b'urgent', priority=10)
    b.sync('/krq')
    out['queueLength'] = len(qb)
    out['queueOrder'] = [qb.get().decode() for _ in range(4)]
    out['queueEmpty'] = qb.get()

    ca = Counter(a, '/krc')
    cb = Counter(b, '/krc')

    def bump(counter, count):
        for _ in range(count):
            counter += 1

    threads = [threading.Thread(target=bump, args=(ca, 10)), threading.Thread(target=bump, args=(cb, 10))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    a.sync('/krc')
    out['counter'] = Counter(a, '/krc').value
    a.stop()
    b.stop()
    return out


def check_many_ephemerals_close():
    # ZOOKEEPER-4306: the close of a session owning 3,300 ephemerals with 1 KB names
    # was a txn over the log's record limit (Corral exited; Apache cannot read it back).
    owner = client()
    other = client()
    owner.create('/kme')
    prefix = '/kme/' + 'n' * 1000
    pending = [owner.create_async(prefix + str(i), b'', ephemeral=True) for i in range(3300)]
    out = {'created': sum(1 for p in pending if p.get(timeout=60))}
    owner.stop()
    other.sync('/kme')
    out['childrenAfterClose'] = len(other.get_children('/kme'))
    out['serverAnswers'] = outcome(lambda: other.create('/kme/after'))
    other.stop()
    return out


CHECKS = {
    'create_modes': check_create_modes,
    'versions': check_versions,
    'watches': check_watches,
    'transaction': check_transaction,
    'null_data': check_null_data,
    'acl': check_acl,
    'session_expiry': check_session_expiry,
    'recipes': check_recipes,
    'many_ephemerals_close': check_many_ephemerals_close,
}


def jsonable(value):
    if hasattr(value, '_asdict'):
        return {k: jsonable(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return value


if __name__ == '__main__':
    try:
        print(json.dumps(jsonable(CHECKS[sys.argv[2]]())))
    except Exception as exc:  # report, let the test show it
        print(json.dumps({'crash': repr(exc), 'trace': traceback.format_exc()}))
        sys.exit(1)
