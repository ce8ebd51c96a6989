// Where in the AWS console a shareable console link lands (the AWS access portal's shortcut links
// carry it as `destination`). It becomes the SAML RelayState, which AWS sign-in follows after the
// assertion (AWS IAM, "Configure RelayState for SAML 2.0 federation"), so only a page of an AWS
// console is accepted: a link must never turn the portal into a way to send people elsewhere.
import { ValidationError } from '../../model/errors.ts';

/** Console hosts of the AWS partitions: commercial, GovCloud (US), China. */
const CONSOLE_HOST = /(^|\.)(aws\.amazon\.com|amazonaws-us-gov\.com|amazonaws\.cn)$/;

/** The destination as a URL string, or undefined when none was given; ValidationError when it is not an AWS console page. */
export function consoleDestination(value: string): string | undefined {
  if (value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError('The destination is not a URL');
  }
  if (url.protocol !== 'https:' || url.username || url.password || !CONSOLE_HOST.test(url.hostname)) {
    throw new ValidationError('The destination must be an https page of the AWS console');
  }
  return url.toString();
}
