// Manual check of @corral/wire against a running Apache ZooKeeper (not a unit
// test: it needs a real server). Start one on 127.0.0.1:PORT (see
// /work/shared/bench/run.sh launch_apache; extendedTypesEnabled=true for
// createTTL), build the package, then: node packages/wire/testdata/live-apache-check.mjs PORT
// Every request kind is sent with encodeRequest and every reply and
// notification is decoded with decodeReply / decodeNotification and printed.
// Last run against 3.8.0: all decoded; notes in the package README.
import net from 'node:net';
import * as w from '../dist/index.js';
const [port] = process.argv.slice(2);
const O = w.OpCode;
const acl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const enc = (s) => new TextEncoder().encode(s);
const sock = net.connect(Number(port), '127.0.0.1');
const dec = new w.FrameDecoder({ maxFrameBytes: w.maxFrameBytesDefault });
const pending = new Map();
let connected = null;
const frames = [];
let wake = null;
sock.on('data', (c) => { dec.push(c); for (let f = dec.next(); f; f = dec.next()) frames.push(f); wake?.(); });
const nextFrame = async () => { while (!frames.length) await new Promise((r) => (wake = r)); return frames.shift(); };
sock.write(w.encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: 10000, sessionId: 0n, passwd: new Uint8Array(16), readOnly: false }));
console.log('connect', w.decodeConnectResponse(await nextFrame()));
let xid = 1;
async function call(req, forcedXid) {
  const x = forcedXid ?? xid++;
  sock.write(w.encodeRequest({ xid: x, type: req.type }, req));
  for (;;) {
    const f = await nextFrame();
    const h = w.decodeReplyHeader(f);
    if (h.xid === -1) { console.log('  EVENT', JSON.stringify(w.decodeNotification(f), big)); continue; }
    const r = w.decodeReply(f, req.type);
    console.log(req.type, JSON.stringify(r, big));
    return r;
  }
}
const big = (k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString() : v);
await call({ type: O.create2, path: '/w1', data: enc('hi'), acl, flags: 0 });
await call({ type: O.create, path: '/w1/s-', data: enc(''), acl, flags: 3 });
await call({ type: O.createContainer, path: '/c', data: enc(''), acl, flags: 4 });
await call({ type: O.createTTL, path: '/t', data: enc('x'), acl, flags: 5, ttl: 100000n });
await call({ type: O.getData, path: '/w1', watch: true });
await call({ type: O.setData, path: '/w1', data: enc('v2'), version: -1 });
await call({ type: O.exists, path: '/nope', watch: false });
await call({ type: O.getChildren2, path: '/w1', watch: true });
await call({ type: O.getACL, path: '/w1' });
await call({ type: O.multi, ops: [
  { type: O.create, path: '/m1', data: enc('1'), acl, flags: 0 },
  { type: O.create2, path: '/m2', data: enc('2'), acl, flags: 0 },
  { type: O.check, path: '/w1', version: 1 },
  { type: O.setData, path: '/w1', data: enc('m'), version: 1 },
] });
await call({ type: O.multi, ops: [
  { type: O.create, path: '/m3', data: enc('1'), acl, flags: 0 },
  { type: O.delete, path: '/w1', version: 99 },
  { type: O.create, path: '/m4', data: enc('1'), acl, flags: 0 },
] });
await call({ type: O.multiRead, ops: [ { type: O.getData, path: '/m1', watch: false }, { type: O.getChildren, path: '/', watch: false }, { type: O.getData, path: '/nope', watch: false } ] });
await call({ type: O.addWatch, path: '/m1', mode: 1 });
await call({ type: O.setData, path: '/m1', data: enc('z'), version: -1 });
await call({ type: O.setWatches2, relativeZxid: 1n, dataWatches: ['/m2'], existWatches: ['/nope2'], childWatches: [], persistentWatches: [], persistentRecursiveWatches: ['/c'] }, -8);
await call({ type: O.setWatches, relativeZxid: 1n, dataWatches: ['/m2'], existWatches: [], childWatches: [] }, -8);
await call({ type: O.getAllChildrenNumber, path: '/' });
await call({ type: O.getEphemerals, prefixPath: '/' });
await call({ type: O.sync, path: '/w1' });
await call({ type: O.removeWatches, path: '/m1', watcherType: 3 });
await call({ type: O.checkWatches, path: '/m1', watcherType: 3 });
await call({ type: O.whoAmI });
await call({ type: O.auth, authType: 0, scheme: 'digest', auth: enc('u:p') }, -4);
await call({ type: O.ping }, -2);
await call({ type: O.getChildren, path: '/', watch: false });
await call({ type: O.delete, path: '/m2', version: -1 });
await call({ type: O.closeSession });
sock.end();
