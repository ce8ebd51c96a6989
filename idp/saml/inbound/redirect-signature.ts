// Verifying an HTTP-Redirect message's query-string signature (SAML Bindings §3.4.4.1): the
// signature covers the octets `SAMLRequest=…&RelayState=…&SigAlg=…` exactly as received (built in
// bindings.ts), checked against the application's stored certificates only. SigAlg is an allow
// list: RSA-SHA256 and RSA-SHA512. RSA-SHA1 and anything unknown are refused, never "fallen back"
// from (samlify < 2.13.0 fell back to RSA-SHA1, known advisories, docs/security.md).

import { verify } from 'node:crypto';
import type { RedirectSignature } from './bindings.ts';
import { publicKeysOf } from './certificates.ts';
import { ACCEPTED_SIGNATURE_ALGORITHMS, ALG_RSA_SHA1 } from './names.ts';
import { InboundRejection, quote } from './rejection.ts';

export function verifyRedirectSignature(signature: RedirectSignature, certificates: readonly string[]): void {
  const hash = ACCEPTED_SIGNATURE_ALGORITHMS.get(signature.sigAlg);
  if (!hash) {
    throw new InboundRejection('signature-algorithm', signature.sigAlg === ALG_RSA_SHA1
      ? 'The HTTP-Redirect message is signed with RSA-SHA1, which is refused; sign with RSA-SHA256 or RSA-SHA512'
      : `The HTTP-Redirect SigAlg ${quote(signature.sigAlg)} is not accepted; use RSA-SHA256 or RSA-SHA512`);
  }
  if (certificates.length === 0) {
    throw new InboundRejection('signature-invalid', 'The message is signed, but this application has no signing certificate to check it with');
  }
  const verified = publicKeysOf(certificates).some((key) => {
    try {
      return verify(hash, signature.signedOctets, key, signature.signature);
    } catch {
      return false;
    }
  });
  if (!verified) {
    throw new InboundRejection('signature-invalid', `The HTTP-Redirect signature does not verify with the application's signing certificate${certificates.length > 1 ? 's' : ''}`);
  }
}
