export { loadConfig, ConfigError, envNameFor, type LoadOptions } from './load.ts';
export { ConfigSchema, type Config, type LadderRung } from './schema.ts';
export { createLogger, type Logger } from './logger.ts';
