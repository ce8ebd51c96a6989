// Identifier formats (reference/docs/aws-accounts.md "Identifiers and ARNs").
import { randomBytes, randomUUID } from 'node:crypto';

const hex16 = () => randomBytes(8).toString('hex');

export const newInstanceId = () => `ssoins-${hex16()}`;
export const newPermissionSetId = () => `ps-${hex16()}`;
/** Principal ids: a UUID, as the identity store forms them. */
export const newPrincipalId = () => randomUUID();

export const instanceArn = (instanceId: string) => `arn:aws:sso:::instance/${instanceId}`;
export const permissionSetArn = (instanceId: string, permissionSetId: string) =>
  `arn:aws:sso:::permissionSet/${instanceId}/${permissionSetId}`;

export const ACCOUNT_ID = /^\d{12}$/;
export const PERMISSION_SET_NAME = /^[\w+=,.@-]{1,32}$/;
export const newApplicationId = () => `app-${hex16()}`;
export const newSigningKeyId = () => `sk-${hex16()}`;
export const newApiTokenId = () => `tok-${hex16()}`;
