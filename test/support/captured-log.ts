// A pino destination that keeps what Gatehouse logs, for tests that check what an operator sees:
// startGatehouse({ log: { level: 'info', destination: log.destination } }).
import { Writable } from 'node:stream';

/** One JSON log line as pino writes it. */
export interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  [field: string]: unknown;
}

export interface CapturedLog {
  destination: Writable;
  /** Everything written so far, as text (to check that a secret never appears). */
  text(): string;
  /** Everything written so far, one parsed object per line. */
  lines(): LogLine[];
  /** Forgets what was written. */
  clear(): void;
}

export function captureLog(): CapturedLog {
  let raw = '';
  return {
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        raw += chunk.toString('utf8');
        done();
      },
    }),
    text: () => raw,
    lines: () =>
      raw
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as LogLine),
    clear: () => {
      raw = '';
    },
  };
}
