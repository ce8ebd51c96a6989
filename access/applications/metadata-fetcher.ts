// Fetches an SP's metadata document from its URL, as an attacker-chosen URL deserves (ASVS 5.0
// V13.2.4, Keycloak's SSRF guidance):
// - https only; plain http only to localhost / 127.0.0.1 / [::1] (and then the address rule below
//   still decides), no user name or password in the URL;
// - the host is resolved once, every address it resolves to must be allowed (address-policy.ts),
//   and the connection goes to the address that was checked (a `lookup` that answers with it), so
//   a second DNS answer cannot swap in an internal address (DNS rebinding);
// - redirects are followed at most MAX_REDIRECTS times, each hop checked like the first;
// - one deadline covers every hop, connect and body; the body is read as a stream and the fetch
//   stops as soon as it passes the size cap; compressed bodies are refused (no inflation).

import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import type { AddressPolicy } from './address-policy.ts';

export const MAX_METADATA_BYTES = 1024 * 1024;
export const MAX_REDIRECTS = 3;

export type FetchFailureReason = 'refused-url' | 'refused-address' | 'timeout' | 'too-large' | 'http-status' | 'network' | 'redirects';

/** Why a metadata fetch did not produce a document; the message is safe to show an administrator. */
export class MetadataFetchError extends Error {
  constructor(readonly reason: FetchFailureReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MetadataFetchError';
  }
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface MetadataFetchOptions {
  timeoutMs: number;
  addresses: AddressPolicy;
  maxBytes?: number;
  /** Host name → addresses. Default: the system resolver (dns.lookup, every address). */
  resolve?: (host: string) => Promise<ResolvedAddress[]>;
}

export interface FetchedDocument {
  body: Buffer;
  /** The URL the document finally came from (after redirects). */
  url: string;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const systemResolve = async (host: string): Promise<ResolvedAddress[]> =>
  (await dns.promises.lookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

export async function fetchMetadataDocument(url: string, options: MetadataFetchOptions): Promise<FetchedDocument> {
  const deadline = Date.now() + options.timeoutMs;
  const maxBytes = options.maxBytes ?? MAX_METADATA_BYTES;
  let current = checkUrl(url);
  for (let hop = 0; ; hop += 1) {
    const pinned = await resolveAllowed(current, options, deadline);
    const answer = await getOnce(current, pinned, deadline, options.timeoutMs, maxBytes);
    if (answer.kind === 'document') return { body: answer.body, url: current.href };
    if (hop >= MAX_REDIRECTS) throw new MetadataFetchError('redirects', `more than ${MAX_REDIRECTS} redirects`);
    let next: URL;
    try {
      next = new URL(answer.location, current);
    } catch {
      throw new MetadataFetchError('refused-url', `the server redirected to ${quote(answer.location)}, which is not a URL`);
    }
    current = checkUrl(next.href, `the redirect target ${quote(next.href)}`);
  }
}

function checkUrl(text: string, what = 'the URL'): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MetadataFetchError('refused-url', `${what} is not an absolute URL`);
  }
  if (url.username !== '' || url.password !== '') throw new MetadataFetchError('refused-url', `${what} must not contain a user name or password`);
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname)) return url;
  throw new MetadataFetchError('refused-url', `${what} must use https (http only for localhost, 127.0.0.1 and [::1])`);
}

/** Resolves the host once and checks every address; the first allowed one is used to connect. */
async function resolveAllowed(url: URL, options: MetadataFetchOptions, deadline: number): Promise<ResolvedAddress> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: ResolvedAddress[];
  const literal = net.isIP(host);
  if (literal !== 0) {
    addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    const resolve = options.resolve ?? systemResolve;
    try {
      addresses = await withDeadline(resolve(host), deadline, options.timeoutMs);
    } catch (e) {
      if (e instanceof MetadataFetchError) throw e;
      throw new MetadataFetchError('network', `${url.hostname} could not be resolved`, { cause: e });
    }
    if (addresses.length === 0) throw new MetadataFetchError('network', `${url.hostname} has no address`);
  }
  // Every address must pass: a name that also resolves to an internal address is refused outright,
  // rather than trusting which of its answers a connection would use.
  for (const { address } of addresses) {
    const reason = options.addresses.refusal(address);
    if (reason !== null) {
      const shown = literal !== 0 ? address : `${url.hostname} (${address})`;
      throw new MetadataFetchError('refused-address', `${shown} is ${reason}; metadata is only fetched from public addresses`);
    }
  }
  return addresses[0]!;
}

