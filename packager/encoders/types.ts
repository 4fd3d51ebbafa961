// The shape every encoder back-end has. Builders are pure: they return ffmpeg arguments.

export type EncoderId = 'libx264' | 'h264_nvenc' | 'h264_vaapi' | 'h264_qsv' | 'copy';

/** One rendition of the output ladder. */
export interface Rendition {
  /** Position in the ffmpeg output (variant index, folder name). */
  index: number;
  height: number;
  videoBitrateKbps: number;
  audioBitrateKbps: number;
  /** The source as it came in; only the copy back-end handles it. */
  passthrough: boolean;
}

/** What the machine offers, probed once at start-up. */
export interface Capabilities {
  ffmpegPath: string;
  /** Decode on the GPU too (first fallback step drops this). */
  hardwareDecode: boolean;
  x264Preset: string;
  vaapiDevice: string;
  threads: number;
}

export interface EncoderBackend {
  readonly id: EncoderId;
  supports(codec: 'h264'): boolean;
  /** Arguments placed before `-i` (hardware devices, hardware decode). */
  inputArgs(caps: Capabilities): string[];
  /** The filter chain that turns the decoded source into this rung's frames (scaling). */
  filters(rung: Rendition, caps: Capabilities): string;
  /** Codec arguments for output stream `v:<rung.index>`. */
  variantArgs(rung: Rendition, caps: Capabilities): string[];
}

export function bitrateArgs(rung: Rendition): string[] {
  const index = rung.index;
  return [
    `-b:v:${index}`, `${rung.videoBitrateKbps}k`,
    `-maxrate:v:${index}`, `${Math.round(rung.videoBitrateKbps * 1.1)}k`,
    `-bufsize:v:${index}`, `${rung.videoBitrateKbps * 2}k`,
  ];
}

/** Even width keeping the aspect ratio; the height of the rung. */
export function scaleSize(rung: Rendition): string {
  return `-2:${rung.height}`;
}
