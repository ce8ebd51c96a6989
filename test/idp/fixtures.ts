// Shared helpers for the idp tests: a private directory, a strict XML parser, and a baseline AWS
// Response input. Signing keys come from test/support/signing-keys.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DOMParser, type Document } from '@xmldom/xmldom';
import type { AwsSamlResponseInput } from '../../idp/saml/aws-response.ts';

export const BASE_URL = 'https://gatehouse.test';
export const ENTITY_ID = `${BASE_URL}/saml/metadata`;
export const ACS = 'https://signin.aws.amazon.com/saml';
export const NS = {
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
};

export async function tempDir(label: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), `gatehouse-${label}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Parses XML, failing on any warning or error (a structure change would usually show here). */
export function parseStrict(xml: string): Document {
  const problems: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => {
      problems.push(`${level}: ${message}`);
    },
  }).parseFromString(xml, 'text/xml');
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return doc;
}

export const ADMIN_ROLE = 'arn:aws:iam::111122223333:role/gatehouse/Gatehouse_AdministratorAccess_0123456789abcdef';
export const READONLY_ROLE = 'arn:aws:iam::111122223333:role/gatehouse/Gatehouse_ReadOnly_fedcba9876543210';
export const PROVIDER = 'arn:aws:iam::111122223333:saml-provider/Gatehouse';

export function baseInput(overrides: Partial<AwsSamlResponseInput> = {}): AwsSamlResponseInput {
  const now = new Date();
  return {
    issuer: ENTITY_ID,
    destination: ACS,
    nameId: 'alice@example.com',
    roles: [
      { roleArn: ADMIN_ROLE, providerArn: PROVIDER },
      { roleArn: READONLY_ROLE, providerArn: PROVIDER },
    ],
    roleSessionName: 'alice@example.com',
    sessionDurationSeconds: 3600,
    principalTags: { department: 'Engineering', costCenter: 'CC-1234' },
    authnInstant: new Date(now.getTime() - 30_000),
    sessionIndex: '_session-1',
    now,
    ...overrides,
  };
}
