// The `gatehouse` command for the host Gatehouse runs on. It reads the same environment as the
// server (DATABASE_URL, CERTS_DIR or GATEHOUSE_SECRET, BASE_URL, ...), so run it where the nodes'
// configuration is. Exit status: 0 done, 1 refused or failed (the reason on stderr), 2 bad usage
// or configuration.
import { Command, CommanderError } from 'commander';
import { isDomainError } from '../model/errors.ts';
import { ConfigError, loadConfig, type Config } from '../server/config.ts';
import { addAdminCommand } from './admin.ts';
import { addKeysCommand } from './keys.ts';
import { addProvisioningCommands } from './provisioning.ts';

export async function runCli(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  let config: Config | undefined;
  const configOnce = () => (config ??= loadConfig(env));
  const program = new Command('gatehouse')
    .description('Gatehouse on this host')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  const output = { out: (text: string) => process.stdout.write(`${text}\n`) };
  addKeysCommand(program, configOnce, output);
  addAdminCommand(program, configOnce, output, { readStdin });
  addProvisioningCommands(program, configOnce, output);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof ConfigError) {
      process.stderr.write(`gatehouse: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`gatehouse: ${isDomainError(e) || e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

process.exitCode = await runCli(process.argv.slice(2), process.env);
