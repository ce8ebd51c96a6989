// Reading a LogoutRequest (SAML Core §3.7.1) into a typed object, by absolute paths from the
// root the caller trusts. NotOnOrAfter is enforced here (node-saml < 5.0.0 did not check it on
// POST, known advisories, docs/security.md).

import type { Element } from '@xmldom/xmldom';
import { attribute, childrenNamed, optionalChild, simpleText } from './dom.ts';
import { NS_SAML, NS_SAMLP } from './names.ts';
import { InboundRejection } from './rejection.ts';
import { readRequestHeader, type RequestHeader, type RequestReadOptions } from './request-header.ts';
import { DEFAULT_CLOCK_SKEW_SECONDS, parseSamlDateTime } from './saml-time.ts';

export interface LogoutNameId {
  value: string;
  format?: string;
  nameQualifier?: string;
  spNameQualifier?: string;
}

export interface LogoutRequest extends RequestHeader {
  nameId: LogoutNameId;
  sessionIndexes: string[];
  notOnOrAfter?: Date;
  reason?: string;
}

const MAX_SESSION_INDEXES = 32;

export function readLogoutRequest(root: Element, options: RequestReadOptions = {}): LogoutRequest {
  const what = 'LogoutRequest';
  const header = readRequestHeader(root, what, options);

  const notOnOrAfterText = attribute(root, 'NotOnOrAfter');
  let notOnOrAfter: Date | undefined;
  if (notOnOrAfterText !== undefined) {
    notOnOrAfter = parseSamlDateTime(notOnOrAfterText, 'LogoutRequest NotOnOrAfter');
    const now = options.now ?? new Date();
    const skewMs = (options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS) * 1000;
    if (now.getTime() >= notOnOrAfter.getTime() + skewMs) {
      throw new InboundRejection('message-expired', `The LogoutRequest expired at ${notOnOrAfter.toISOString()} (NotOnOrAfter)`);
    }
  }

  // SAML Core §3.7.1: exactly one of BaseID, NameID, EncryptedID. We issue plain NameIDs.
  if (childrenNamed(root, NS_SAML, 'BaseID').length > 0 || childrenNamed(root, NS_SAML, 'EncryptedID').length > 0) {
    throw new InboundRejection('message-invalid', 'The LogoutRequest identifies the user with a BaseID or EncryptedID; only a plain NameID is supported');
  }
  const nameIdElement = optionalChild(root, NS_SAML, 'NameID', 'message-invalid', what);
  if (!nameIdElement) throw new InboundRejection('message-invalid', 'The LogoutRequest has no <NameID> naming the user to sign out');
  const value = simpleText(nameIdElement, 'message-invalid', 'LogoutRequest NameID');
  if (value === '') throw new InboundRejection('message-invalid', 'The LogoutRequest NameID is empty');
  const format = attribute(nameIdElement, 'Format');
  const nameQualifier = attribute(nameIdElement, 'NameQualifier');
  const spNameQualifier = attribute(nameIdElement, 'SPNameQualifier');

  const sessionIndexElements = childrenNamed(root, NS_SAMLP, 'SessionIndex');
  if (sessionIndexElements.length > MAX_SESSION_INDEXES) {
    throw new InboundRejection('message-invalid', `The LogoutRequest has more than ${MAX_SESSION_INDEXES} SessionIndex elements`);
  }
  const sessionIndexes = sessionIndexElements.map((el) => simpleText(el, 'message-invalid', 'LogoutRequest SessionIndex'));

  const reason = attribute(root, 'Reason');
  return {
    ...header,
    nameId: {
      value,
      ...(format !== undefined ? { format } : {}),
      ...(nameQualifier !== undefined ? { nameQualifier } : {}),
      ...(spNameQualifier !== undefined ? { spNameQualifier } : {}),
    },
    sessionIndexes,
    ...(notOnOrAfter ? { notOnOrAfter } : {}),
    ...(reason !== undefined ? { reason } : {}),
  };
}
