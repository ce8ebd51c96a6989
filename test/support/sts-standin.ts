// A STAND-IN for AWS STS AssumeRoleWithSAML, for tests and benches only: it is not AWS and issues
// fake credentials that open nothing. It checks what real STS would check of Gatehouse's call
// (docs/aws-accounts.md) using nobody's code from this project:
// - the form: Action=AssumeRoleWithSAML, Version=2011-06-15, RoleArn, PrincipalArn, SAMLAssertion
//   (base64, 4..100000 characters) and DurationSeconds (900..43200);
// - the signatures of the Response and the Assertion, with @node-saml/node-saml configured only
//   from Gatehouse's published metadata (/saml/metadata: entity id and signing certificate), which
//   also checks Issuer, Audience urn:amazon:webservices and the validity window;
// - the Role attribute holds exactly one value, the RoleArn,PrincipalArn pair asked for;
// - every SubjectConfirmationData Recipient is an accepted sign-in endpoint (SAML:aud in the
//   role's trust policy comes from Recipient), RoleSessionName matches [\w+=,.@-]{2,64};
// - an assertion is accepted once (replay gives InvalidIdentityToken).
// It answers in STS's XML (namespace https://sts.amazonaws.com/doc/2011-06-15/) with Expiration =
// now + min(DurationSeconds, SessionDuration attribute), or with the query protocol's ErrorResponse.
// Tests can make it answer errors, hang, or talk nonsense, to exercise the error paths.
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SAML } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import { awsServiceProviderFromMetadata, ROLE_ATTR, SESSION_DURATION_ATTR, SESSION_NAME_ATTR, TAG_ATTR, values } from './aws-sp.ts';

export const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const DEFAULT_RECIPIENT = 'https://signin.aws.amazon.com/saml';

export interface StsCall {
  roleArn: string;
  principalArn: string;
  durationSeconds: number;
  roleSessionName: string;
  nameId: string;
  /** The session tags the assertion carried (PrincipalTag:<key> attributes), key → value; empty for a refused call. */
  principalTags: Record<string, string>;
  /** What was answered: credentials, or the error code. */
  outcome: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string } | { error: string };
}

/** How to answer the next calls instead of checking and issuing. */
export type StsMode =
  | { kind: 'error'; status: number; code: string; message?: string }
  | { kind: 'hang' }
  | { kind: 'garbage'; status?: number; body?: string };

