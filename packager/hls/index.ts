// LL-HLS packager (RFC 8216bis with the low-latency extensions) as a pure library: fragmented
// MP4 from ffmpeg in; init segment, parts, segments, media and master playlists out. It touches
// no files and speaks no HTTP: complete segments go to a sink that the caller writes to disk
// (DVR window, replay), and requests get transport-neutral replies.
//
// ffmpeg, per rendition, to a pipe: -f mp4 -movflags +frag_keyframe+empty_moov+default_base_moof
//   -frag_duration <profile.partSeconds × 1e6> -force_key_frames "expr:gte(t,n_forced*<segmentSeconds>)"
//   (and no scene-cut keyframes, e.g. x264 -sc_threshold 0: an extra keyframe cuts a short part).
//
//   const hls = new LiveHls({ profile: latencyProfile(live.latencyMode), renditions: [{ index: 0, bandwidth: 2_800_000, frameRate: 30 }],
//     sinkFor: (i) => ({ init: (r) => disk.write(`${i}/${r.uri}`, r.init.bytes), segment: (s) => disk.write(`${i}/${segmentUri(s.msn)}`, s.bytes), error: log.warn }) });
//   ffmpegStdout(0).on('data', (chunk: Buffer) => hls.rendition(0).push(chunk));      // never throws
//   GET master.m3u8 → hls.masterPlaylist() ?? 404;  GET <i>/<name>?<query> → await hls.answer(i, name, { query, signal })
//     → { kind: 'body', contentType, body } | { kind: 'error', status, message } | { kind: 'on-disk' } (serve the sink's file)
//   transcoder restarted → hls.restartInput({ wallClockAnchorMs });  publisher gone for good → hls.end()
export { latencyProfile,   type LatencyProfile } from './latency-profile.ts';
export { LiveHls,   } from './live-hls.ts';
export {
  LiveRendition,
   type RenditionSink, type InitRecord,  
   
} from './rendition.ts';
export {  type MediaReply,  } from './requests.ts';
export { parseDeliveryDirectives,   } from './delivery-directives.ts';
export { writeMediaPlaylist,    type MediaPlaylistOptions,  } from './playlist.ts';
export { writeMasterPlaylist,  type VariantStream } from './master.ts';
export { Segmenter,    } from './segmenter.ts';
export {
  initUri, segmentUri, partUri, variantUri,  parseMediaUri,
  MEDIA_PLAYLIST_NAME, MASTER_PLAYLIST_NAME, CONTENT_TYPES, 
} from './uris.ts';
export type { MediaChunk,   Segment, SegmentInfo,   } from './types.ts';
;
