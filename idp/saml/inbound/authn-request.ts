// Reading an AuthnRequest (SAML Core §3.4.1) into a typed object, by absolute paths from the
// root the caller trusts (signed-message.ts: the re-parsed signed root for a signed POST
// message). Nothing here decides trust: it reads, and refuses what the schema or Core forbids.

import type { Element } from '@xmldom/xmldom';
import type { AuthnContextComparison, RequestedAuthnContext } from '../authn-context.ts';
import { attribute, booleanAttribute, childrenNamed, optionalChild, simpleText } from './dom.ts';
import { NS_SAML, NS_SAMLP } from './names.ts';
import { InboundRejection, quote } from './rejection.ts';
import { readRequestHeader, type RequestHeader, type RequestReadOptions } from './request-header.ts';

export interface NameIdPolicy {
  format?: string;
  allowCreate?: boolean;
  spNameQualifier?: string;
}

export interface AuthnRequest extends RequestHeader {
  assertionConsumerServiceUrl?: string;
  assertionConsumerServiceIndex?: number;
  protocolBinding?: string;
  attributeConsumingServiceIndex?: number;
  /** SAML2Int IDP07: the IdP must really re-authenticate the user. */
  forceAuthn: boolean;
  /** The IdP must not show any page; answer NoPassive if it cannot sign the user in silently. */
  isPassive: boolean;
  nameIdPolicy?: NameIdPolicy;
  providerName?: string;
  /** The classes of authentication the SP asks for (SAML Core §3.3.2.2.1); only class references are read. */
  requestedAuthnContext?: RequestedAuthnContext;
}

const COMPARISONS: readonly AuthnContextComparison[] = ['exact', 'minimum', 'maximum', 'better'];

export function readAuthnRequest(root: Element, options: RequestReadOptions = {}): AuthnRequest {
  const what = 'AuthnRequest';
  const header = readRequestHeader(root, what, options);

  const acsUrl = attribute(root, 'AssertionConsumerServiceURL');
  const acsIndex = unsignedShort(root, 'AssertionConsumerServiceIndex');
  const protocolBinding = attribute(root, 'ProtocolBinding');
  // SAML Core §3.4.1: the index is mutually exclusive with the URL and the binding.
  if (acsIndex !== undefined && (acsUrl !== undefined || protocolBinding !== undefined)) {
    throw new InboundRejection('message-invalid', 'The AuthnRequest gives AssertionConsumerServiceIndex together with AssertionConsumerServiceURL or ProtocolBinding; SAML Core §3.4.1 allows only one way to choose the ACS');
  }
  if (acsUrl === '') throw new InboundRejection('message-invalid', 'The AuthnRequest has an empty AssertionConsumerServiceURL');
  const attributeConsumingServiceIndex = unsignedShort(root, 'AttributeConsumingServiceIndex');
  const providerName = attribute(root, 'ProviderName');

  const policy = optionalChild(root, NS_SAMLP, 'NameIDPolicy', 'message-invalid', what);
  let nameIdPolicy: NameIdPolicy | undefined;
  if (policy) {
    const format = attribute(policy, 'Format');
    const spNameQualifier = attribute(policy, 'SPNameQualifier');
    nameIdPolicy = {
      ...(format !== undefined ? { format } : {}),
      ...(policy.hasAttributeNS(null, 'AllowCreate') ? { allowCreate: booleanAttribute(policy, 'AllowCreate', false, 'message-invalid', 'NameIDPolicy') } : {}),
      ...(spNameQualifier !== undefined ? { spNameQualifier } : {}),
    };
  }

  const requestedAuthnContext = readRequestedAuthnContext(root, what);

  return {
    ...header,
    ...(acsUrl !== undefined ? { assertionConsumerServiceUrl: acsUrl } : {}),
    ...(acsIndex !== undefined ? { assertionConsumerServiceIndex: acsIndex } : {}),
    ...(protocolBinding !== undefined ? { protocolBinding } : {}),
    ...(attributeConsumingServiceIndex !== undefined ? { attributeConsumingServiceIndex } : {}),
    forceAuthn: booleanAttribute(root, 'ForceAuthn', false, 'message-invalid', what),
    isPassive: booleanAttribute(root, 'IsPassive', false, 'message-invalid', what),
    ...(nameIdPolicy ? { nameIdPolicy } : {}),
    ...(providerName !== undefined ? { providerName } : {}),
    ...(requestedAuthnContext ? { requestedAuthnContext } : {}),
  };
}

/**
 * SAML Core §3.3.2.2.1: Comparison defaults to "exact". Declaration references are not supported:
 * a request asking only for those is kept as asking for a class no sign-in here has, so it is
 * answered NoAuthnContext.
 */
function readRequestedAuthnContext(root: Element, what: string): RequestedAuthnContext | undefined {
  const el = optionalChild(root, NS_SAMLP, 'RequestedAuthnContext', 'message-invalid', what);
  if (!el) return undefined;
  const comparison = attribute(el, 'Comparison') ?? 'exact';
  if (!(COMPARISONS as readonly string[]).includes(comparison)) {
    throw new InboundRejection('message-invalid', `The AuthnRequest's RequestedAuthnContext Comparison ${quote(comparison)} is not exact, minimum, maximum or better`);
  }
  const classRefs = childrenNamed(el, NS_SAML, 'AuthnContextClassRef').map((c) => simpleText(c, 'message-invalid', 'AuthnContextClassRef').trim());
  const declRefs = childrenNamed(el, NS_SAML, 'AuthnContextDeclRef');
  if (classRefs.length === 0 && declRefs.length === 0) throw new InboundRejection('message-invalid', 'The AuthnRequest has a RequestedAuthnContext with no AuthnContextClassRef');
  return { comparison: comparison as AuthnContextComparison, classRefs: declRefs.length > 0 && classRefs.length === 0 ? ['(declaration)'] : classRefs };
}

function unsignedShort(el: Element, name: string): number | undefined {
  const value = attribute(el, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new InboundRejection('message-invalid', `The AuthnRequest ${name} ${quote(value)} is not an unsigned short`);
  }
  return Number(value);
}
