// Process entry: config → stores → services → HTTP; graceful shutdown on SIGTERM/SIGINT (server/shutdown.ts).
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { ensureBootstrapAdmin } from '../access/bootstrap-admin.ts';
import type { AppState } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createHttpServer } from './http-server.ts';
import { createLogger } from './logger.ts';
import { createServices } from './services.ts';
import { installGracefulShutdown } from './shutdown.ts';

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`gatehouse: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
}

const config = configOrExit();
const logger = createLogger(config.logLevel);
mkdirSync(config.dataDir, { recursive: true });

const services = await createServices(config, logger);
const bootstrap = await ensureBootstrapAdmin(services.sql.directory, services.users, config.bootstrapAdminPassword);
const mfaOn = (await services.mfa.policy()).mode !== 'never';
const state: AppState = { draining: false };

// URL metadata of custom SAML apps is re-fetched when due (safe on several nodes: each app is claimed first).
services.metadataRefresher.start();
services.auditRetention.start();
// Provisioning jobs left IN_PROGRESS by a node that stopped are failed and resumed (docs/provisioning.md).
services.provisioning.startRecovery();

const server: Server = createHttpServer(services, state).listen(config.port, config.host, () => {
  const lines = [`Gatehouse is serving ${config.baseUrl} (listening on ${config.host}:${config.port})`];
  lines.push(`  database: ${config.database.kind}${config.database.kind === 'sqlite' ? ` (${config.database.file})` : ''}; ephemeral store: ${services.ephemeral.kind}`);
  if (bootstrap.created) {
    lines.push(`  first administrator: userName "${bootstrap.userName}"`);
    lines.push(
      bootstrap.generatedPassword
        ? `  generated password (shown once, change it): ${bootstrap.generatedPassword}`
        : '  password: the value of GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD',
    );
  }
  // With MFA on, a password alone no longer buys an admin API token (docs/mfa.md "Admin API tokens").
  if (mfaOn) lines.push('  sign-in asks for a second factor: register an authenticator app at your first sign-in (docs/mfa.md)');
  lines.push(`  admin API token: npx --no-install gatehouse admin token ${bootstrap.created ? bootstrap.userName : '<userName>'} (in this directory, on this host) or ${config.baseUrl}/admin/api-token (signed in), then Authorization: Bearer <token>`);
  process.stdout.write(`${lines.join('\n')}\n`);
  logger.info({ baseUrl: config.baseUrl, port: config.port }, 'listening');
});

installGracefulShutdown({
  server,
  state,
  logger,
  drainSeconds: config.shutdown.drainSeconds,
  finishSeconds: config.shutdown.finishSeconds,
  closeServices: () => services.close(),
  exit: (code) => process.exit(code),
});
