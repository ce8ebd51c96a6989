// Safe parsing of attacker XML (idp/saml/inbound/safe-xml.ts): DTDs, entities, PIs, comments,
// several roots, size and depth are refused with a message saying which, before anything reads
// the document.
import { expect } from 'chai';
import { DOMParser } from '@xmldom/xmldom';
import { MESSAGE_LIMITS, METADATA_LIMITS, assertOnlyPlainNodes, parseSafeXml } from '../../idp/saml/inbound/safe-xml.ts';
import { rejectionOf } from './inbound-fixtures.ts';

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';

describe('inbound SAML: safe XML parsing', () => {
  it('parses a plain message and keeps its values', () => {
    const doc = parseSafeXml(`<?xml version="1.0" encoding="UTF-8"?>\n<samlp:AuthnRequest xmlns:samlp="${SAMLP}" ID="_a"><x>v &amp; w</x></samlp:AuthnRequest>`, MESSAGE_LIMITS);
    expect(doc.documentElement?.localName).to.equal('AuthnRequest');
    expect(doc.documentElement?.textContent).to.equal('v & w');
  });

  it('refuses a DOCTYPE with an external entity (XXE) before the parser sees it', async () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>';
    const e = await rejectionOf(() => parseSafeXml(xxe, MESSAGE_LIMITS));
    expect(e.reason).to.equal('xml-forbidden-construct');
    expect(e.message).to.match(/DOCTYPE/);
    expect(e.message).not.to.match(/root:.*:0:0/);
  });

  it('refuses billion-laughs entity expansion', async () => {
    const laughs = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
      + '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>';
    const e = await rejectionOf(() => parseSafeXml(laughs, METADATA_LIMITS));
    expect(e.reason).to.equal('xml-forbidden-construct');
    expect(e.message).to.match(/DOCTYPE.*SP metadata|SP metadata.*DOCTYPE/);
  });

  it('refuses a lone ENTITY declaration and other markup declarations', async () => {
    expect((await rejectionOf(() => parseSafeXml('<r><!ENTITY x "y"></r>', MESSAGE_LIMITS))).message).to.match(/ENTITY/);
    expect((await rejectionOf(() => parseSafeXml('<r><!ELEMENT r ANY></r>', MESSAGE_LIMITS))).message).to.match(/markup declaration/);
  });

  it('has a second guard on the parsed document: a DOCTYPE the text scan never saw is still refused', async () => {
    const doc = new DOMParser({ onError: () => undefined }).parseFromString('<!DOCTYPE r><r/>', 'text/xml');
    expect(doc.doctype).to.not.equal(null);
    const e = await rejectionOf(() => assertOnlyPlainNodes(doc, MESSAGE_LIMITS));
    expect(e.reason).to.equal('xml-forbidden-construct');
    expect(e.message).to.match(/DOCTYPE/);
  });

  it('refuses a processing instruction the text scan never saw', async () => {
    const doc = new DOMParser({ onError: () => undefined }).parseFromString('<r><?pi data?></r>', 'text/xml');
    const e = await rejectionOf(() => assertOnlyPlainNodes(doc, MESSAGE_LIMITS));
    expect(e.message).to.match(/processing instruction/);
  });

  it('refuses processing instructions after the XML declaration', async () => {
    const e = await rejectionOf(() => parseSafeXml('<r><?p not-an-?>admin@example.com</r>', MESSAGE_LIMITS));
    expect(e.reason).to.equal('xml-forbidden-construct');
    expect(e.message).to.match(/processing instruction/);
    expect((await rejectionOf(() => parseSafeXml('<?xml-stylesheet href="x"?><r/>', METADATA_LIMITS))).message).to.match(/processing instruction/);
  });

  it('refuses comments in messages but reads metadata with comments, values whole', async () => {
    const e = await rejectionOf(() => parseSafeXml('<r>admin<!---->@example.com</r>', MESSAGE_LIMITS));
    expect(e.reason).to.equal('xml-forbidden-construct');
    expect(e.message).to.match(/comment/);
    const doc = parseSafeXml('<!-- exported by X --><r>admin<!---->@example.com</r>', METADATA_LIMITS);
    expect(doc.documentElement?.textContent).to.equal('admin@example.com');
  });

  it('refuses more than one root element', async () => {
    const e = await rejectionOf(() => parseSafeXml(`<a xmlns="${SAMLP}"/><b/>`, MESSAGE_LIMITS));
    expect(e.reason).to.equal('xml-malformed');
    expect(e.message).to.match(/not well-formed|one root/);
  });

  it('refuses text outside the root and unclosed tags as malformed, saying so', async () => {
    expect((await rejectionOf(() => parseSafeXml('junk<r/>', MESSAGE_LIMITS))).reason).to.equal('xml-malformed');
    const e = await rejectionOf(() => parseSafeXml('<r><b></r>', MESSAGE_LIMITS));
    expect(e.message).to.match(/^The SAML message is not well-formed XML: .*mismatch/);
    expect((await rejectionOf(() => parseSafeXml('', MESSAGE_LIMITS))).message).to.match(/empty/);
  });

  it('refuses documents over the size cap, counted in UTF-8 bytes', async () => {
    const big = `<r>${'é'.repeat(MESSAGE_LIMITS.maxBytes / 2)}</r>`; // fewer characters than bytes
    expect(big.length).to.be.lessThan(MESSAGE_LIMITS.maxBytes);
    const e = await rejectionOf(() => parseSafeXml(big, MESSAGE_LIMITS));
    expect(e.reason).to.equal('too-large');
    expect(e.message).to.match(/262144 bytes/);
    expect(parseSafeXml(`<r>${'x'.repeat(MESSAGE_LIMITS.maxBytes + 10)}</r>`, METADATA_LIMITS).documentElement?.localName).to.equal('r');
  });

  it('refuses deep nesting', async () => {
    const deep = (n: number) => `${'<a>'.repeat(n)}${'</a>'.repeat(n)}`;
    expect((await rejectionOf(() => parseSafeXml(deep(200), MESSAGE_LIMITS))).message).to.match(/nested more than 32 levels/);
    // As deep as the size cap allows: still a clean refusal, not a stack overflow.
    expect((await rejectionOf(() => parseSafeXml(deep(36_000), MESSAGE_LIMITS))).message).to.match(/nested more than 32 levels/);
  });

  it('refuses encodings other than UTF-8, and bytes that are not UTF-8', async () => {
    const e = await rejectionOf(() => parseSafeXml('<?xml version="1.0" encoding="UTF-16"?><r/>', MESSAGE_LIMITS));
    expect(e.reason).to.equal('bad-encoding');
    expect(e.message).to.match(/UTF-16/);
    const latin1 = Buffer.from([0x3c, 0x72, 0x3e, 0xe9, 0x3c, 0x2f, 0x72, 0x3e]); // <r>é</r> in Latin-1
    expect((await rejectionOf(() => parseSafeXml(latin1, MESSAGE_LIMITS))).reason).to.equal('bad-encoding');
    expect(parseSafeXml(Buffer.from('\uFEFF<r>é</r>', 'utf8'), MESSAGE_LIMITS).documentElement?.textContent).to.equal('é');
  });
});
