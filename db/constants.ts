// PeerTube's numeric enums, kept identical so that PeerTube clients read our JSON.
export const VideoState = { PUBLISHED: 1, TO_TRANSCODE: 2, WAITING_FOR_LIVE: 4, LIVE_ENDED: 5, TRANSCODING_FAILED: 7 } as const;
export const VIDEO_STATE_LABELS: Record<number, string> = {
  1: 'Published', 2: 'To transcode', 4: 'Waiting for livestream', 5: 'Livestream ended', 7: 'Transcoding failed',
};

export const VideoPrivacy = { PUBLIC: 1, UNLISTED: 2, PRIVATE: 3, INTERNAL: 4, PASSWORD_PROTECTED: 5 } as const;
export const VIDEO_PRIVACY_LABELS: Record<number, string> = {
  1: 'Public', 2: 'Unlisted', 3: 'Private', 4: 'Internal', 5: 'Password protected',
};

export const LiveLatencyMode = { DEFAULT: 1, HIGH_LATENCY: 2, SMALL_LATENCY: 3 } as const;

export const UserRole = { ADMINISTRATOR: 0, MODERATOR: 1, USER: 2 } as const;
export const USER_ROLE_LABELS: Record<number, string> = { 0: 'Administrator', 1: 'Moderator', 2: 'User' };

// PeerTube's LiveVideoError values used so far.
export const LiveVideoError = { FFMPEG_ERROR: 4 } as const;
