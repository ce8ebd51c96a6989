// Reading a safely parsed document by absolute, namespace-qualified paths (OWASP SAML cheat
// sheet: never getElementsByTagName, never "first match anywhere"). Every helper looks only at
// direct children, and a duplicate where the schema allows one is an error, not "take the first".

import type { Element, Node } from '@xmldom/xmldom';
import { InboundRejection, type InboundRejectionReason } from './rejection.ts';

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const COMMENT_NODE = 8;

export function isElement(node: Node | null | undefined): node is Element {
  return node?.nodeType === ELEMENT_NODE;
}

export function childElements(parent: Element): Element[] {
  return Array.from(parent.childNodes).filter(isElement);
}

export function childrenNamed(parent: Element, ns: string, localName: string): Element[] {
  return childElements(parent).filter((e) => e.namespaceURI === ns && e.localName === localName);
}

export function isNamed(el: Element, ns: string, localName: string): boolean {
  return el.namespaceURI === ns && el.localName === localName;
}

/** The single child `ns:localName` of `parent`, undefined when absent; refuses duplicates. */
export function optionalChild(parent: Element, ns: string, localName: string, reason: InboundRejectionReason, what: string): Element | undefined {
  const found = childrenNamed(parent, ns, localName);
  if (found.length > 1) throw new InboundRejection(reason, `The ${what} has ${found.length} <${localName}> elements; at most one is allowed`);
  return found[0];
}

export function requiredChild(parent: Element, ns: string, localName: string, reason: InboundRejectionReason, what: string): Element {
  const found = optionalChild(parent, ns, localName, reason, what);
  if (!found) throw new InboundRejection(reason, `The ${what} has no <${localName}> element`);
  return found;
}

/** An unqualified attribute (SAML's own attributes are never namespaced). */
export function attribute(el: Element, name: string): string | undefined {
  return el.hasAttributeNS(null, name) ? (el.getAttributeNS(null, name) ?? '') : undefined;
}

/**
 * The character content of a simple-content element: all text and CDATA children joined, so a
 * value can never be cut short at a comment (which, in messages, the parser refused anyway).
 * Child elements are refused: a value with markup inside is not a value.
 */
export function simpleText(el: Element, reason: InboundRejectionReason, what: string): string {
  let text = '';
  for (const child of Array.from(el.childNodes)) {
    if (child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) text += child.nodeValue ?? '';
    else if (child.nodeType !== COMMENT_NODE) {
      throw new InboundRejection(reason, `The ${what} must contain only text`);
    }
  }
  return text;
}

/** xs:boolean (`true`, `false`, `1`, `0`); absent gives `fallback`. */
export function booleanAttribute(el: Element, name: string, fallback: boolean, reason: InboundRejectionReason, what: string): boolean {
  const value = attribute(el, name);
  if (value === undefined) return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new InboundRejection(reason, `The ${what} ${name} ${JSON.stringify(value.slice(0, 40))} is not a boolean`);
}
