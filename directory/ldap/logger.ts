// The slice of a pino logger the LDAP source writes to: sign-in outcomes with their reason, and
// directory faults. Nothing here ever receives a password.

type LogFn = (fields: Record<string, unknown>, message: string) => void;

export interface LdapLogger {
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

export const silentLogger: LdapLogger = { info() {}, warn() {}, error() {} };
