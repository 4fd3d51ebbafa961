// The privacies a video can take (PeerTube's ids): core/media-access/access.ts enforces private,
// internal and password protected.
import { VideoPrivacy } from '../../db/index.ts';
import { DomainError } from '../errors.ts';

export const SUPPORTED_PRIVACIES: number[] = Object.values(VideoPrivacy);

export function assertSupportedPrivacy(privacy: number | undefined): void {
  if (privacy !== undefined && !SUPPORTED_PRIVACIES.includes(privacy)) {
    throw new DomainError('unsupported_privacy', 'Privacy is 1 (public), 2 (unlisted), 3 (private), 4 (internal) or 5 (password protected)');
  }
}
