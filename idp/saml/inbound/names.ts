// Namespace and algorithm URIs the inbound side accepts (SAML Core §1.2, SAML Metadata §2,
// SAML Bindings §3.4/§3.5, XML Signature §6, xml-exc-c14n). Kept here rather than shared with
// the outbound writers so that what we *accept* is one reviewable list.

export const NS_SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const NS_SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const NS_MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
export const NS_DS = 'http://www.w3.org/2000/09/xmldsig#';

export const BINDING_HTTP_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
export const BINDING_HTTP_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

export const NAMEID_FORMAT_ENTITY = 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity';

export const ALG_ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const ALG_EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
export const ALG_EXC_C14N_WITH_COMMENTS = 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments';

export const ALG_RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
export const ALG_RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const ALG_RSA_SHA512 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512';
export const ALG_SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
export const ALG_SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
export const ALG_SHA512 = 'http://www.w3.org/2001/04/xmlenc#sha512';

/** Signature algorithms we verify, with the node:crypto digest each implies. SHA-1 is refused. */
export const ACCEPTED_SIGNATURE_ALGORITHMS: ReadonlyMap<string, 'sha256' | 'sha512'> = new Map([
  [ALG_RSA_SHA256, 'sha256'],
  [ALG_RSA_SHA512, 'sha512'],
]);

export const ACCEPTED_DIGEST_ALGORITHMS: ReadonlySet<string> = new Set([ALG_SHA256, ALG_SHA512]);
