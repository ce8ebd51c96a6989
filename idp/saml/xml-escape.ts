// Escaping for XML we write ourselves, in the exact form Exclusive XML Canonicalization emits
// (W3C xml-exc-c14n, which defers to Canonical XML 1.0 §2.3 "Text Nodes" / "Attribute Nodes").
// Writing values this way makes our output already canonical, so a digest over the bytes we emit
// equals the digest any verifier computes after parsing and canonicalizing them.
//
// Directory values can never change the XML's structure (docs/security.md: "Only what is assigned, at that moment"): every
// markup-significant character is escaped, and characters XML 1.0 cannot carry at all
// (XML 1.0 §2.2 "Char") are refused rather than silently dropped, so no value is ever altered.

import { ValidationError } from '../../model/errors.ts';

// C0 controls other than TAB, LF, CR; the non-characters U+FFFE/U+FFFF; unpaired surrogates
// (which UTF-8 cannot encode: Buffer.from would turn them into U+FFFD behind our back).
const FORBIDDEN =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// Characters C14N rewrites in text: & < > and CR (`&#xD;`).
const TEXT_SPECIAL = /[&<>\r]/;
const TEXT_SPECIAL_G = /[&<>\r]/g;
const TEXT_REPLACEMENT: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };

// Characters C14N rewrites in attribute values: & < " and TAB, LF, CR as character references
// (a parser would otherwise normalize literal whitespace to spaces, XML 1.0 §3.3.3).
const ATTR_SPECIAL = /[&<"\t\n\r]/;
const ATTR_SPECIAL_G = /[&<"\t\n\r]/g;
const ATTR_REPLACEMENT: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '"': '&quot;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};

/** Throws a ValidationError naming `field` if `value` holds a character XML 1.0 cannot carry. */
export function assertXmlChars(value: string, field: string): void {
  if (FORBIDDEN.test(value)) {
    throw new ValidationError(`${field} contains a character that XML cannot carry`, [
      { field, message: 'control characters, U+FFFE/U+FFFF and unpaired surrogates are not allowed' },
    ]);
  }
}

/** Text content, escaped as C14N writes it. */
export function xmlText(value: string, field: string): string {
  assertXmlChars(value, field);
  return TEXT_SPECIAL.test(value) ? value.replace(TEXT_SPECIAL_G, (c) => TEXT_REPLACEMENT[c]!) : value;
}

/** An attribute value (without the quotes), escaped as C14N writes it. */
export function xmlAttr(value: string, field: string): string {
  assertXmlChars(value, field);
  return ATTR_SPECIAL.test(value) ? value.replace(ATTR_SPECIAL_G, (c) => ATTR_REPLACEMENT[c]!) : value;
}
