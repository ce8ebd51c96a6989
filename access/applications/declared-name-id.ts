// An SP's metadata lists the NameID formats it accepts (SAML metadata §2.4.4, <NameIDFormat>).
// A new application made from such metadata starts with the first of them that Gatehouse can
// send, with the source that fills it, so that an SP asking for emailAddress is not answered
// InvalidNameIDPolicy until someone edits the application. Settings given with the request win.
import { NAMEID_EMAIL, NAMEID_PERSISTENT, NAMEID_TRANSIENT } from '../../idp/saml/namespaces.ts';
import type { Settings, SettingsInput } from './application-input.ts';

const SENDABLE: Record<string, Settings['nameIdSource']> = {
  [NAMEID_EMAIL]: 'email',
  [NAMEID_PERSISTENT]: 'persistent',
  [NAMEID_TRANSIENT]: 'transient',
};

/** The NameID settings the SP's declared formats call for, or none when it declares none we send (or `given` chooses). */
export function declaredNameIdSettings(declared: readonly string[], given: SettingsInput): Partial<Settings> {
  if (given.nameIdFormat !== undefined || given.nameIdSource !== undefined) return {};
  const format = declared.find((f) => SENDABLE[f] !== undefined);
  return format ? { nameIdFormat: format, nameIdSource: SENDABLE[format]! } : {};
}
