// Where a Response may go: only an AssertionConsumerService from the SP's stored metadata, and
// only over HTTP-POST (docs/security.md: "Where assertions go"; SAML2Int IDP06, IDP08). A requested URL must
// equal a registered one character for character: no case folding, no trailing-slash, port,
// userinfo or percent-encoding normalisation, because every "equivalent" URL is a way to point
// the assertion somewhere else (Keycloak CVE-2024-8883, CVE-2026-7504).

import { BINDING_HTTP_POST, BINDING_HTTP_REDIRECT } from './names.ts';
import { InboundRejection, quote } from './rejection.ts';

export interface AcsEndpoint {
  url: string;
  binding: string;
  index: number;
  isDefault?: boolean;
}

export interface AcsChoice {
  assertionConsumerServiceUrl?: string;
  assertionConsumerServiceIndex?: number;
  protocolBinding?: string;
}

export function resolveAcs(endpoints: readonly AcsEndpoint[], requested: AcsChoice): AcsEndpoint {
  const { assertionConsumerServiceUrl: url, assertionConsumerServiceIndex: index, protocolBinding } = requested;
  if (protocolBinding !== undefined && protocolBinding !== BINDING_HTTP_POST) {
    throw new InboundRejection('acs-not-allowed', protocolBinding === BINDING_HTTP_REDIRECT
      ? 'The request asks for the Response over HTTP-Redirect; responses are only sent over HTTP-POST'
      : `The request asks for the Response over ${quote(protocolBinding)}; only HTTP-POST is supported`);
  }

  if (url !== undefined) {
    const sameUrl = endpoints.filter((e) => e.url === url);
    const match = sameUrl.find((e) => e.binding === BINDING_HTTP_POST);
    if (match) return match;
    throw new InboundRejection('acs-not-allowed', sameUrl.length > 0
      ? `The requested ACS URL ${quote(url)} is registered only for ${sameUrl.map((e) => bindingName(e.binding)).join(', ')}; responses are only sent over HTTP-POST`
      : `The requested ACS URL ${quote(url)} is not registered for this application (it must match the metadata exactly)`);
  }

  if (index !== undefined) {
    const match = endpoints.find((e) => e.index === index);
    if (!match) throw new InboundRejection('acs-not-allowed', `The requested AssertionConsumerServiceIndex ${index} is not registered for this application`);
    if (match.binding !== BINDING_HTTP_POST) {
      throw new InboundRejection('acs-not-allowed', `ACS index ${index} uses ${bindingName(match.binding)}; responses are only sent over HTTP-POST`);
    }
    return match;
  }

  return defaultAcs(endpoints);
}

/** The metadata default among HTTP-POST endpoints: the one marked isDefault, else the lowest index. */
export function defaultAcs(endpoints: readonly AcsEndpoint[]): AcsEndpoint {
  const post = endpoints.filter((e) => e.binding === BINDING_HTTP_POST);
  const chosen = post.find((e) => e.isDefault === true)
    ?? post.reduce<AcsEndpoint | undefined>((lowest, e) => (lowest === undefined || e.index < lowest.index ? e : lowest), undefined);
  if (!chosen) throw new InboundRejection('acs-not-allowed', 'This application has no HTTP-POST AssertionConsumerService to send a Response to');
  return chosen;
}

function bindingName(binding: string): string {
  return binding.startsWith('urn:oasis:names:tc:SAML:2.0:bindings:') ? binding.slice('urn:oasis:names:tc:SAML:2.0:bindings:'.length) : quote(binding);
}
