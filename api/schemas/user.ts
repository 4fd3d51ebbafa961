import Type, { type Static } from 'typebox';
import { IdLabel } from './common.ts';

const Username = Type.String({ minLength: 1, maxLength: 50, pattern: '^[a-z0-9][a-z0-9._]*$' });
export const Password = Type.String({ minLength: 6, maxLength: 255 });

export const UserCreate = Type.Object({
  username: Username,
  password: Password,
  email: Type.String({ format: 'email', maxLength: 320 }),
  role: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })),
});

export const UserRegister = Type.Object({
  username: Username,
  password: Password,
  email: Type.String({ format: 'email', maxLength: 320 }),
});

export const UserCreated = Type.Object({
  user: Type.Object({ id: Type.Integer(), account: Type.Object({ id: Type.Integer() }) }),
});

export const User = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  email: Type.String(),
  role: IdLabel,
  createdAt: Type.String(),
  account: Type.Object({ id: Type.Integer(), name: Type.String(), displayName: Type.String() }),
  videoChannels: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), displayName: Type.String() })),
});

export const UserList = Type.Object({ total: Type.Integer(), data: Type.Array(User) });

export const TokenRequest = Type.Object({
  client_id: Type.String(),
  client_secret: Type.String(),
  grant_type: Type.Union([Type.Literal('password'), Type.Literal('refresh_token')]),
  // Bounded: a failed login keeps its username as a key of the guess throttle for a whole window
  // (a 1 MB username held 1 MB per try). An email can stand for the username, hence 320.
  username: Type.Optional(Type.String({ maxLength: 320 })),
  password: Type.Optional(Type.String({ maxLength: 255 })),
  refresh_token: Type.Optional(Type.String({ maxLength: 255 })),
});

export const TokenResponse = Type.Object({
  token_type: Type.Literal('Bearer'),
  access_token: Type.String(),
  refresh_token: Type.String(),
  expires_in: Type.Integer(),
  refresh_token_expires_in: Type.Integer(),
});

// The JSON shapes as the browser reads them: web/app/api.js imports these in its JSDoc types.
/** @public */
export type UserJson = Static<typeof User>;
