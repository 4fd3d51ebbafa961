// Who may publish on a channel: its owner, or an administrator.
import type pg from 'pg';
import { users, UserRole, type UserRow } from '../../db/index.ts';
import { DomainError } from '../errors.ts';

export async function assertCanPublishOn(pool: pg.Pool, user: UserRow, channelId: number): Promise<void> {
  if (user.role === UserRole.ADMINISTRATOR || await users.channelBelongsToUser(pool, channelId, user.id)) return;
  throw new DomainError('forbidden', 'You cannot publish on this channel');
}
