// The encoder choice with the real ffmpeg of this machine (no GPU here): `auto` walks the
// hardware encoders, each with and without hardware decode, and lands on libx264 out loud.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { locateFfmpeg, selectEncoder } from '../../packager/index.ts';

const settings = { x264Preset: 'veryfast', vaapiDevice: '/dev/dri/renderD128', threads: 0 };

describe('encoder selection', () => {
  it('auto falls back through the hardware encoders to libx264, recording why each failed', async () => {
    const ffmpeg = await locateFfmpeg({ ffmpeg: '', ffprobe: '' });
    const selection = await selectEncoder({ ...settings, ffmpegPath: ffmpeg.ffmpeg, encoder: 'auto' });
    assert.equal(selection.backend.id, 'libx264');
    assert.equal(selection.step, 'software');
    const tried = selection.trials.map((trial) => trial.encoder);
    assert.deepEqual([...new Set(tried)], ['h264_nvenc', 'h264_vaapi', 'h264_qsv', 'libx264']);
    for (const trial of selection.trials.filter((t) => t.encoder !== 'libx264')) {
      assert.equal(trial.ok, false);
      assert.ok(trial.error && trial.error.length > 0, `${trial.encoder} says why it failed`);
    }
    // A compiled-in hardware encoder is tried with hardware decode first, then without.
    const nvencTrials = selection.trials.filter((trial) => trial.encoder === 'h264_nvenc');
    if (selection.compiledIn.includes('h264_nvenc')) assert.deepEqual(nvencTrials.map((t) => t.hardwareDecode), [true, false]);
  });

  it('an explicitly chosen encoder that cannot run falls back to libx264 and keeps the reason', async () => {
    const ffmpeg = await locateFfmpeg({ ffmpeg: '', ffprobe: '' });
    const selection = await selectEncoder({ ...settings, ffmpegPath: ffmpeg.ffmpeg, encoder: 'h264_vaapi' });
    assert.equal(selection.requested, 'h264_vaapi');
    assert.equal(selection.backend.id, 'libx264');
    assert.equal(selection.trials[0].encoder, 'h264_vaapi');
    assert.equal(selection.trials[0].ok, false);
  });

  it('copy needs no trial', async () => {
    const selection = await selectEncoder({ ...settings, ffmpegPath: 'ffmpeg', encoder: 'copy' });
    assert.equal(selection.backend.id, 'copy');
    assert.equal(selection.step, 'copy');
  });
});
