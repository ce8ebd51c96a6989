// Every AuthnRequest or LogoutRequest Gatehouse refuses leaves a trace an operator can act on: a
// warn-level log line carrying the HTTP request's id (server/request-log.ts) and the reason, and an entry
// in the audit log (docs/saml-applications.md, "Reserved names and metadata trust"). Refusals are
// the messages that failed a check (idp/saml/inbound/rejection.ts: bad encoding, forbidden XML
// such as a comment, PI or DOCTYPE, a bad signature, a reserved or unknown Issuer, ...) and request
// IDs seen before (a replay). An outage is not a refusal: it is answered 503 and logged elsewhere.
//
// The Issuer recorded is what the message claims, read only when the message was parsed; it is
// unauthenticated for most refusals, and cut short so a hostile message cannot fill the log.
import type { InboundMessage } from '../../idp/saml/inbound/bindings.ts';
import { claimedIssuer } from '../../idp/saml/inbound/receive.ts';
import { InboundRejection } from '../../idp/saml/inbound/rejection.ts';
import type { AuditStore } from '../../store/stores.ts';
import { ReplayedRequestError } from './requests.ts';

export type RefusedMessage = 'AuthnRequest' | 'LogoutRequest';

/** Where the refusal is logged: the slice of a pino logger this needs. */
export interface InboundLog {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** The HTTP request that carried a SAML message, as the trace of a refusal names it. */
export interface InboundCall {
  /** The request id of the request log. */
  requestId: string;
  /** GET carries the HTTP-Redirect binding, POST the HTTP-POST binding. */
  method: string;
  log: InboundLog;
}

export interface RefusalFacts {
  /** The decoded message, when decoding got that far. */
  message?: InboundMessage;
  /** The SAML request ID, when the message was accepted up to the replay check. */
  samlRequestId?: string;
  /** The application the message was checked against, when known. */
  applicationId?: string;
}

const AUDIT_ACTIONS: Record<RefusedMessage, string> = {
  AuthnRequest: 'saml.authn-request.refused',
  LogoutRequest: 'saml.logout-request.refused',
};

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** The refusal's stable reason, or null when `error` is not a refusal (an outage, a bug). */
export function refusalReason(error: unknown): string | null {
  if (error instanceof InboundRejection) return error.reason;
  if (error instanceof ReplayedRequestError) return 'replayed';
  return null;
}

/**
 * Logs and audits `error` when it refuses the message; anything else is left to the error handler.
 * The audit write failing never changes the answer: the message is refused either way.
 */
export async function recordRefusal(audit: AuditStore, req: InboundCall, kind: RefusedMessage, error: unknown, facts: RefusalFacts = {}): Promise<void> {
  const reason = refusalReason(error);
  if (reason === null) return;
  const issuer = facts.message ? issuerOf(facts.message, kind) : undefined;
  const detail = {
    reason,
    message: cut((error as Error).message, 512),
    requestId: req.requestId,
    // Known from the method even when decoding failed: GET carries HTTP-Redirect, POST HTTP-POST.
    binding: facts.message?.binding ?? (req.method === 'POST' ? 'HTTP-POST' : 'HTTP-Redirect'),
    ...(issuer !== undefined ? { issuer: cut(issuer, 256) } : {}),
    ...(facts.samlRequestId !== undefined ? { samlRequestId: cut(facts.samlRequestId, 256) } : {}),
    ...(facts.applicationId !== undefined ? { applicationId: facts.applicationId } : {}),
  };
  req.log.warn(detail, `${kind} refused`);
  try {
    await audit.append({
      actor: 'anonymous',
      action: AUDIT_ACTIONS[kind],
      target: facts.applicationId !== undefined ? `application/${facts.applicationId}` : 'saml',
      detail,
    });
  } catch (e) {
    req.log.error({ err: e, reason }, `${kind} refusal could not be audited`);
  }
}

function issuerOf(message: InboundMessage, kind: RefusedMessage): string | undefined {
  try {
    return claimedIssuer(message, kind);
  } catch {
    return undefined;
  }
}
