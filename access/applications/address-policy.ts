// Which network addresses Gatehouse may fetch SP metadata from (OWASP ASVS 5.0 V13.2.4: an egress
// allowlist for server-side requests; Keycloak's SSRF guidance). A metadata URL is typed by an
// administrator but fetched by the server, from inside the network: without this rule it could
// read cloud instance metadata (169.254.169.254), an internal admin page or a database port.
//
// Refused unless explicitly allowed: loopback, private (RFC 1918), carrier-grade NAT, link-local,
// unique-local, site-local, multicast, unspecified, documentation, benchmarking and reserved
// ranges, for IPv4 and IPv6, including IPv4 addresses carried inside IPv6 (IPv4-mapped
// ::ffff:a.b.c.d, the deprecated IPv4-compatible ::a.b.c.d, and NAT64 64:ff9b::/96), which reach
// the same IPv4 hosts. The check is made on the address the connection will use (after DNS), never
// on the host name.

import net from 'node:net';

const REFUSED_V4: [string, number][] = [
  ['0.0.0.0', 8], // "this network", incl. the unspecified address
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // RFC 6598 shared address space (carrier-grade NAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud instance metadata lives here)
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. broadcast 255.255.255.255
];

const REFUSED_V6: [string, number][] = [
  ['::', 96], // unspecified ::, loopback ::1, and IPv4-compatible ::a.b.c.d
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215)
  ['100::', 64], // discard-only
  ['2001::', 23], // IETF protocol assignments, incl. Teredo 2001::/32
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: carries an IPv4 address of any kind
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routable inside sites)
  ['ff00::', 8], // multicast
];

const refused = new net.BlockList();
for (const [address, prefix] of REFUSED_V4) refused.addSubnet(address, prefix, 'ipv4');
for (const [address, prefix] of REFUSED_V6) refused.addSubnet(address, prefix, 'ipv6');

/** The 16 bytes of an IPv6 address (zone id ignored), or null when it is not one. */
function ipv6Bytes(address: string): number[] | null {
  const plain = address.replace(/%.*$/, '');
  if (net.isIPv6(plain) === false) return null;
  let text = plain;
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    tail.push(...dotted[1]!.split('.').map(Number));
    text = text.slice(0, -dotted[1]!.length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').filter((g) => g !== '') : []);
  const left = groups(head);
  const right = groups(rest);
  const missing = 8 - tail.length / 2 - left.length - right.length;
  const all = [...left, ...(rest === undefined ? [] : Array<string>(missing).fill('0')), ...right];
  const bytes = all.flatMap((g) => {
    const v = parseInt(g, 16);
    return [v >> 8, v & 0xff];
  });
  bytes.push(...tail);
  return bytes.length === 16 ? bytes : null;
}

/** The IPv4 address an IPv6 address carries to an IPv4 host (mapped, compatible, NAT64), if any. */
export function embeddedIpv4(address: string): string | null {
  const b = ipv6Bytes(address);
  if (!b) return null;
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const v4 = () => b.slice(12).join('.');
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return v4(); // ::ffff:a.b.c.d
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return v4(); // 64:ff9b::a.b.c.d
  if (zeros(0, 12) && !zeros(12, 16) && !(zeros(12, 15) && b[15] === 1)) return v4(); // ::a.b.c.d (not ::1)
  return null;
}

/**
 * What kind of non-public address this is, as a phrase ("a loopback address", "a link-local
 * address (IPv4 inside IPv6)"), or null when it is public.
 */
export function nonPublicReason(address: string): string | null {
  const kind = nonPublicKind(address);
  if (kind === null) return null;
  const phrase = `${/^[aeiou]/.test(kind.kind) ? 'an' : 'a'} ${kind.kind} address`;
  return kind.embedded ? `${phrase} (IPv4 inside IPv6)` : phrase;
}

function nonPublicKind(address: string): { kind: string; embedded: boolean } | null {
  const plain = address.replace(/%.*$/, '');
  const family = net.isIP(plain);
  if (family === 0) return { kind: 'invalid', embedded: false };
  if (family === 6) {
    const v4 = embeddedIpv4(plain);
    if (v4 !== null) {
      const inner = nonPublicKind(v4);
      return inner === null ? null : { kind: inner.kind, embedded: true };
    }
  }
  if (family === 4) {
    if (!refused.check(plain, 'ipv4')) return null;
    const kind = plain.startsWith('127.') ? 'loopback'
      : plain.startsWith('169.254.') ? 'link-local'
        : /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(plain) ? 'private'
          : /^(22[4-9]|23\d)\./.test(plain) ? 'multicast'
            : plain.startsWith('0.') ? 'unspecified'
              : 'reserved';
    return { kind, embedded: false };
  }
  if (!refused.check(plain, 'ipv6')) return null;
  const b = ipv6Bytes(plain)!;
  const kind = b.every((x) => x === 0) ? 'unspecified'
    : b.slice(0, 15).every((x) => x === 0) && b[15] === 1 ? 'loopback'
      : b[0] === 0xfe && (b[1]! & 0xc0) === 0x80 ? 'link-local'
        : (b[0]! & 0xfe) === 0xfc ? 'unique-local'
          : b[0] === 0xff ? 'multicast'
            : 'reserved';
  return { kind, embedded: false };
}

/**
 * Addresses allowed even though not public: 'all' (tests, a lab), or a list of addresses and CIDR
 * ranges (METADATA_FETCH_ALLOW_PRIVATE=10.1.0.0/16,fd00::5), the egress allowlist.
 */
export type PrivateTargetAllowance = 'all' | readonly string[];

export class AddressPolicy {
  private readonly allowed = new net.BlockList();

  constructor(private readonly allowance: PrivateTargetAllowance) {
    if (allowance === 'all') return;
    for (const entry of allowance) {
      const [address, prefix] = entry.split('/');
      const family = net.isIP(address ?? '');
      if (family === 0) throw new Error(`not an address or CIDR range: ${entry}`);
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) this.allowed.addAddress(address!, type);
      else this.allowed.addSubnet(address!, Number(prefix), type);
    }
  }

  /** Why the address may not be fetched from, or null when it may. */
  refusal(address: string): string | null {
    const reason = nonPublicReason(address);
    if (reason === null || this.allowance === 'all') return reason === 'an invalid address' ? reason : null;
    const plain = address.replace(/%.*$/, '');
    const v4 = net.isIP(plain) === 6 ? embeddedIpv4(plain) : null;
    const isAllowed = v4 !== null ? this.allowed.check(v4, 'ipv4') : this.allowed.check(plain, net.isIP(plain) === 4 ? 'ipv4' : 'ipv6');
    return isAllowed ? null : reason;
  }
}

/** Parses METADATA_FETCH_ALLOW_PRIVATE: true/false, or a comma-separated list of addresses and CIDR ranges. */
export function parsePrivateTargetAllowance(text: string): PrivateTargetAllowance | Error {
  const value = text.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(value)) return 'all';
  if (['false', '0', 'no', ''].includes(value)) return [];
  const entries = text.split(',').map((e) => e.trim()).filter((e) => e !== '');
  for (const entry of entries) {
    const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(entry);
    const family = m ? net.isIP(m[1]!) : 0;
    if (!m || family === 0 || (m[2] !== undefined && Number(m[2]) > (family === 4 ? 32 : 128))) {
      return new Error(`must be true, false, or addresses / CIDR ranges separated by commas (${JSON.stringify(entry)} is neither)`);
    }
  }
  return entries;
}
