// fMP4 parsing for the live packager: split a piped stream into boxes, read the init segment,
// read each moof+mdat fragment. Only Fmp4ParseError leaves this folder on bad input.
export { BoxReader, DEFAULT_MAX_BOX_BYTES, type Mp4Box, type BoxReaderOptions } from './box-reader.ts';
export { Fmp4ParseError } from './errors.ts';
export { parseFragment, type Fragment, type TrackFragment } from './fragment.ts';
export {
  parseInitSegment, codecsOf, primaryTrack, concatBytes,
  type InitSegment, type TrackInfo, type TrackKind, type TrackDefaults,
} from './init-segment.ts';
export { DEFAULT_AAC_CODEC } from './codec-string.ts';
export { Fmp4StreamParser, type Fmp4Event } from './stream-parser.ts';
