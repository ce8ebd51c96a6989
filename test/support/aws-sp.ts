// @node-saml/node-saml as the AWS sign-in endpoint would act: configured only from Gatehouse's
// published metadata (entity id and signing certificate), requiring both signatures.
import { SAML } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';

export async function awsServiceProviderFromMetadata(metadataUrl: string, acs: string): Promise<SAML> {
  const xml = await (await fetch(metadataUrl)).text();
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const entityId = doc.documentElement?.getAttribute('entityID');
  const cert = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'X509Certificate')[0]?.textContent;
  if (!entityId || !cert) throw new Error('metadata lacks an entity id or a signing certificate');
  return new SAML({
    idpCert: cert,
    idpIssuer: entityId,
    issuer: 'urn:amazon:webservices',
    audience: 'urn:amazon:webservices',
    callbackUrl: acs,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
  });
}

export const ROLE_ATTR = 'https://aws.amazon.com/SAML/Attributes/Role';
export const SESSION_NAME_ATTR = 'https://aws.amazon.com/SAML/Attributes/RoleSessionName';
export const SESSION_DURATION_ATTR = 'https://aws.amazon.com/SAML/Attributes/SessionDuration';
export const TAG_ATTR = 'https://aws.amazon.com/SAML/Attributes/PrincipalTag:';

/** A profile attribute as a list (node-saml gives a string for one value, an array for several). */
export const values = (profile: Record<string, unknown>, name: string): string[] => {
  const v = profile[name];
  return v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [String(v)];
};
