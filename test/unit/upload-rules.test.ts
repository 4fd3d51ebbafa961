// The upload rules (core/uploads/upload-rules.ts): what an uploader is told before any byte is kept.
// The same rules through HTTP, with the quota held in Postgres, are in test/integration/uploads.test.ts
// and uploads-quota.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VideoPrivacy, VideoState } from '../../db/index.ts';
import { DomainError } from '../../core/errors.ts';
import { SUPPORTED_PRIVACIES } from '../../core/videos/privacy.ts';
import { assertFileSize, assertReplaceable, assertWithinQuota, parseUploadMetadata } from '../../core/uploads/upload-rules.ts';

/** The refusal's code, or 'ok'. */
function outcome(rule: () => unknown): string {
  try {
    rule();
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof DomainError, `a domain refusal, not ${String(error)}`);
    return error.code;
  }
}

const parse = (fields: Record<string, unknown>, privacies = SUPPORTED_PRIVACIES) => parseUploadMetadata(fields, privacies);

describe('upload rules: metadata', () => {
  it('takes the name from the file name when none is given, public by default', () => {
    assert.deepEqual(parse({ channelId: '3', filename: 'holiday.mp4' }),
      { channelId: 3, name: 'holiday', description: '', privacy: VideoPrivacy.PUBLIC, filename: 'holiday.mp4' });
  });

  it('refuses a missing or malformed channel, and a name under 3 or over 120 characters', () => {
    assert.equal(outcome(() => parse({ name: 'A video' })), 'invalid_input');
    assert.equal(outcome(() => parse({ channelId: 'x', name: 'A video' })), 'invalid_input');
    assert.equal(outcome(() => parse({ channelId: '-1', name: 'A video' })), 'invalid_input');
    assert.equal(outcome(() => parse({ channelId: 1, name: 'ab' })), 'invalid_input');
    assert.equal(outcome(() => parse({ channelId: 1, name: 'a'.repeat(121) })), 'invalid_input');
    assert.equal(outcome(() => parse({ channelId: 1, name: 'a'.repeat(120) })), 'ok');
  });

  it('refuses a privacy the instance does not offer', () => {
    assert.equal(outcome(() => parse({ channelId: 1, name: 'A video', privacy: '9' })), 'unsupported_privacy');
    assert.equal(outcome(() => parse({ channelId: 1, name: 'A video', privacy: '4' }, [1, 2, 3])), 'unsupported_privacy');
    assert.equal(parse({ channelId: 1, name: 'A video', privacy: '4' }).privacy, VideoPrivacy.INTERNAL);
  });

  it('a password-protected upload needs a password, in any of the forms PeerTube clients send', () => {
    const protectedVideo = { channelId: 1, name: 'A video', privacy: String(VideoPrivacy.PASSWORD_PROTECTED) };
    assert.equal(outcome(() => parse(protectedVideo)), 'video_password_required');
    assert.equal(outcome(() => parse({ ...protectedVideo, videoPasswords: '' })), 'video_password_required');
    assert.deepEqual(parse({ ...protectedVideo, videoPasswords: ['one', 'two'] }).videoPasswords, ['one', 'two']);
    assert.deepEqual(parse({ ...protectedVideo, videoPasswords: 'one' }).videoPasswords, ['one']);
    assert.deepEqual(parse({ ...protectedVideo, 'videoPasswords[0]': 'one', 'videoPasswords[1]': 'two' }).videoPasswords, ['one', 'two']);
    assert.deepEqual(parse({ ...protectedVideo, 'videoPasswords[]': ['one'] }).videoPasswords, ['one']);
  });

  it('ignores passwords sent with another privacy (nothing to protect)', () => {
    assert.equal(parse({ channelId: 1, name: 'A video', privacy: '1', videoPasswords: ['one'] }).videoPasswords, undefined);
  });
});

describe('upload rules: size and quota', () => {
  it('refuses a file larger than the instance allows', () => {
    assert.equal(outcome(() => assertFileSize(1000, { maxFileSizeBytes: 1000 })), 'ok');
    assert.equal(outcome(() => assertFileSize(1001, { maxFileSizeBytes: 1000 })), 'max_file_size_reached');
  });

  it('refuses an upload that would take its owner past the quota; -1 is no quota', () => {
    assert.equal(outcome(() => assertWithinQuota({ usedBytes: 600, sizeBytes: 400 }, { userQuotaBytes: 1000 })), 'ok');
    assert.equal(outcome(() => assertWithinQuota({ usedBytes: 600, sizeBytes: 401 }, { userQuotaBytes: 1000 })), 'quota_reached');
    assert.equal(outcome(() => assertWithinQuota({ usedBytes: 10 ** 12, sizeBytes: 10 ** 12 }, { userQuotaBytes: -1 })), 'ok');
    assert.equal(outcome(() => assertWithinQuota({ usedBytes: 0, sizeBytes: 1 }, { userQuotaBytes: 0 })), 'quota_reached');
  });

  it('counts a re-upload against the quota less the original it replaces', () => {
    assert.equal(outcome(() => assertWithinQuota({ usedBytes: 900, creditBytes: 300, sizeBytes: 400 }, { userQuotaBytes: 1000 })), 'ok');
    assert.equal(outcome(() => assertWithinQuota({ usedBytes: 900, creditBytes: 300, sizeBytes: 401 }, { userQuotaBytes: 1000 })), 'quota_reached');
  });
});

describe('upload rules: source replacement', () => {
  const published = { is_live: false, state: VideoState.PUBLISHED, hls_path: 'hls/x/vod-1' };

  it('replaces the source of a published on-demand video only', () => {
    assert.equal(outcome(() => assertReplaceable(published)), 'ok');
    assert.equal(outcome(() => assertReplaceable({ ...published, is_live: true })), 'video_is_live');
    assert.equal(outcome(() => assertReplaceable({ ...published, state: VideoState.TO_TRANSCODE })), 'video_not_replaceable');
    assert.equal(outcome(() => assertReplaceable({ ...published, hls_path: null })), 'video_not_replaceable');
  });
});
