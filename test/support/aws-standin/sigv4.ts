// SigV4 verification for the AWS stand-in (docs/aws-standin.md), written from the AWS General
// Reference "Signature Version 4 signing process" with node:crypto only, so a request the real
// SDK signs is checked by code that shares nothing with the SDK's signer.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface SignedBy {
  accessKeyId: string;
  region: string;
  service: string;
  securityToken: string | undefined;
}

export class SignatureRefusal extends Error {
  constructor(
    readonly code: 'IncompleteSignature' | 'SignatureDoesNotMatch' | 'InvalidClientTokenId' | 'RequestExpired',
    message: string,
  ) {
    super(message);
  }
}

const sha256hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
// RFC 3986 unreserved characters stay, everything else is %XX (upper case), as SigV4 requires.
const uriEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/** The credential scope of a request, read before the secret is known (to route it). */
export function signedScope(headers: IncomingHttpHeaders): SignedBy {
  const m = AUTH.exec(String(headers.authorization ?? ''));
  if (!m) throw new SignatureRefusal('IncompleteSignature', 'Authorization header is not an AWS4-HMAC-SHA256 signature');
  const token = headers['x-amz-security-token'];
  return { accessKeyId: m[1]!, region: m[3]!, service: m[4]!, securityToken: typeof token === 'string' ? token : undefined };
}

/** Throws SignatureRefusal unless the request is signed with `secret` over exactly these bytes. */
export function verifySigV4(req: { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer }, secret: string, now: Date): void {
  const m = AUTH.exec(String(req.headers.authorization ?? ''));
  if (!m) throw new SignatureRefusal('IncompleteSignature', 'Authorization header is not an AWS4-HMAC-SHA256 signature');
  const [, , day, region, service, signedHeaderList, signature] = m as unknown as [string, string, string, string, string, string, string];
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== day) throw new SignatureRefusal('IncompleteSignature', 'X-Amz-Date missing or not the credential scope day');
  const signedAt = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
  if (Math.abs(now.getTime() - signedAt) > 15 * 60_000) throw new SignatureRefusal('RequestExpired', 'Signature expired: more than 15 minutes from now');
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host')) throw new SignatureRefusal('IncompleteSignature', 'host must be a signed header');
  for (const h of ['x-amz-date', 'x-amz-security-token', 'x-amz-target']) {
    if (req.headers[h] !== undefined && !signedHeaders.includes(h)) throw new SignatureRefusal('IncompleteSignature', `${h} must be signed`);
  }

  const url = new URL(req.url, 'http://standin');
  const canonicalUri = url.pathname.split('/').map((seg) => uriEncode(decodeURIComponent(seg))).join('/') || '/';
  const query = [...url.searchParams.entries()]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = signedHeaders
    .map((h) => {
      const raw = req.headers[h];
      if (raw === undefined) throw new SignatureRefusal('IncompleteSignature', `signed header ${h} is missing`);
      const value = (Array.isArray(raw) ? raw.join(',') : raw).trim().replace(/\s+/g, ' ');
      return `${h}:${value}\n`;
    })
    .join('');
  const bodyHash = sha256hex(req.body);
  const claimed = req.headers['x-amz-content-sha256'];
  if (typeof claimed === 'string' && claimed !== bodyHash) throw new SignatureRefusal('SignatureDoesNotMatch', 'x-amz-content-sha256 is not the hash of the body');
  const canonicalRequest = [req.method, canonicalUri, query, canonicalHeaders, signedHeaderList, bodyHash].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  const expected = Buffer.from(hmac(key, stringToSign).toString('hex'));
  if (!timingSafeEqual(expected, Buffer.from(signature))) {
    throw new SignatureRefusal('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided');
  }
}
