// Who may manage what: a video's or channel's owner, or an administrator.
import { UserRole, type UserRow } from '../../db/index.ts';

export function isOwnerOrAdmin(user: UserRow | undefined, ownerUserId: number): boolean {
  return user !== undefined && (user.id === ownerUserId || user.role === UserRole.ADMINISTRATOR);
}
