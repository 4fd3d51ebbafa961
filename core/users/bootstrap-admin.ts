// The first start creates the administrator. Its password is printed once, unless given.
import type pg from 'pg';
import type { Config, Logger } from '../../config/index.ts';
import { users, UserRole } from '../../db/index.ts';
import { generatePassword, hashPassword } from '../auth/password.ts';

export async function ensureAdmin(pool: pg.Pool, config: Config, log: Logger): Promise<void> {
  if (await users.countUsers(pool) > 0) return;
  const password = config.admin.password || generatePassword();
  await users.createUserWithChannel(pool, {
    username: config.admin.username,
    email: config.admin.email,
    passwordHash: await hashPassword(password),
    role: UserRole.ADMINISTRATOR,
  });
  if (config.admin.password) {
    log.info(`created administrator "${config.admin.username}" with the password from ADMIN_PASSWORD`);
  } else {
    // Printed on stdout whatever the log level: it is shown this one time only.
    process.stdout.write(`\n  Administrator account created.\n  username: ${config.admin.username}\n  password: ${password}\n  (shown only once; change it after logging in)\n\n`);
  }
}
