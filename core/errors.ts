// The domain's refusals. core/ knows nothing of HTTP: it throws a DomainError with a code (PeerTube's
// where it has one), and api/errors.ts maps each code to a status in one table.
export type DomainErrorCode =
  | 'not_found'
  | 'unauthorized'
  | 'forbidden'
  | 'invalid_input'
  | 'unsupported_privacy'
  | 'video_password_required'
  | 'video_requires_password'
  | 'incorrect_video_password'
  | 'max_file_size_reached'
  | 'quota_reached'
  | 'video_is_live'
  | 'video_not_replaceable'
  | 'too_many_requests';

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  /** With too_many_requests: when to try again. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: DomainErrorCode, message: string, retryAfterSeconds?: number) {
    super(message);
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function invalidInput(message: string): DomainError {
  return new DomainError('invalid_input', message);
}

export function tooManyRequests(message: string, retryAfterSeconds: number): DomainError {
  return new DomainError('too_many_requests', message, Math.max(1, Math.ceil(retryAfterSeconds)));
}