type Answer = { kind: 'document'; body: Buffer } | { kind: 'redirect'; location: string };

function getOnce(url: URL, pinned: ResolvedAddress, deadline: number, timeoutMs: number, maxBytes: number): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return reject(timedOut(timeoutMs));
    // Answers every lookup with the address already checked: no second resolution. Node asks with
    // `all: true` when it races address families (autoSelectFamily).
    const lookup: LookupFunction = (_host, opts, callback) => {
      if ((opts as { all?: boolean }).all) (callback as (e: null, a: dns.LookupAddress[]) => void)(null, [pinned]);
      else callback(null, pinned.address, pinned.family);
    };
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        agent: false,
        lookup,
        headers: {
          accept: 'application/samlmetadata+xml, application/xml;q=0.9, text/xml;q=0.8',
          'accept-encoding': 'identity',
          'user-agent': 'Gatehouse-metadata-fetcher',
        },
      },
      (res) => {
        response = res;
        const status = res.statusCode ?? 0;
        if ([301, 302, 303, 307, 308].includes(status)) {
          const location = res.headers.location;
          if (!location) return fail(new MetadataFetchError('http-status', `the server answered ${status} without a Location`));
          finish({ kind: 'redirect', location });
          return res.destroy();
        }
        if (status !== 200) return fail(new MetadataFetchError('http-status', `the server answered HTTP ${status}`));
        const encoding = (res.headers['content-encoding'] ?? 'identity').toLowerCase();
        if (encoding !== 'identity') {
          return fail(new MetadataFetchError('too-large', `the server sent a ${encoding}-encoded body; only uncompressed metadata is accepted`));
        }
        const declared = Number(res.headers['content-length'] ?? NaN);
        if (Number.isFinite(declared) && declared > maxBytes) return fail(tooLarge(maxBytes));
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          // Stop reading at once: fail() tears the connection down.
          if (size > maxBytes) return fail(tooLarge(maxBytes));
          chunks.push(chunk);
        });
        res.on('end', () => finish({ kind: 'document', body: Buffer.concat(chunks) }));
        res.on('error', (e) => fail(network(e)));
        res.on('aborted', () => fail(new MetadataFetchError('network', 'the connection closed before the document was complete')));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      fail(timedOut(timeoutMs));
    }, remaining);
    let settled = false;
    let response: http.IncomingMessage | undefined;
    function finish(answer: Answer) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    }
    function fail(e: Error) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      response?.destroy();
      req.destroy();
      reject(e);
    }
    req.on('error', (e) => fail(network(e)));
    req.end();
  });
}

async function withDeadline<T>(work: Promise<T>, deadline: number, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(timedOut(timeoutMs)), Math.max(0, deadline - Date.now()));
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const timedOut = (ms: number) => new MetadataFetchError('timeout', `no complete answer within ${ms} ms`);
const tooLarge = (max: number) => new MetadataFetchError('too-large', `the document is larger than ${max} bytes`);

function network(e: unknown): MetadataFetchError {
  const code = (e as { code?: string }).code;
  const text = code === 'ECONNREFUSED' ? 'the connection was refused'
    : code === 'ECONNRESET' ? 'the connection was reset'
    : code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code) ? `the TLS certificate was not accepted (${code})`
    : `the request failed${code ? ` (${code})` : ''}`;
  return new MetadataFetchError('network', text, { cause: e });
}

function quote(value: string): string {
  return JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}…` : value);
}
