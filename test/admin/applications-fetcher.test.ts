// The metadata fetcher's egress rule up close: which addresses count as non-public (IPv4, IPv6 and
// IPv4 carried in IPv6), what METADATA_FETCH_ALLOW_PRIVATE accepts, and that the connection goes
// to the address that was checked: the host is resolved once, and a host with any refused address
// is refused outright (no DNS rebinding between the check and the connect).

import { expect } from 'chai';
import { AddressPolicy, nonPublicReason, parsePrivateTargetAllowance } from '../../access/applications/address-policy.ts';
import { fetchMetadataDocument, MetadataFetchError, type ResolvedAddress } from '../../access/applications/metadata-fetcher.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { MetadataServer } from './applications-fixtures.ts';

async function failure(p: Promise<unknown>): Promise<MetadataFetchError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MetadataFetchError) return e;
    throw e;
  }
  throw new Error('expected the fetch to fail');
}

describe('applications: metadata fetch egress rule', () => {
  it('classifies non-public IPv4 and IPv6 addresses, including IPv4 inside IPv6, and passes public ones', () => {
    const refused: [string, RegExp][] = [
      ['10.1.2.3', /^a private address$/],
      ['172.31.255.255', /^a private address$/],
      ['192.168.0.1', /private/],
      ['127.0.0.1', /^a loopback address$/],
      ['127.255.0.9', /loopback/],
      ['169.254.169.254', /^a link-local address$/],
      ['100.100.100.200', /reserved/], // carrier-grade NAT (Alibaba's metadata service lives here)
      ['0.0.0.0', /^an unspecified address$/],
      ['255.255.255.255', /reserved/],
      ['239.1.1.1', /multicast/],
      ['198.18.0.1', /reserved/],
      ['::1', /^a loopback address$/],
      ['::', /^an unspecified address$/],
      ['fe80::1%eth0', /link-local/],
      ['fd00:ec2::254', /unique-local/], // AWS's IPv6 instance metadata address
      ['fc00::1', /unique-local/],
      ['ff02::1', /multicast/],
      ['2001:db8::1', /reserved/],
      ['::ffff:10.0.0.1', /^a private address \(IPv4 inside IPv6\)$/],
      ['::ffff:a9fe:a9fe', /link-local address \(IPv4 inside IPv6\)/],
      ['0:0:0:0:0:ffff:7f00:1', /loopback address \(IPv4 inside IPv6\)/],
      ['64:ff9b::192.168.1.1', /private address \(IPv4 inside IPv6\)/],
      ['::127.0.0.1', /loopback address \(IPv4 inside IPv6\)/],
      ['2002:c0a8:0101::1', /reserved/], // 6to4 of 192.168.1.1
    ];
    for (const [address, reason] of refused) expect(nonPublicReason(address), address).to.match(reason);
    for (const address of ['8.8.8.8', '1.1.1.1', '52.94.236.248', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '172.32.0.1', '100.128.0.1']) {
      expect(nonPublicReason(address), address).to.equal(null);
    }
  });

  it('allows listed addresses and ranges only, matching IPv4 inside IPv6 too', () => {
    const policy = new AddressPolicy(['127.0.0.1', '10.1.0.0/16', 'fd00::5']);
    expect(policy.refusal('127.0.0.1')).to.equal(null);
    expect(policy.refusal('::ffff:127.0.0.1')).to.equal(null);
    expect(policy.refusal('10.1.200.3')).to.equal(null);
    expect(policy.refusal('fd00::5')).to.equal(null);
    expect(policy.refusal('127.0.0.2')).to.match(/loopback/);
    expect(policy.refusal('::1')).to.match(/loopback/);
    expect(policy.refusal('10.2.0.1')).to.match(/private/);
    expect(policy.refusal('fd00::6')).to.match(/unique-local/);
    expect(policy.refusal('8.8.8.8')).to.equal(null);
    expect(new AddressPolicy('all').refusal('169.254.169.254')).to.equal(null);
    expect(new AddressPolicy([]).refusal('169.254.169.254')).to.match(/link-local/);
  });

  it('reads METADATA_FETCH_ALLOW_PRIVATE as true, false or a list, and refuses anything else at start', () => {
    expect(parsePrivateTargetAllowance('true')).to.equal('all');
    expect(parsePrivateTargetAllowance('false')).to.deep.equal([]);
    expect(parsePrivateTargetAllowance('127.0.0.1, 10.0.0.0/8,fd00::/8')).to.deep.equal(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
    expect(parsePrivateTargetAllowance('10.0.0.0/33')).to.be.instanceOf(Error);
    expect(loadConfig({}).metadataFetch).to.deep.equal({ timeoutMs: 5000, allowPrivateTargets: [], refreshIntervalSeconds: 60 });
    expect(loadConfig({ METADATA_FETCH_ALLOW_PRIVATE: 'yes' }).metadataFetch.allowPrivateTargets).to.equal('all');
    expect(() => loadConfig({ METADATA_FETCH_ALLOW_PRIVATE: 'intranet.example.com' })).to.throw(ConfigError, /METADATA_FETCH_ALLOW_PRIVATE/);
    expect(() => loadConfig({ METADATA_FETCH_TIMEOUT_MS: '10' })).to.throw(ConfigError, /METADATA_FETCH_TIMEOUT_MS/);
  });

  it('connects to the address it checked, resolving the host once', async () => {
    // The server listens on 127.0.0.2 only; the system resolver would say 127.0.0.1 for localhost.
    // The fetch succeeds only if the connection uses the address the injected resolver gave.
    const server = await MetadataServer.start('127.0.0.2');
    try {
      server.serve('/m.xml', '<x/>');
      const lookups: string[] = [];
      const resolve = async (host: string): Promise<ResolvedAddress[]> => {
        lookups.push(host);
        return [{ address: '127.0.0.2', family: 4 }];
      };
      const doc = await fetchMetadataDocument(`http://localhost:${server.port}/m.xml`, { timeoutMs: 2000, addresses: new AddressPolicy(['127.0.0.2']), resolve });
      expect(doc.body.toString()).to.equal('<x/>');
      expect(lookups).to.deep.equal(['localhost']);
      expect(server.hits('/m.xml')).to.equal(1);
    } finally {
      await server.close();
    }
  });

  it('refuses a host that resolves to any refused address, even when another of its addresses is allowed', async () => {
    const server = await MetadataServer.start('127.0.0.2');
    try {
      server.serve('/m.xml', '<x/>');
      const resolve = async (): Promise<ResolvedAddress[]> => [{ address: '127.0.0.2', family: 4 }, { address: '10.0.0.1', family: 4 }];
      const e = await failure(fetchMetadataDocument(`http://localhost:${server.port}/m.xml`, { timeoutMs: 2000, addresses: new AddressPolicy(['127.0.0.2']), resolve }));
      expect(e.reason).to.equal('refused-address');
      expect(e.message).to.equal('localhost (10.0.0.1) is a private address; metadata is only fetched from public addresses');
      expect(server.connections).to.equal(0);
    } finally {
      await server.close();
    }
  });

  it('reports a name that does not resolve, and a resolver that hangs, within the deadline', async () => {
    const unknown = await failure(fetchMetadataDocument('https://nowhere.invalid/m.xml', {
      timeoutMs: 2000,
      addresses: new AddressPolicy([]),
      resolve: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
      },
    }));
    expect(unknown.reason).to.equal('network');
    expect(unknown.message).to.match(/nowhere\.invalid could not be resolved/);
    const started = Date.now();
    const hung = await failure(fetchMetadataDocument('https://slow.example.com/m.xml', { timeoutMs: 300, addresses: new AddressPolicy([]), resolve: () => new Promise(() => {}) }));
    expect(hung.reason).to.equal('timeout');
    expect(Date.now() - started).to.be.below(1500);
  });
});
