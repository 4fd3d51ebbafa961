export { loadConfig, ConfigError, envNameFor,  } from './load.ts';
export {  type Config,  } from './schema.ts';
export { createLogger, type Logger } from './logger.ts';
