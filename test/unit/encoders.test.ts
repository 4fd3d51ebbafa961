// Exact ffmpeg arguments of every encoder back-end, without running ffmpeg.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ENCODERS, buildLiveCommand, selectRenditions, type Capabilities, type Rendition } from '../../packager/index.ts';

const caps: Capabilities = {
  ffmpegPath: 'ffmpeg', hardwareDecode: false, x264Preset: 'veryfast', vaapiDevice: '/dev/dri/renderD128', threads: 0,
};
const rung: Rendition = { index: 1, height: 480, videoBitrateKbps: 1400, audioBitrateKbps: 96, passthrough: false };
const bitrate = ['-b:v:1', '1400k', '-maxrate:v:1', '1540k', '-bufsize:v:1', '2800k'];

describe('encoder back-ends', () => {
  it('libx264', () => {
    const x264 = ENCODERS.libx264;
    assert.deepEqual(x264.inputArgs(caps), []);
    assert.equal(x264.filters(rung, caps), 'scale=-2:480:flags=bilinear,format=yuv420p');
    assert.deepEqual(x264.variantArgs(rung, caps), ['-c:v:1', 'libx264', '-preset:v:1', 'veryfast', '-tune:v:1', 'zerolatency', '-profile:v:1', 'high', ...bitrate]);
  });

  it('h264_nvenc with and without GPU decode', () => {
    const nvenc = ENCODERS.h264_nvenc;
    assert.deepEqual(nvenc.inputArgs({ ...caps, hardwareDecode: true }), ['-hwaccel', 'cuda', '-hwaccel_output_format', 'cuda']);
    assert.deepEqual(nvenc.inputArgs(caps), []);
    assert.equal(nvenc.filters(rung, { ...caps, hardwareDecode: true }), 'scale_cuda=-2:480');
    assert.equal(nvenc.filters(rung, caps), 'scale=-2:480:flags=bilinear,format=yuv420p');
    assert.deepEqual(nvenc.variantArgs(rung, caps), ['-c:v:1', 'h264_nvenc', '-preset:v:1', 'p4', '-tune:v:1', 'll', '-rc:v:1', 'cbr', '-forced-idr:v:1', '1', '-bf:v:1', '0', ...bitrate]);
  });

  it('h264_vaapi with and without GPU decode', () => {
    const vaapi = ENCODERS.h264_vaapi;
    assert.deepEqual(vaapi.inputArgs({ ...caps, hardwareDecode: true }), ['-vaapi_device', '/dev/dri/renderD128', '-hwaccel', 'vaapi', '-hwaccel_output_format', 'vaapi']);
    assert.deepEqual(vaapi.inputArgs(caps), ['-vaapi_device', '/dev/dri/renderD128']);
    assert.equal(vaapi.filters(rung, { ...caps, hardwareDecode: true }), 'scale_vaapi=w=-2:h=480');
    assert.equal(vaapi.filters(rung, caps), 'format=nv12,hwupload,scale_vaapi=w=-2:h=480');
    assert.deepEqual(vaapi.variantArgs(rung, caps), ['-c:v:1', 'h264_vaapi', '-bf:v:1', '0', ...bitrate]);
  });

  it('h264_qsv with and without GPU decode', () => {
    const qsv = ENCODERS.h264_qsv;
    assert.deepEqual(qsv.inputArgs({ ...caps, hardwareDecode: true }), ['-init_hw_device', 'qsv=hw', '-filter_hw_device', 'hw', '-hwaccel', 'qsv', '-hwaccel_output_format', 'qsv']);
    assert.equal(qsv.filters(rung, caps), 'format=nv12,hwupload=extra_hw_frames=64,scale_qsv=w=-2:h=480');
    assert.deepEqual(qsv.variantArgs(rung, caps), ['-c:v:1', 'h264_qsv', '-preset:v:1', 'veryfast', '-bf:v:1', '0', ...bitrate]);
  });

  it('copy', () => {
    assert.deepEqual(ENCODERS.copy.variantArgs(rung, caps), ['-c:v:1', 'copy']);
  });
});

