// Addresses of portal pages that act for the person, shared by the routers that serve them and
// by the sign-in that returns to them.
import type { Request } from 'express';

/** A navigation this origin started, or one typed or bookmarked (Fetch Metadata, W3C "Sec-Fetch-Site"). */
export const startedHere = (req: Request) => {
  const site = req.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
};

// RFC 3986 §2.2: the sub-delimiters encodeURIComponent leaves alone are encoded too, so the
// address stays within what a return path may hold (server/http/return-to.ts).
const encode = (v: string) => encodeURIComponent(v).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const query = (params: Record<string, string>) =>
  Object.entries(params)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}=${encode(v)}`)
    .join('&');

/** The request a shareable console link turns into (the AWS access portal's parameter names). */
export const consoleUrl = (accountId: string, roleName: string, destination = '') =>
  `/start/console?${query({ account_id: accountId, role_name: roleName, destination })}`;

/** The shareable link itself: a fragment, read by the portal page's script (docs/portal.md). */
export const shareableConsoleLink = (baseUrl: string, accountId: string, roleName: string) =>
  `${baseUrl}/start/#/console?${query({ account_id: accountId, role_name: roleName })}`;
