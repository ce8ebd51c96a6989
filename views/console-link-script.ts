// Shareable console links put their request in the URL fragment (/start/#/console?account_id=…),
// which never reaches the server; the portal pages' script reads it. Parameters are encoded again
// here so that a hand-written link (an unencoded destination URL) still makes a valid return path.

/** Defines consoleRequest(hash): the /start/console request a fragment asks for, or null. */
export const CONSOLE_LINK_SCRIPT = `
function consoleRequest(hash) {
  const m = /^#\\/console\\?(.*)$/.exec(hash);
  if (!m) return null;
  const p = new URLSearchParams(m[1]);
  const enc = (v) => encodeURIComponent(v).replace(/[!'()*~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  return '/start/console?' + ['account_id', 'role_name', 'destination'].filter((k) => p.get(k)).map((k) => k + '=' + enc(p.get(k))).join('&');
}
`;

/** On the sign-in page: come back to the link's request after signing in. */
export const SIGN_IN_RETURN_SCRIPT = `${CONSOLE_LINK_SCRIPT}
const wanted = consoleRequest(location.hash);
if (wanted) {
  const form = document.querySelector('form[action="/start/login"]');
  let input = form.querySelector('input[name=returnTo]');
  if (!input) {
    input = document.createElement('input');
    input.type = 'hidden';
    input.name = 'returnTo';
    form.appendChild(input);
  }
  input.value = wanted;
}
`;

/** On the accounts page: a signed-in person following a link goes straight on. */
export const FOLLOW_CONSOLE_LINK_SCRIPT = `${CONSOLE_LINK_SCRIPT}
const requested = consoleRequest(location.hash);
if (requested) location.replace(requested);
`;
