// Why an inbound SAML message (or uploaded SP metadata) was refused.
//
// A ValidationError, so every surface already maps it ("bad input, nothing changed"), with a
// stable `reason` the server can log as a security event (docs/security.md: "Keys, errors and records") and tests
// can assert on without matching prose. The message says why, in words an administrator or an
// SP developer can act on; it never echoes more than a short, quoted excerpt of the input.

import { ValidationError } from '../../../model/errors.ts';

export type InboundRejectionReason =
  // transport and encoding (SAML Bindings §3.4, §3.5)
  | 'too-large'
  | 'bad-encoding'
  | 'bad-parameters'
  | 'inflate-limit'
  // XML (docs/security.md: "Hostile XML and compressed input")
  | 'xml-forbidden-construct'
  | 'xml-malformed'
  // signatures (SAML2Int IDP04/IDP05, docs/security.md: "Signed messages are read from what was signed")
  | 'signature-invalid'
  | 'signature-required'
  | 'signature-structure'
  | 'signature-algorithm'
  // message content (SAML Core §3.2.1, §3.4.1, §3.7.1)
  | 'message-invalid'
  | 'clock-skew'
  | 'message-expired'
  | 'wrong-destination'
  | 'unknown-issuer'
  | 'issuer-mismatch'
  // names only AWS sign-in may carry (reserved-names.ts)
  | 'reserved-name'
  // endpoints (SAML2Int IDP06, docs/security.md: "Where assertions go")
  | 'acs-not-allowed'
  // metadata (SAML Metadata, SAML2Int MD06)
  | 'metadata-invalid'
  | 'weak-key';

export class InboundRejection extends ValidationError {
  constructor(readonly reason: InboundRejectionReason, message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = 'InboundRejection';
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** A short, quoted excerpt of attacker-supplied text for an error message. */
export function quote(value: string, max = 80): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
