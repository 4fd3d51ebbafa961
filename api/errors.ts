// One error shape for the whole API, close to PeerTube's (RFC 7807 problem details). The domain's
// refusals (core/errors.ts) get their HTTP status here, in one table.
import { DomainError, type DomainErrorCode } from '../core/errors.ts';

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  /** Extra response headers, e.g. Retry-After on a 429. */
  readonly headers: Record<string, string> | undefined;

  constructor(status: number, code: string, message: string, headers?: Record<string, string>) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** PeerTube's statuses for each refusal (quota_reached: PeerTube answers 413, issue 11 aligns it). */
const HTTP_STATUS_OF: Record<DomainErrorCode, number> = {
  invalid_input: 400,
  unsupported_privacy: 400,
  video_password_required: 400,
  video_is_live: 400,
  unauthorized: 401,
  forbidden: 403,
  video_requires_password: 403,
  incorrect_video_password: 403,
  quota_reached: 403,
  not_found: 404,
  video_not_replaceable: 409,
  max_file_size_reached: 413,
  too_many_requests: 429,
};

export function httpErrorOf(error: DomainError): HttpError {
  const headers = error.retryAfterSeconds !== undefined ? { 'Retry-After': String(error.retryAfterSeconds) } : undefined;
  return new HttpError(HTTP_STATUS_OF[error.code], error.code, error.message, headers);
}

/** An error the API knows how to answer (ours, or a domain refusal); undefined for anything else. */
export function asHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  return error instanceof DomainError ? httpErrorOf(error) : undefined;
}

export function notFound(what: string): HttpError {
  return new HttpError(404, 'not_found', `${what} not found`);
}
