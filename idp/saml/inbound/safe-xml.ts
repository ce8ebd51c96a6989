// Parsing XML an attacker wrote (docs/security.md: "Hostile XML and compressed input"; OWASP ASVS V1.5.1; SAML2Int G03).
//
// Two independent guards, so that a parser change cannot quietly reopen XXE:
// 1. before parsing, the text is scanned for markup declarations (`<!DOCTYPE`, `<!ENTITY`, ...),
//    processing instructions and (for protocol messages) comments, and its size is capped;
// 2. after parsing with @xmldom/xmldom (0.9.x: rejects multiple roots, CVE-2022-39353), every
//    node is checked: only elements, text and CDATA (and comments in metadata) may appear.
// Comments and PIs are refused in messages because XML-DSig canonicalisation drops comments and
// xml-crypto renders PI data as text: `admin<!---->@x.evil` and `<?p x?>admin@x` digest as
// something other than what a naive reader sees (known advisories, docs/security.md, xml-crypto rows).

import { DOMParser } from '@xmldom/xmldom';
import type { Document, Node } from '@xmldom/xmldom';
import { InboundRejection } from './rejection.ts';

export interface XmlLimits {
  /** What is being parsed, for error messages ("SAML message", "SP metadata"). */
  what: string;
  /** Largest accepted document, in UTF-8 bytes. */
  maxBytes: number;
  /** Comments are harmless in metadata (we read text node by node) but never accepted in messages. */
  allowComments: boolean;
  /** Deepest element nesting; SAML documents are shallow, and canonicalisers recurse. */
  maxDepth: number;
}

export const MESSAGE_LIMITS: XmlLimits = { what: 'SAML message', maxBytes: 256 * 1024, allowComments: false, maxDepth: 32 };
export const METADATA_LIMITS: XmlLimits = { what: 'SP metadata', maxBytes: 1024 * 1024, allowComments: true, maxDepth: 32 };

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const PROCESSING_INSTRUCTION_NODE = 7;
const COMMENT_NODE = 8;

/** Decodes octets as strict UTF-8 (SAML messages are UTF-8; a byte that is not is refused, not replaced). */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new InboundRejection('bad-encoding', `The ${what} is not valid UTF-8 text`);
  }
}

/** Parses `input` under `limits`, or throws an InboundRejection saying what was refused. */
export function parseSafeXml(input: string | Uint8Array, limits: XmlLimits): Document {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > limits.maxBytes) {
    throw new InboundRejection('too-large', `The ${limits.what} is ${size} bytes; the limit is ${limits.maxBytes} bytes`);
  }
  let text = typeof input === 'string' ? input : decodeUtf8(input, limits.what);
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.trim() === '') throw new InboundRejection('xml-malformed', `The ${limits.what} is empty`);

  const body = stripXmlDeclaration(text, limits);
  scanForForbiddenMarkup(body, limits);

  let doc: Document;
  try {
    doc = new DOMParser({
      locator: true,
      // Warnings too: a lenient reading is a different reading from the signer's.
      onError: (level, message) => {
        throw new Error(`${level}: ${message}`);
      },
    }).parseFromString(text, 'text/xml');
  } catch (e) {
    throw new InboundRejection('xml-malformed', `The ${limits.what} is not well-formed XML: ${firstLine(e)}`, { cause: e });
  }
  assertOnlyPlainNodes(doc, limits);
  return doc;
}

/**
 * The parser-side guard: a document may hold exactly one root element, no DOCTYPE, entity
 * reference, processing instruction or (unless allowed) comment, and no deeper nesting than
 * `limits.maxDepth`. Exported so it can be exercised on a document the text scan never saw.
 */
