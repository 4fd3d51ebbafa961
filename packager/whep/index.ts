export {
  WhepManager, whepRendition, DEFAULT_MAX_WHEP_VIEWERS, type WhepManagerOptions, type WhepPlayRequest, type WhepPlayOutcome,
} from './manager.ts';
export { buildWhepCommand, type WhepCommandOptions } from './command.ts';
