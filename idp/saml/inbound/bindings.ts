// Undoing the SAML transport encodings (SAML Bindings §3.4 HTTP-Redirect, §3.5 HTTP-POST), with
// bounds on everything an attacker controls (docs/security.md: "Hostile XML and compressed input"; ASVS V5.2.1, V5.2.3):
// - parameters are split from the raw query string or form body ourselves, and a parameter that
//   appears twice is refused (parameter pollution, cf. Keycloak CVE-2026-18217): two readers can
//   never disagree about which copy counts;
// - base64 must use the strict alphabet with correct padding (HTTP-POST may wrap lines);
// - HTTP-Redirect DEFLATE is inflated with a hard output cap (a deflate bomb stops at the cap);
// - the decoded octets must be UTF-8, then go through the safe XML parser.
// The Redirect-binding signature is *collected* here (the exact octets it covers) and verified in
// redirect-signature.ts once the caller knows which application's certificates apply.

import { inflateRawSync } from 'node:zlib';
import type { Document } from '@xmldom/xmldom';
import { InboundRejection, quote } from './rejection.ts';
import { MESSAGE_LIMITS, decodeUtf8, parseSafeXml } from './safe-xml.ts';

export type SamlBinding = 'HTTP-Redirect' | 'HTTP-POST';
export type MessageParameter = 'SAMLRequest' | 'SAMLResponse';

/** The query-string signature of an HTTP-Redirect message (SAML Bindings §3.4.4.1), unverified. */
export interface RedirectSignature {
  /** SigAlg, URL-decoded. */
  sigAlg: string;
  /** Signature, URL- and base64-decoded. */
  signature: Buffer;
  /** `SAMLRequest=…[&RelayState=…]&SigAlg=…` built from the values exactly as received (still URL-encoded). */
  signedOctets: Buffer;
}

/** A decoded, safely parsed, *unauthenticated* SAML message. */
export interface InboundMessage {
  binding: SamlBinding;
  parameter: MessageParameter;
  /** The message text as decoded; what a POST-binding signature is checked over. */
  xml: string;
  document: Document;
  relayState?: string;
  redirectSignature?: RedirectSignature;
}

export interface BindingLimits {
  /** Largest decoded (inflated) message in bytes. */
  maxMessageBytes: number;
  /** Largest raw query string or form body accepted, in characters. */
  maxInputChars: number;
  /**
   * Largest RelayState in bytes. SAML Bindings §3.4.3 says an SP MUST NOT send more than 80; real
   * SPs do, so we bound it generously rather than at 80.
   */
  maxRelayStateBytes: number;
}

export const DEFAULT_BINDING_LIMITS: BindingLimits = {
  maxMessageBytes: MESSAGE_LIMITS.maxBytes,
  maxInputChars: 512 * 1024,
  maxRelayStateBytes: 1024,
};

const SIGNATURE_PARAMETERS = ['SigAlg', 'Signature'] as const;

/**
 * Decodes an HTTP-Redirect message from the raw query string (everything after `?`, exactly as
 * it arrived, not a framework's parsed copy: the signature covers those octets).
 */
export function decodeRedirectBinding(rawQuery: string, expected: MessageParameter = 'SAMLRequest', limits: BindingLimits = DEFAULT_BINDING_LIMITS): InboundMessage {
  const query = rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery;
  const params = parseUrlEncoded(query, 'query string', limits);
  const message = requireMessageParameter(params, expected, 'HTTP-Redirect');
  const relayState = readRelayState(params, limits);

  const deflated = decodeBase64Strict(message.value, `HTTP-Redirect ${expected}`, false);
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(deflated, { maxOutputLength: limits.maxMessageBytes });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new InboundRejection('inflate-limit', `The HTTP-Redirect ${expected} inflates to more than ${limits.maxMessageBytes} bytes; refused (possible deflate bomb)`);
    }
    throw new InboundRejection('bad-encoding', `The HTTP-Redirect ${expected} is not DEFLATE-compressed data (SAML Bindings §3.4.4.1)`, { cause: e });
  }

  const sigAlg = params.get('SigAlg');
  const signature = params.get('Signature');
  let redirectSignature: RedirectSignature | undefined;
  if (sigAlg || signature) {
    if (!sigAlg || !signature) {
      throw new InboundRejection('bad-parameters', 'An HTTP-Redirect signature needs both SigAlg and Signature parameters');
    }
    // SAML Bindings §3.4.4.1: the octets are the parameters in this order, values as received.
    let octets = `${expected}=${message.raw}`;
    const rawRelayState = params.get('RelayState')?.raw;
    if (rawRelayState !== undefined) octets += `&RelayState=${rawRelayState}`;
    octets += `&SigAlg=${sigAlg.raw}`;
    redirectSignature = {
      sigAlg: sigAlg.value,
      signature: decodeBase64Strict(signature.value, 'HTTP-Redirect Signature', false),
      signedOctets: Buffer.from(octets, 'utf8'),
    };
  }

  const xml = decodeUtf8(inflated, `HTTP-Redirect ${expected}`);
  return {
    binding: 'HTTP-Redirect',
    parameter: expected,
    xml,
    document: parseSafeXml(xml, { ...MESSAGE_LIMITS, maxBytes: limits.maxMessageBytes }),
    ...(relayState !== undefined ? { relayState } : {}),
    ...(redirectSignature ? { redirectSignature } : {}),
  };
}

/**
 * Decodes an HTTP-POST message from the form: either the raw `application/x-www-form-urlencoded`
 * body, or fields a body parser produced (an array value, i.e. a repeated field, is refused).
 */
