// How ffprobe and ffmpeg open an UPLOADED file: a stranger chose its bytes. Several demuxers open
// other files or URLs named inside the input (hls, dash, concat, image2 patterns, tee, subfile,
// ffmetadata, data/lavfi-style pseudo inputs...), which turned an upload into a way to read local
// files (issue 9). So the input is:
// - opened only by one of the container demuxers below (`-format_whitelist`, checked by ffmpeg
//   after probing, also for anything the demuxer would open nested);
// - read only through the file protocol (`-protocol_whitelist file`);
// - named as one exact `file:` path, so no part of the name is read as a protocol or an option.
// The list is a security boundary rather than a preference, so it lives here and not in the config.
import { resolve } from 'node:path';

/** ffmpeg demuxer names: formats people upload (PeerTube's list), none of which opens other files. */
const UPLOAD_DEMUXERS = [
  'mov', // mp4, m4v, mov, 3gp
  'matroska', // mkv, webm
  'avi',
  'flv',
  'mpegts',
  'mpeg', // MPEG program streams (.mpg, .vob)
  'ogg',
  'asf', // wmv
  'mxf',
  'dv',
  'nut',
] as const;

/** The words shown to the uploader when their file is none of those. */
export const REFUSED_FORMAT_MESSAGE =
  'The file is not an accepted video format (accepted: MP4/MOV, WebM/MKV, AVI, FLV, MPEG-TS, MPEG-PS, Ogg, WMV, MXF, DV, NUT)';

/** ffmpeg's own words when a format or protocol off the lists was asked for. */
export function isRefusedByWhitelist(stderr: string): boolean {
  return /(?:Format|Protocol) not on whitelist/i.test(stderr);
}

/** The input options and `-i` for an uploaded file; use them for every ffprobe/ffmpeg run on it. */
export function uploadedInputArgs(file: string): string[] {
  return ['-format_whitelist', UPLOAD_DEMUXERS.join(','), '-protocol_whitelist', 'file', '-i', `file:${resolve(file)}`];
}