describe('ladder', () => {
  const ladder = [
    { height: 1080, videoBitrateKbps: 5000, audioBitrateKbps: 128 },
    { height: 720, videoBitrateKbps: 2800, audioBitrateKbps: 128 },
    { height: 480, videoBitrateKbps: 1400, audioBitrateKbps: 96 },
    { height: 360, videoBitrateKbps: 800, audioBitrateKbps: 96 },
  ];

  it('keeps only rungs at or below the source', () => {
    assert.deepEqual(selectRenditions(ladder, 720, false).map((r) => [r.index, r.height]), [[0, 720], [1, 480], [2, 360]]);
    assert.deepEqual(selectRenditions(ladder, 500, false).map((r) => r.height), [480, 360]);
  });

  it('puts the source first with passthrough, without a same-height duplicate', () => {
    const renditions = selectRenditions(ladder, 720, true);
    assert.deepEqual(renditions.map((r) => [r.height, r.passthrough]), [[720, true], [480, false], [360, false]]);
  });

  it('still gives a tiny source one rendition', () => {
    assert.deepEqual(selectRenditions(ladder, 241, false).map((r) => r.height), [240]);
  });
});

describe('live command', () => {
  const ladder = [
    { height: 720, videoBitrateKbps: 2800, audioBitrateKbps: 128 },
    { height: 360, videoBitrateKbps: 800, audioBitrateKbps: 96 },
  ];

  it('splits and scales once, then writes each rendition as fragmented MP4 to its own pipe', () => {
    const renditions = selectRenditions(ladder, 720, false);
    const joined = buildLiveCommand({
      renditions, backend: ENCODERS.libx264, caps, hasAudio: true, keyframeSeconds: 2, fragmentSeconds: 0.5,
    }).join(' ');
    assert.match(joined, /-f flv -i pipe:0/);
    assert.match(joined, /-filter_complex \[0:v:0\]split=2\[s0\]\[s1\];\[s0\]scale=-2:720[^;]*\[v0\];\[s1\]scale=-2:360[^ ]*\[v1\]/);
    // Each output numbers its own streams from 0.
    assert.match(joined, /-map \[v0\] -map 0:a:0 -c:v:0 libx264 .*-b:v:0 2800k .*-force_key_frames:v:0 expr:gte\(t,n_forced\*2\) -sc_threshold 0 -c:a:0 aac -b:a:0 128k .*-frag_duration 500000 pipe:3/);
    assert.match(joined, /-map \[v1\] -map 0:a:0 -c:v:0 libx264 .*-b:v:0 800k .*-b:a:0 96k .*pipe:4$/);
    assert.equal(joined.match(/-movflags \+frag_keyframe\+empty_moov\+default_base_moof\+dash/g)?.length, 2);
  });

  it('leaves audio out for a silent source', () => {
    const renditions = selectRenditions([ladder[1]], 360, false);
    const joined = buildLiveCommand({
      renditions, backend: ENCODERS.libx264, caps, hasAudio: false, keyframeSeconds: 1, fragmentSeconds: 0.25,
    }).join(' ');
    assert.doesNotMatch(joined, /0:a:0|-c:a/);
    assert.match(joined, /-frag_duration 250000 pipe:3$/);
  });

  it('passes the source through without a filter or forced keyframes for it', () => {
    const renditions = selectRenditions([ladder[1]], 720, true);
    const joined = buildLiveCommand({
      renditions, backend: ENCODERS.libx264, caps, hasAudio: true, keyframeSeconds: 2, fragmentSeconds: 0.5,
    }).join(' ');
    assert.match(joined, /-filter_complex \[0:v:0\]null\[s0\];\[s0\]scale=-2:360[^ ]*\[v1\]/);
    assert.match(joined, /-map 0:v:0 -map 0:a:0 -c:v:0 copy -c:a:0 aac .*pipe:3 -map \[v1\]/);
  });
});
