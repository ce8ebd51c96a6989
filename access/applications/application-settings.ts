// An application's per-app settings: defaults for a new app, and the rules across fields that are
// checked on the result of every change (create, PATCH, new metadata, a metadata refresh), so no
// path can leave an app in a state the SSO engine would have to second-guess:
// - the Response or the Assertion is signed (SAML2Int IDP09; never neither);
// - the assertion is encrypted only to an SP that has an encryption certificate;
// - the NameID format and its source agree (transient ⇔ transient, emailAddress ⇒ email);
// - no mapping emits an AWS sign-in attribute (https://aws.amazon.com/SAML/Attributes/…, any
//   kind of app): an external AWS account's come only from its role assignments, and a custom
//   app gets none (directory data never chooses a role; idp/saml/reserved-names.ts).

import { NAMEID_EMAIL, NAMEID_PERSISTENT, NAMEID_TRANSIENT } from '../../idp/saml/namespaces.ts';
import { ValidationError, type FieldProblem } from '../../model/errors.ts';
import type { Application } from '../../model/types.ts';
import { isAwsSamlAttributeName } from '../../idp/saml/reserved-names.ts';
import type { Settings, SettingsInput } from './application-input.ts';

export function defaultSettings(kind: Application['kind'], encryptionCertificates: readonly string[]): Settings {
  return {
    description: '',
    nameIdFormat: NAMEID_PERSISTENT,
    // AWS accounts receive the primary email as the NameID, as member accounts do.
    nameIdSource: kind === 'external-aws-account' ? 'email' : 'persistent',
    attributeMappings: [],
    signResponse: true,
    signAssertion: true,
    encryptAssertion: encryptionCertificates.length > 0,
    sessionDurationSeconds: null,
    defaultRelayState: null,
  };
}

export function settingsOf(app: Application): Settings {
  return {
    description: app.description,
    nameIdFormat: app.nameIdFormat,
    nameIdSource: app.nameIdSource,
    attributeMappings: app.attributeMappings,
    signResponse: app.signResponse,
    signAssertion: app.signAssertion,
    encryptAssertion: app.encryptAssertion,
    sessionDurationSeconds: app.sessionDurationSeconds,
    defaultRelayState: app.defaultRelayState,
  };
}

/** Only the settings keys of a parsed input that were given. */
export function pickSettings(input: SettingsInput): SettingsInput {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(defaultSettings('custom', [])) as (keyof Settings)[]) {
    if (input[key] !== undefined) out[key] = input[key];
  }
  return out as SettingsInput;
}

/** The problems of a complete set of settings for an app of `kind` with these encryption certificates. */
export function settingsProblems(kind: Application['kind'], s: Settings, encryptionCertificates: readonly string[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!s.signResponse && !s.signAssertion) {
    problems.push({ field: 'signAssertion', message: 'at least one of signResponse and signAssertion must be true' });
  }
  if (s.encryptAssertion && encryptionCertificates.length === 0) {
    problems.push({ field: 'encryptAssertion', message: 'the application has no encryption certificate to encrypt assertions to' });
  }
  if ((s.nameIdFormat === NAMEID_TRANSIENT) !== (s.nameIdSource === 'transient')) {
    problems.push({ field: 'nameIdSource', message: 'the transient NameID format and the transient source go together' });
  }
  if (s.nameIdFormat === NAMEID_EMAIL && s.nameIdSource !== 'email') {
    problems.push({ field: 'nameIdSource', message: 'the emailAddress NameID format needs nameIdSource "email"' });
  }
  s.attributeMappings.forEach((m, i) => {
    if (!isAwsSamlAttributeName(m.name)) return;
    problems.push({
      field: `attributeMappings.${i}.name`,
      message: kind === 'external-aws-account'
        ? 'AWS attributes (Role, RoleSessionName, ...) come from the role assignments, not from mappings'
        : 'AWS sign-in attributes (https://aws.amazon.com/SAML/Attributes/...) are reserved: only AWS accounts receive them, from their role assignments',
    });
  });
  return problems;
}

export function assertSettings(kind: Application['kind'], s: Settings, encryptionCertificates: readonly string[]): void {
  const problems = settingsProblems(kind, s, encryptionCertificates);
  if (problems.length > 0) {
    throw new ValidationError(`Invalid application: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, problems);
  }
}
