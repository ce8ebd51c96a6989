// `gatehouse …` as a process (bin/gatehouse.js imports the compiled dist/cli/run.js): the command
// line of cli/main.ts on this process's arguments, environment and standard streams; its answer is
// the exit status, set rather than forced so that what is written to a pipe is flushed first.
import process from 'node:process';
import type { CliIo } from './io.ts';
import { runCli } from './main.ts';

const io: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  async readStdin() {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  outColumns: process.stdout.isTTY ? process.stdout.columns : undefined,
  errColumns: process.stderr.isTTY ? process.stderr.columns : undefined,
};

process.exitCode = await runCli(process.argv.slice(2), process.env, io);
