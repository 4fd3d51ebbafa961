export {
  WhepManager, whepRendition,    
} from './manager.ts';
export { buildWhepCommand,  } from './command.ts';