export interface StsStandIn {
  /** e.g. http://127.0.0.1:41234 — give it to Gatehouse as STS_ENDPOINT. */
  url: string;
  /** Every request that reached the AssumeRoleWithSAML handler, in order. */
  calls: StsCall[];
  /** Requests of any kind, including refused and failed ones. */
  hits: number;
  /** Reads Gatehouse's metadata: from then on assertions are checked against its certificate. */
  trust(metadataUrl: string): Promise<void>;
  /** Sign-in endpoints accepted as Recipient (default: https://signin.aws.amazon.com/saml). */
  acceptRecipients(recipients: string[]): void;
  /** Answer every following call this way until `mode(null)`. */
  mode(mode: StsMode | null): void;
  close(): Promise<void>;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const xmlEscape = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
const ALNUM_UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const fakeAccessKeyId = () => `ASIA${Array.from(randomBytes(16), (b) => ALNUM_UPPER[b % 32]).join('')}`;

export function errorResponseXml(code: string, message: string, type = 'Sender'): string {
  return `<ErrorResponse xmlns="${STS_NS}"><Error><Type>${type}</Type><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

export async function startStsStandIn(): Promise<StsStandIn> {
  const calls: StsCall[] = [];
  const seenAssertions = new Set<string>();
  let sp: SAML | null = null;
  let recipients = [DEFAULT_RECIPIENT];
  let mode: StsMode | null = null;
  const hanging = new Set<http.ServerResponse>();
  let hits = 0;

  const check = async (form: URLSearchParams): Promise<Omit<StsCall, 'outcome'> & { sessionDurationAttr: number | null }> => {
    if (form.get('Action') !== 'AssumeRoleWithSAML') throw new Refusal(400, 'InvalidAction', `Could not find operation ${form.get('Action') ?? ''} for version ${form.get('Version') ?? ''}`);
    if (form.get('Version') !== '2011-06-15') throw new Refusal(400, 'InvalidAction', 'Version must be 2011-06-15');
    const roleArn = form.get('RoleArn') ?? '';
    const principalArn = form.get('PrincipalArn') ?? '';
    const assertion = form.get('SAMLAssertion') ?? '';
    const durationText = form.get('DurationSeconds') ?? '3600';
    if (!/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(roleArn)) throw new Refusal(400, 'ValidationError', 'RoleArn is not a role ARN');
    if (!/^arn:aws[\w-]*:iam::\d{12}:saml-provider\/[\w.-]+$/.test(principalArn)) throw new Refusal(400, 'ValidationError', 'PrincipalArn is not a SAML provider ARN');
    if (assertion.length < 4 || assertion.length > 100000) throw new Refusal(400, 'ValidationError', 'SAMLAssertion must be 4..100000 characters');
    const durationSeconds = /^\d+$/.test(durationText) ? Number(durationText) : NaN;
    if (!(durationSeconds >= 900 && durationSeconds <= 43200)) throw new Refusal(400, 'ValidationError', 'DurationSeconds must be 900..43200');
    if (!sp) throw new Refusal(400, 'InvalidIdentityToken', 'No SAML provider metadata is trusted yet (stand-in: call trust())');

    let profile: Record<string, unknown>;
    try {
      const result = await sp.validatePostResponseAsync({ SAMLResponse: assertion });
      profile = (result.profile ?? {}) as unknown as Record<string, unknown>;
    } catch (e) {
      throw new Refusal(400, 'InvalidIdentityToken', `Response signature invalid or assertion not acceptable: ${(e as Error).message}`);
    }
    const doc = new DOMParser().parseFromString(Buffer.from(assertion, 'base64').toString('utf8'), 'text/xml');
    const assertionIds = Array.from(doc.getElementsByTagNameNS(SAML_NS, 'Assertion')).map((a) => a.getAttribute('ID') ?? '');
    if (assertionIds.length !== 1) throw new Refusal(400, 'InvalidIdentityToken', 'Exactly one assertion is required');
    if (seenAssertions.has(assertionIds[0]!)) throw new Refusal(400, 'InvalidIdentityToken', 'Assertion has been used before');
    const confirmations = Array.from(doc.getElementsByTagNameNS(SAML_NS, 'SubjectConfirmationData'));
    if (confirmations.length !== 1) throw new Refusal(400, 'InvalidIdentityToken', 'Exactly one SubjectConfirmation is required');
    const recipient = confirmations[0]!.getAttribute('Recipient') ?? '';
    if (!recipients.includes(recipient)) throw new Refusal(403, 'AccessDenied', `Not authorized to perform sts:AssumeRoleWithSAML (SAML:aud ${recipient} is not trusted)`);
    const audiences = Array.from(doc.getElementsByTagNameNS(SAML_NS, 'Audience')).map((a) => a.textContent ?? '');
    if (!audiences.includes('urn:amazon:webservices')) throw new Refusal(400, 'InvalidIdentityToken', 'Response does not contain the required audience');

    const roles = values(profile, ROLE_ATTR);
    if (roles.length !== 1 || roles[0] !== `${roleArn},${principalArn}`) {
      throw new Refusal(403, 'AccessDenied', `Not authorized to perform sts:AssumeRoleWithSAML: the assertion's Role attribute (${roles.join(' | ')}) does not name exactly the role asked for`);
    }
    const sessionNames = values(profile, SESSION_NAME_ATTR);
    if (sessionNames.length !== 1 || !/^[\w+=,.@-]{2,64}$/.test(sessionNames[0]!)) {
      throw new Refusal(400, 'InvalidIdentityToken', 'RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}');
    }
    const sessionDuration = values(profile, SESSION_DURATION_ATTR);
    const principalTags: Record<string, string> = {};
    for (const name of Object.keys(profile)) {
      if (name.startsWith(TAG_ATTR)) principalTags[name.slice(TAG_ATTR.length)] = values(profile, name).join(',');
    }
    seenAssertions.add(assertionIds[0]!);
    return {
      roleArn,
      principalArn,
      durationSeconds,
      roleSessionName: sessionNames[0]!,
      nameId: String(profile.nameID ?? ''),
      principalTags,
      sessionDurationAttr: sessionDuration.length === 1 ? Number(sessionDuration[0]) : null,
    };
  };

  const server = http.createServer((req, res) => {
    hits++;
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      body += d;
      if (body.length > 512 * 1024) req.destroy();
    });
    req.on('end', () => {
      void (async () => {
        const current = mode;
        if (current?.kind === 'hang') {
          hanging.add(res);
          return;
        }
        if (current?.kind === 'garbage') {
          res.writeHead(current.status ?? 200, { 'content-type': 'text/xml' }).end(current.body ?? '<html><body>not sts</body></html>');
          return;
        }
        const form = new URLSearchParams(body);
        if (current?.kind === 'error') {
          calls.push({ roleArn: form.get('RoleArn') ?? '', principalArn: form.get('PrincipalArn') ?? '', durationSeconds: Number(form.get('DurationSeconds')), roleSessionName: '', nameId: '', principalTags: {}, outcome: { error: current.code } });
          res.writeHead(current.status, { 'content-type': 'text/xml' }).end(errorResponseXml(current.code, current.message ?? `${current.code} (stand-in)`));
          return;
        }
        if (req.method !== 'POST' || req.url !== '/') {
          res.writeHead(404).end();
          return;
        }
        try {
          const checked = await check(form);
          const lifetime = Math.min(checked.durationSeconds, checked.sessionDurationAttr ?? Infinity);
          const credentials = {
            accessKeyId: fakeAccessKeyId(),
            secretAccessKey: randomBytes(30).toString('base64'),
            sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(240).toString('base64')}`,
            expiration: new Date(Math.floor(Date.now() / 1000) * 1000 + lifetime * 1000).toISOString().replace('.000Z', 'Z'),
          };
          const { sessionDurationAttr: _unused, ...call } = checked;
          calls.push({ ...call, outcome: credentials });
          const roleName = checked.roleArn.slice(checked.roleArn.lastIndexOf('/') + 1);
          const account = /::(\d{12}):/.exec(checked.roleArn)![1]!;
          res.writeHead(200, { 'content-type': 'text/xml' }).end(
            `<AssumeRoleWithSAMLResponse xmlns="${STS_NS}"><AssumeRoleWithSAMLResult>` +
              `<Credentials><AccessKeyId>${credentials.accessKeyId}</AccessKeyId><SecretAccessKey>${credentials.secretAccessKey}</SecretAccessKey>` +
              `<SessionToken>${credentials.sessionToken}</SessionToken><Expiration>${credentials.expiration}</Expiration></Credentials>` +
              `<AssumedRoleUser><AssumedRoleId>AROASTANDIN:${xmlEscape(checked.roleSessionName)}</AssumedRoleId>` +
              `<Arn>arn:aws:sts::${account}:assumed-role/${xmlEscape(roleName)}/${xmlEscape(checked.roleSessionName)}</Arn></AssumedRoleUser>` +
              `<Subject>${xmlEscape(checked.nameId)}</Subject><SubjectType>persistent</SubjectType>` +
              `<Audience>${DEFAULT_RECIPIENT}</Audience>` +
              `</AssumeRoleWithSAMLResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleWithSAMLResponse>`,
          );
        } catch (e) {
          if (!(e instanceof Refusal)) throw e;
          calls.push({ roleArn: form.get('RoleArn') ?? '', principalArn: form.get('PrincipalArn') ?? '', durationSeconds: Number(form.get('DurationSeconds')), roleSessionName: '', nameId: '', principalTags: {}, outcome: { error: e.code } });
          res.writeHead(e.status, { 'content-type': 'text/xml' }).end(errorResponseXml(e.code, e.message));
        }
      })().catch((e: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;

  const standIn: StsStandIn = {
    url: `http://127.0.0.1:${port}`,
    calls,
    get hits() {
      return hits;
    },
    async trust(url) {
      sp = await awsServiceProviderFromMetadata(url, recipients[0]!);
    },
    acceptRecipients(list) {
      recipients = list;
    },
    mode(m) {
      mode = m;
      if (m?.kind !== 'hang') {
        for (const res of hanging) res.destroy();
        hanging.clear();
      }
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  return standIn;
}
