export {
  WhipEndpoint,     
} from './endpoint.ts';
;
;
