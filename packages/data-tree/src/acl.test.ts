// Goal: checkAcl and fixupAcl follow ZooKeeperServer.checkACL and
// PrepRequestProcessor.fixupACL with the default ip and digest providers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCode } from '@corral/base';
import type { ACL, Id } from './acl.js';
import { Perms, checkAcl, fixupAcl, openAclUnsafe } from './acl.js';

const digest = (id: string): Id => ({ scheme: 'digest', id });
const ip = (id: string): Id => ({ scheme: 'ip', id });
const entry = (perms: number, id: Id): ACL => ({ perms, id });

test('checkAcl grants per ZooKeeperServer.checkACL', () => {
  const cases: { name: string; acl: ACL[]; perm: number; ids: Id[]; want: boolean }[] = [
    { name: 'empty ACL allows all', acl: [], perm: Perms.ADMIN, ids: [], want: true },
    { name: 'world anyone', acl: [...openAclUnsafe], perm: Perms.WRITE, ids: [], want: true },
    { name: 'perm bit missing', acl: [entry(Perms.READ, { scheme: 'world', id: 'anyone' })], perm: Perms.WRITE, ids: [], want: false },
    { name: 'super passes', acl: [entry(Perms.READ, digest('u:x'))], perm: Perms.WRITE, ids: [{ scheme: 'super', id: '' }], want: true },
    { name: 'digest exact', acl: [entry(Perms.ALL, digest('u:x'))], perm: Perms.READ, ids: [digest('u:x')], want: true },
    { name: 'digest differs', acl: [entry(Perms.ALL, digest('u:x'))], perm: Perms.READ, ids: [digest('u:y')], want: false },
    { name: 'ip exact', acl: [entry(Perms.ALL, ip('127.0.0.1'))], perm: Perms.READ, ids: [ip('127.0.0.1')], want: true },
    { name: 'ip cidr /8', acl: [entry(Perms.ALL, ip('10.0.0.0/8'))], perm: Perms.READ, ids: [ip('10.9.8.7')], want: true },
    { name: 'ip cidr /12 miss', acl: [entry(Perms.ALL, ip('10.16.0.0/12'))], perm: Perms.READ, ids: [ip('10.32.0.1')], want: false },
    { name: 'ip cidr /12 hit', acl: [entry(Perms.ALL, ip('10.16.0.0/12'))], perm: Perms.READ, ids: [ip('10.31.0.1')], want: true },
    { name: 'ip /0 matches all v4', acl: [entry(Perms.ALL, ip('1.2.3.4/0'))], perm: Perms.READ, ids: [ip('9.9.9.9')], want: true },
    { name: 'ip bad bits', acl: [entry(Perms.ALL, ip('1.2.3.4/33'))], perm: Perms.READ, ids: [ip('1.2.3.4')], want: false },
    { name: 'ipv6 never matches', acl: [entry(Perms.ALL, ip('::1'))], perm: Perms.READ, ids: [ip('::1')], want: false },
    { name: 'unknown scheme', acl: [entry(Perms.ALL, { scheme: 'sasl', id: 'u' })], perm: Perms.READ, ids: [{ scheme: 'sasl', id: 'u' }], want: false },
    { name: 'world other id', acl: [entry(Perms.ALL, { scheme: 'world', id: 'x' })], perm: Perms.READ, ids: [{ scheme: 'world', id: 'x' }], want: false },
  ];
  for (const c of cases) assert.equal(checkAcl(c.acl, c.perm, c.ids), c.want, c.name);
});

test('fixupAcl validates and expands like PrepRequestProcessor.fixupACL', () => {
  const cases: { name: string; acl: ACL[]; ids: Id[]; code: number; want?: ACL[] }[] = [
    { name: 'empty list', acl: [], ids: [], code: ZkCode.INVALIDACL },
    { name: 'world anyone kept', acl: [...openAclUnsafe], ids: [], code: ZkCode.OK, want: [...openAclUnsafe] },
    { name: 'duplicates removed', acl: [...openAclUnsafe, ...openAclUnsafe], ids: [], code: ZkCode.OK, want: [...openAclUnsafe] },
    { name: 'auth without digest', acl: [entry(Perms.ALL, { scheme: 'auth', id: '' })], ids: [ip('127.0.0.1')], code: ZkCode.INVALIDACL },
    {
      name: 'auth expands to digest ids only',
      acl: [entry(Perms.READ, { scheme: 'auth', id: 'ignored' })],
      ids: [ip('127.0.0.1'), digest('a:h1'), { scheme: 'super', id: '' }, digest('b:h2')],
      code: ZkCode.OK,
      want: [entry(Perms.READ, digest('a:h1')), entry(Perms.READ, digest('b:h2'))],
    },
    { name: 'digest needs one colon', acl: [entry(Perms.ALL, digest('nocolon'))], ids: [], code: ZkCode.INVALIDACL },
    { name: 'digest trailing colon', acl: [entry(Perms.ALL, digest('a:'))], ids: [], code: ZkCode.INVALIDACL },
    { name: 'digest ok', acl: [entry(Perms.ALL, digest('a:b'))], ids: [], code: ZkCode.OK, want: [entry(Perms.ALL, digest('a:b'))] },
    { name: 'digest two colons trailing', acl: [entry(Perms.ALL, digest('a:b:'))], ids: [], code: ZkCode.OK, want: [entry(Perms.ALL, digest('a:b:'))] },
    { name: 'ip ok', acl: [entry(Perms.ALL, ip('10.0.0.0/8'))], ids: [], code: ZkCode.OK, want: [entry(Perms.ALL, ip('10.0.0.0/8'))] },
    { name: 'ip bad octet', acl: [entry(Perms.ALL, ip('10.0.0.256'))], ids: [], code: ZkCode.INVALIDACL },
    { name: 'ip three parts', acl: [entry(Perms.ALL, ip('10.0.0'))], ids: [], code: ZkCode.INVALIDACL },
    { name: 'ip plus sign parses', acl: [entry(Perms.ALL, ip('+10.0.0.1'))], ids: [], code: ZkCode.OK, want: [entry(Perms.ALL, ip('+10.0.0.1'))] },
    { name: 'unknown scheme', acl: [entry(Perms.ALL, { scheme: 'x509', id: 'CN=a' })], ids: [], code: ZkCode.INVALIDACL },
    { name: 'world other', acl: [entry(Perms.ALL, { scheme: 'world', id: 'me' })], ids: [], code: ZkCode.INVALIDACL },
  ];
  for (const c of cases) {
    const got = fixupAcl(c.acl, c.ids);
    assert.equal(got.code, c.code, c.name);
    if (c.want !== undefined) assert.deepEqual(got.acl, c.want, c.name);
  }
});