export function decodePostBinding(form: string | Readonly<Record<string, unknown>>, expected: MessageParameter = 'SAMLRequest', limits: BindingLimits = DEFAULT_BINDING_LIMITS): InboundMessage {
  const params = typeof form === 'string' ? parseUrlEncoded(form, 'form body', limits) : fieldsToParams(form, limits);
  const message = requireMessageParameter(params, expected, 'HTTP-POST');
  const relayState = readRelayState(params, limits);
  const maxBase64 = Math.ceil(limits.maxMessageBytes / 3) * 4;
  if (message.value.replace(/\r?\n/g, '').length > maxBase64) {
    throw new InboundRejection('too-large', `The HTTP-POST ${expected} is larger than ${limits.maxMessageBytes} bytes decoded`);
  }
  // MIME-style line breaks are tolerated on POST: OpenSAML-based SPs wrap base64 at 76 columns.
  const octets = decodeBase64Strict(message.value, `HTTP-POST ${expected}`, true);
  if (!startsLikeXml(octets)) {
    throw new InboundRejection('bad-encoding', `The HTTP-POST ${expected} does not decode to XML (HTTP-POST messages are base64 only, never DEFLATE-compressed: SAML Bindings §3.5.4)`);
  }
  const xml = decodeUtf8(octets, `HTTP-POST ${expected}`);
  return {
    binding: 'HTTP-POST',
    parameter: expected,
    xml,
    document: parseSafeXml(xml, { ...MESSAGE_LIMITS, maxBytes: limits.maxMessageBytes }),
    ...(relayState !== undefined ? { relayState } : {}),
  };
}

/** Strict RFC 4648 §4 base64: the standard alphabet, padding only at the end, length a multiple of 4. */
export function decodeBase64Strict(value: string, what: string, allowLineBreaks: boolean): Buffer {
  const compact = allowLineBreaks ? value.replace(/\r?\n/g, '') : value;
  if (compact.length === 0) throw new InboundRejection('bad-encoding', `The ${what} is empty`);
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(compact)) {
    throw new InboundRejection('bad-encoding', `The ${what} is not valid base64 (RFC 4648 alphabet, with padding${allowLineBreaks ? '' : ', no whitespace'})`);
  }
  return Buffer.from(compact, 'base64');
}

interface RawParam {
  /** As received, still percent-encoded. */
  raw: string;
  /** Form-decoded (`+` is a space, then percent-decoding). */
  value: string;
}

function parseUrlEncoded(input: string, what: string, limits: BindingLimits): Map<string, RawParam> {
  if (input.length > limits.maxInputChars) {
    throw new InboundRejection('too-large', `The ${what} is ${input.length} characters; the limit is ${limits.maxInputChars}`);
  }
  const params = new Map<string, RawParam>();
  for (const pair of input.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const raw = eq === -1 ? '' : pair.slice(eq + 1);
    const name = formDecode(rawName, what);
    if (params.has(name)) {
      throw new InboundRejection('bad-parameters', `The ${what} repeats the parameter ${quote(name, 40)}; each parameter may appear once`);
    }
    params.set(name, { raw, value: formDecode(raw, what) });
  }
  return params;
}

function fieldsToParams(fields: Readonly<Record<string, unknown>>, limits: BindingLimits): Map<string, RawParam> {
  const params = new Map<string, RawParam>();
  let total = 0;
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (typeof value !== 'string') {
      throw new InboundRejection('bad-parameters', `The form field ${quote(name, 40)} was sent more than once or is not text; each field may appear once`);
    }
    total += value.length;
    params.set(name, { raw: value, value });
  }
  if (total > limits.maxInputChars) {
    throw new InboundRejection('too-large', `The form body is ${total} characters; the limit is ${limits.maxInputChars}`);
  }
  return params;
}

function formDecode(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw new InboundRejection('bad-parameters', `The ${what} has a malformed percent-encoding: ${quote(raw, 40)}`);
  }
}

function requireMessageParameter(params: Map<string, RawParam>, expected: MessageParameter, binding: SamlBinding): RawParam {
  const other: MessageParameter = expected === 'SAMLRequest' ? 'SAMLResponse' : 'SAMLRequest';
  if (params.has(other)) {
    throw new InboundRejection('bad-parameters', `Expected an ${binding} ${expected}, but ${other} was sent`);
  }
  const message = params.get(expected);
  if (!message || message.value === '') {
    throw new InboundRejection('bad-parameters', `No ${expected} parameter in the ${binding} message`);
  }
  if (binding === 'HTTP-POST' && SIGNATURE_PARAMETERS.some((p) => params.has(p))) {
    throw new InboundRejection('bad-parameters', 'An HTTP-POST message carries its signature inside the XML, not in SigAlg/Signature fields (SAML Bindings §3.5.4)');
  }
  return message;
}

function readRelayState(params: Map<string, RawParam>, limits: BindingLimits): string | undefined {
  const relayState = params.get('RelayState')?.value;
  if (relayState !== undefined && Buffer.byteLength(relayState, 'utf8') > limits.maxRelayStateBytes) {
    throw new InboundRejection('bad-parameters', `RelayState is longer than ${limits.maxRelayStateBytes} bytes`);
  }
  return relayState;
}

/** True when the octets start with `<`, after an optional UTF-8 byte order mark and whitespace. */
function startsLikeXml(octets: Buffer): boolean {
  let i = octets[0] === 0xef && octets[1] === 0xbb && octets[2] === 0xbf ? 3 : 0;
  while (i < octets.length && (octets[i] === 0x20 || octets[i] === 0x09 || octets[i] === 0x0a || octets[i] === 0x0d)) i += 1;
  return octets[i] === 0x3c;
}
