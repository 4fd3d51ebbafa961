// What an uploaded file holds: ffprobe's JSON when there is an ffprobe, else `ffmpeg -i`'s stderr
// (the bundled ffmpeg fallback ships without ffprobe). Anything without a decodable video stream
// is refused with a message meant for the uploader. Both open the file as uploaded input
// (./input.ts): container demuxers only, the file protocol only, one exact path.
import { resolve } from 'node:path';
import { runFfmpeg } from '../ffmpeg-process.ts';
import { isRefusedByWhitelist, REFUSED_FORMAT_MESSAGE, uploadedInputArgs } from './input.ts';

export interface SourceInfo {
  durationSeconds: number;
  width: number;
  height: number;
  videoCodec: string;
  hasAudio: boolean;
}

export class UnusableSourceError extends Error {}

const PROBE_TIMEOUT_MS = 30_000;

interface ProbeJson {
  streams?: Array<{ codec_type?: string; codec_name?: string; width?: number; height?: number; duration?: string }>;
  format?: { duration?: string; format_name?: string };
}

export function parseFfprobeJson(text: string): SourceInfo {
  let json: ProbeJson;
  try {
    json = JSON.parse(text) as ProbeJson;
  } catch {
    throw new UnusableSourceError('The file could not be read as a video (unreadable probe output)');
  }
  const video = json.streams?.find((stream) => stream.codec_type === 'video' && stream.width && stream.height);
  if (!video) throw new UnusableSourceError('The file holds no video stream');
  const duration = Number(json.format?.duration ?? video.duration);
  if (!Number.isFinite(duration) || duration <= 0) throw new UnusableSourceError('The video has no duration');
  return {
    durationSeconds: duration,
    width: video.width!,
    height: video.height!,
    videoCodec: video.codec_name ?? 'unknown',
    hasAudio: json.streams?.some((stream) => stream.codec_type === 'audio') ?? false,
  };
}

/** Parses `ffmpeg -i <file>` stderr (exit code 1 is expected: no output file given). */
export function parseFfmpegBanner(stderr: string): SourceInfo {
  const durationMatch = /Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(stderr);
  const videoMatch = /Stream #\S+.*?: Video: (\w+)[^\n]*?, (\d{2,5})x(\d{2,5})/.exec(stderr);
  if (!videoMatch) throw new UnusableSourceError('The file holds no video stream');
  const duration = durationMatch ? Number(durationMatch[1]) * 3600 + Number(durationMatch[2]) * 60 + Number(durationMatch[3]) : 0;
  if (!(duration > 0)) throw new UnusableSourceError('The video has no duration');
  return {
    durationSeconds: duration,
    width: Number(videoMatch[2]),
    height: Number(videoMatch[3]),
    videoCodec: videoMatch[1],
    hasAudio: /Stream #\S+.*?: Audio: /.test(stderr),
  };
}

export async function probeSource(binaries: { ffmpeg: string; ffprobe: string | undefined }, file: string, signal?: AbortSignal): Promise<SourceInfo> {
  if (binaries.ffprobe) {
    const result = await runFfmpeg(binaries.ffprobe,
      ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', ...uploadedInputArgs(file)], PROBE_TIMEOUT_MS, signal);
    if (result.timedOut) throw new UnusableSourceError('Probing the file took too long');
    if (isRefusedByWhitelist(result.stderr)) throw new UnusableSourceError(REFUSED_FORMAT_MESSAGE);
    if (result.code !== 0) {
      const reason = result.stderr.trim().split('\n').pop() ?? '';
      throw new UnusableSourceError(`The file is not a readable video${reason ? ` (${reason.replaceAll(`file:${resolve(file)}`, 'file').replaceAll(file, 'file')})` : ''}`);
    }
    return parseFfprobeJson(result.stdout);
  }
  const result = await runFfmpeg(binaries.ffmpeg, ['-hide_banner', ...uploadedInputArgs(file)], PROBE_TIMEOUT_MS, signal);
  if (result.timedOut) throw new UnusableSourceError('Probing the file took too long');
  if (isRefusedByWhitelist(result.stderr)) throw new UnusableSourceError(REFUSED_FORMAT_MESSAGE);
  return parseFfmpegBanner(result.stderr);
}
