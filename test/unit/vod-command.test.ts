// On-demand transcoding without ffmpeg: the command, the progress lines and the probe parsers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildVodCommand, parseFfmpegBanner, parseFfprobeJson, parseProgressLine, UnusableSourceError } from '../../packager/vod/index.ts';
import { x264 } from '../../packager/encoders/x264.ts';

const caps = { ffmpegPath: 'ffmpeg', hardwareDecode: false, x264Preset: 'veryfast', vaapiDevice: '', threads: 0 };

describe('vod command', () => {
  it('one HLS output per rendition, fMP4 VOD, progress on pipe:3', () => {
    const args = buildVodCommand({
      input: '/in.mp4', outputDir: '/out', backend: x264, caps, hasAudio: true, segmentSeconds: 4,
      renditions: [
        { index: 0, height: 360, videoBitrateKbps: 800, audioBitrateKbps: 96, passthrough: false },
        { index: 1, height: 240, videoBitrateKbps: 400, audioBitrateKbps: 64, passthrough: false },
      ],
    });
    const line = args.join(' ');
    assert.match(line, /-progress pipe:3/);
    assert.match(line, /\[0:v:0\]split=2\[s0\]\[s1\];\[s0\]scale=-2:360/);
    assert.equal(args.filter((arg) => arg === 'hls').length, 2);
    assert.match(line, /-hls_segment_type fmp4 -hls_fmp4_init_filename init\.mp4 -hls_segment_filename \/out\/1\/segment-%d\.m4s \/out\/1\/index\.m3u8$/);
    assert.match(line, /-b:a:0 64k/);
  });

  it('reads progress lines', () => {
    assert.equal(parseProgressLine('out_time_us=3000000'), 3);
    assert.equal(parseProgressLine('out_time_ms=1500000'), 1.5);
    assert.equal(parseProgressLine('progress=end'), 'end');
    assert.equal(parseProgressLine('out_time_us=N/A'), undefined);
  });

  it('probes with ffprobe JSON or the ffmpeg banner', () => {
    const info = parseFfprobeJson(JSON.stringify({
      streams: [{ codec_type: 'video', codec_name: 'h264', width: 640, height: 360 }, { codec_type: 'audio', codec_name: 'aac' }],
      format: { duration: '6.02' },
    }));
    assert.deepEqual(info, { durationSeconds: 6.02, width: 640, height: 360, videoCodec: 'h264', hasAudio: true });
    const banner = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mp4':
  Duration: 00:00:06.02, start: 0.000000, bitrate: 300 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 640x360 [SAR 1:1 DAR 16:9], 250 kb/s, 25 fps
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono, fltp, 69 kb/s`;
    assert.deepEqual(parseFfmpegBanner(banner), { durationSeconds: 6.02, width: 640, height: 360, videoCodec: 'h264', hasAudio: true });
    assert.throws(() => parseFfmpegBanner('x.mp4: Invalid data found when processing input'), UnusableSourceError);
    assert.throws(() => parseFfprobeJson('{"streams":[{"codec_type":"audio"}],"format":{"duration":"3"}}'), /no video stream/);
  });
});