export function assertOnlyPlainNodes(doc: Document, limits: XmlLimits): void {
  if (doc.doctype) {
    throw forbidden(limits, 'a DOCTYPE declaration (DTDs and entities are never processed)');
  }
  const roots = Array.from(doc.childNodes).filter((n, i) => !isIgnorableTopLevel(n, i, limits));
  if (roots.length !== 1 || roots[0]?.nodeType !== ELEMENT_NODE || !doc.documentElement) {
    throw new InboundRejection('xml-malformed', `The ${limits.what} must have exactly one root element`);
  }
  const stack: Array<{ node: Node; depth: number }> = [{ node: doc.documentElement, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (depth > limits.maxDepth) {
      throw forbidden(limits, `elements nested more than ${limits.maxDepth} levels deep`);
    }
    for (const child of Array.from(node.childNodes)) {
      switch (child.nodeType) {
        case ELEMENT_NODE:
          stack.push({ node: child, depth: depth + 1 });
          break;
        case TEXT_NODE:
        case CDATA_SECTION_NODE:
          break;
        case COMMENT_NODE:
          if (!limits.allowComments) throw forbidden(limits, 'an XML comment');
          break;
        default:
          throw forbidden(limits, describeNodeType(child.nodeType));
      }
    }
  }
}

function isIgnorableTopLevel(node: Node, position: number, limits: XmlLimits): boolean {
  if (node.nodeType === TEXT_NODE) return (node.nodeValue ?? '').trim() === '';
  // xmldom keeps the XML declaration as a leading `xml` processing instruction.
  if (node.nodeType === PROCESSING_INSTRUCTION_NODE) return position === 0 && node.nodeName === 'xml';
  return node.nodeType === COMMENT_NODE && limits.allowComments;
}

/** Accepts `<?xml version="1.0" encoding="UTF-8"?>` at the very start; returns the rest. */
function stripXmlDeclaration(text: string, limits: XmlLimits): string {
  const match = /^<\?xml(\s[^?]*)?\?>/.exec(text);
  if (!match) return text;
  const encoding = /\sencoding\s*=\s*["']([^"']*)["']/.exec(match[1] ?? '')?.[1];
  if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
    throw new InboundRejection('bad-encoding', `The ${limits.what} declares encoding ${JSON.stringify(encoding)}; only UTF-8 is accepted`);
  }
  return text.slice(match[0].length);
}

function scanForForbiddenMarkup(body: string, limits: XmlLimits): void {
  for (let at = body.indexOf('<!'); at !== -1; at = body.indexOf('<!', at + 2)) {
    const rest = body.slice(at, at + 12);
    if (rest.startsWith('<![CDATA[')) continue;
    if (rest.startsWith('<!--')) {
      if (limits.allowComments) continue;
      throw forbidden(limits, 'an XML comment');
    }
    const keyword = /^<!([A-Za-z]*)/.exec(rest)?.[1]?.toUpperCase() ?? '';
    if (keyword === 'DOCTYPE') throw forbidden(limits, 'a DOCTYPE declaration (DTDs and entities are never processed)');
    if (keyword === 'ENTITY') throw forbidden(limits, 'an ENTITY declaration');
    throw forbidden(limits, 'a markup declaration (<!...>)');
  }
  if (body.includes('<?')) {
    throw forbidden(limits, 'a processing instruction (<?...?>) after the XML declaration');
  }
}

function forbidden(limits: XmlLimits, what: string): InboundRejection {
  const why = limits.allowComments ? '' : '; SAML messages must be plain elements and text';
  return new InboundRejection('xml-forbidden-construct', `The ${limits.what} contains ${what}, which is not accepted${why}`);
}

function describeNodeType(type: number): string {
  switch (type) {
    case 5: return 'an entity reference';
    case 7: return 'a processing instruction';
    case 8: return 'an XML comment';
    case 10: return 'a DOCTYPE declaration';
    default: return `an unexpected node (type ${type})`;
  }
}

function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  // xmldom wraps our onError text: 'Reporting error "…" caused Error: …'; keep the innermost part.
  const inner = /caused Error: (?:\w+: )?(.*)$/m.exec(message)?.[1] ?? message;
  const line = inner.split('\n')[0] ?? inner;
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
