// The `gatehouse` command for the host Gatehouse runs on. It reads the same environment as the
// server (DATABASE_URL, CERTS_DIR or GATEHOUSE_SECRET, BASE_URL, ...), so run it where the nodes'
// configuration is. Exit status: 0 done, 1 refused or failed (the reason on stderr), 2 bad usage
// or configuration.
//
// runCli is the whole command as a function of its arguments, its environment and its standard
// streams (cli/io.ts): it reads no other environment, writes nowhere else, never exits the
// process, and closes what it opened before it returns, so the tests run it many times in their
// own process (test/support/cli.ts). cli/run.ts runs it with the process's own.
import { Command, CommanderError } from 'commander';
import { isDomainError } from '../model/errors.ts';
import { ConfigError, loadConfig, type Config } from '../server/config.ts';
import { addAdminCommand } from './admin.ts';
import type { CliIo } from './io.ts';
import { addKeysCommand } from './keys.ts';
import { addProvisioningCommands } from './provisioning.ts';

export async function runCli(argv: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  let config: Config | undefined;
  const configOnce = () => (config ??= loadConfig(env));
  const program = new Command('gatehouse')
    .description('Gatehouse on this host')
    .exitOverride()
    // Commander's defaults would read process.stdout, process.stderr and, for colours, process.env.
    // 80 columns off a terminal is commander's own default; the help has no colours to keep.
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      getOutHelpWidth: () => io.outColumns ?? 80,
      getErrHelpWidth: () => io.errColumns ?? 80,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    });
  addKeysCommand(program, configOnce, io);
  addAdminCommand(program, configOnce, io);
  addProvisioningCommands(program, configOnce, io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof ConfigError) {
      io.err(`gatehouse: ${e.message}\n`);
      return 2;
    }
    io.err(`gatehouse: ${isDomainError(e) || e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
