// `gatehouse <args>` run in the test process: cli/main.ts's runCli, the function the binary runs
// (bin/gatehouse.js → cli/run.ts), with its standard streams captured. A Node.js process per run
// spent about 1.6 s of CPU loading modules; test/cli/keys.test.ts still runs the binary once.
import { runCli } from '../../cli/main.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `gatehouse <args>` with `env` as its whole environment (runCli reads no other, so nothing
 * of this process's reaches it) and `stdin` as all of its standard input. Libraries that read
 * process.env for what the configuration leaves out still see this process's (node-postgres's
 * PG* variables, the AWS SDK's credential chain when AWS_ACCESS_KEY_ID is not given); the tests
 * set none of them.
 */
export async function runGatehouse(args: string[], env: Record<string, string>, stdin = ''): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...args], { ...env }, {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    readStdin: async () => stdin,
  });
  return { code, stdout, stderr };
}
