// Reading what STS answers to AssumeRoleWithSAML (docs/aws-accounts.md): the
// AssumeRoleWithSAMLResponse in namespace https://sts.amazonaws.com/doc/2011-06-15/, or the query
// protocol's ErrorResponse envelope. The text comes from the network, so it is parsed like any
// other untrusted XML (no DTDs, entities, PIs or comments; bounded size and depth), read by exact
// paths, and every credential value is checked against the alphabet AWS uses: the portal pastes
// them into shell snippets, so an unexpected character is refused, never passed on.
import type { Element } from '@xmldom/xmldom';
import { parseSafeXml, type XmlLimits } from '../saml/inbound/safe-xml.ts';

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const LIMITS: XmlLimits = { what: 'AWS STS response', maxBytes: 64 * 1024, allowComments: false, maxDepth: 16 };

export interface StsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface StsErrorBody {
  code: string;
  message: string;
}

/** Thrown when the text is not a response Gatehouse can read; the message says what was wrong. */
export class StsResponseFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StsResponseFormatError';
  }
}

const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const BASE64ISH = /^[A-Za-z0-9+/=]+$/;
const MAX_SECRET = 256;
const MAX_SESSION_TOKEN = 16 * 1024;

const ELEMENT_NODE = 1;
const children = (el: Element) => Array.from(el.childNodes).filter((n): n is Element => n.nodeType === ELEMENT_NODE);

/** The one child named `localName` in `ns`; absent or repeated is a format error. */
function only(parent: Element, ns: string | null, localName: string): Element {
  const found = children(parent).filter((e) => e.localName === localName && (e.namespaceURI ?? null) === ns);
  if (found.length !== 1) {
    throw new StsResponseFormatError(`expected exactly one <${localName}> in <${parent.localName}>, found ${found.length}`);
  }
  return found[0]!;
}

const textOf = (el: Element) => (el.textContent ?? '').trim();

export function parseAssumeRoleWithSamlResponse(xml: string, now = new Date()): StsCredentials {
  const root = parse(xml).documentElement!;
  if (root.localName !== 'AssumeRoleWithSAMLResponse' || root.namespaceURI !== STS_NAMESPACE) {
    throw new StsResponseFormatError(`expected <AssumeRoleWithSAMLResponse xmlns="${STS_NAMESPACE}">, got <${root.localName}>`);
  }
  const credentials = only(only(root, STS_NAMESPACE, 'AssumeRoleWithSAMLResult'), STS_NAMESPACE, 'Credentials');
  const value = (name: string) => textOf(only(credentials, STS_NAMESPACE, name));

  const accessKeyId = value('AccessKeyId');
  const secretAccessKey = value('SecretAccessKey');
  const sessionToken = value('SessionToken');
  const expirationText = value('Expiration');
  if (!ACCESS_KEY_ID.test(accessKeyId)) throw new StsResponseFormatError('AccessKeyId is not an AWS access key id');
  if (!BASE64ISH.test(secretAccessKey) || secretAccessKey.length > MAX_SECRET) throw new StsResponseFormatError('SecretAccessKey has unexpected characters or length');
  if (!BASE64ISH.test(sessionToken) || sessionToken.length > MAX_SESSION_TOKEN) throw new StsResponseFormatError('SessionToken has unexpected characters or length');
  // ISO 8601 with a zone, as STS writes it (2019-11-01T20:26:47Z).
  const expiration = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(expirationText) ? new Date(expirationText) : null;
  if (!expiration || Number.isNaN(expiration.getTime())) throw new StsResponseFormatError('Expiration is not an ISO 8601 instant');
  if (expiration.getTime() <= now.getTime()) throw new StsResponseFormatError('Expiration is already past');
  return { accessKeyId, secretAccessKey, sessionToken, expiration };
}

/**
 * The query-protocol ErrorResponse (`<ErrorResponse><Error><Type/><Code/><Message/></Error>...`),
 * with or without the STS namespace; null when the text is not one.
 */
export function parseStsErrorBody(xml: string): StsErrorBody | null {
  let root: Element;
  try {
    root = parse(xml).documentElement!;
  } catch {
    return null;
  }
  if (root.localName !== 'ErrorResponse') return null;
  const ns = root.namespaceURI ?? null;
  try {
    const error = only(root, ns, 'Error');
    const code = textOf(only(error, ns, 'Code'));
    const messages = children(error).filter((e) => e.localName === 'Message' && (e.namespaceURI ?? null) === ns);
    if (!/^[A-Za-z][\w.]{0,127}$/.test(code)) return null;
    return { code, message: clean(messages.length === 1 ? textOf(messages[0]!) : '') };
  } catch {
    return null;
  }
}

function parse(xml: string) {
  try {
    return parseSafeXml(xml, LIMITS);
  } catch (e) {
    throw new StsResponseFormatError((e as Error).message, { cause: e });
  }
}

/** STS's message goes into our own messages and logs: one line, printable, bounded. */
function clean(message: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const line = message.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
