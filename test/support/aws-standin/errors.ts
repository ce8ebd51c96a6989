// An error the stand-in answers with: the AWS error code, its HTTP status and message.
export class AwsFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const noSuchEntity = (what: string) => new AwsFault(404, 'NoSuchEntity', `The ${what} cannot be found.`);
export const alreadyExists = (what: string) => new AwsFault(409, 'EntityAlreadyExists', `${what} already exists.`);
export const invalidInput = (message: string) => new AwsFault(400, 'ValidationError', message);
export const accessDenied = (message: string) => new AwsFault(403, 'AccessDenied', message);

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
export { esc as xmlEscape };
