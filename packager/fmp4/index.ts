// fMP4 parsing for the live packager: split a piped stream into boxes, read the init segment,
// read each moof+mdat fragment. Only Fmp4ParseError leaves this folder on bad input.
export { BoxReader,    } from './box-reader.ts';
export { Fmp4ParseError } from './errors.ts';
export { parseFragment, type Fragment,  } from './fragment.ts';
export {
   codecsOf, primaryTrack, 
  type InitSegment,   
} from './init-segment.ts';
;
export { Fmp4StreamParser, type Fmp4Event } from './stream-parser.ts';
