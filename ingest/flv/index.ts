// FLV as ffmpeg writes it, for the ingest protocols whose media reaches this process as an FLV
// byte stream (SRT, WHIP): tag splitting, onMetaData, and the GOP-caching MediaFeed.
export {
  FLV_TAG_AUDIO, FLV_TAG_SCRIPT, FLV_TAG_VIDEO, FlvFormatError, FlvTagReader, classifyTag, isVideoKeyframeTag,
   type FlvTag, 
} from './tag-reader.ts';
export { readOnMetaData,  } from './metadata.ts';
export { DEFAULT_MAX_GOP_BYTES,  FlvGopFeed,  } from './gop-feed.ts';
