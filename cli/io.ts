// What the `gatehouse` command reads and writes, handed in by whoever runs it: the process's own
// standard streams (cli/run.ts), or buffers when the tests run the command in their own process
// (test/support/cli.ts). Nothing under cli/ touches process.stdout, process.stderr or process.stdin.
import { createLogger, type Logger } from '../server/logger.ts';

export interface CliIo {
  /** Writes to standard output, exactly the text given (a line carries its own "\n"). */
  out(text: string): void;
  /** Writes to standard error, exactly the text given. */
  err(text: string): void;
  /** All of standard input; read only by a command that asks for it (--password-stdin). */
  readStdin(): Promise<string>;
  /** Columns of the terminal standard output is, to wrap the help; undefined: not a terminal. */
  outColumns?: number;
  /** Columns of the terminal standard error is, to wrap usage errors; undefined: not a terminal. */
  errColumns?: number;
}

/**
 * The logger the commands hand to provisioning: silent, as the command reports on its own streams,
 * and with a destination that writes nowhere, so that a run opens no stream on the process's
 * standard output (server/logger.ts's default).
 */
export function silentLogger(): Logger {
  return createLogger('silent', { write: () => {} });
}
