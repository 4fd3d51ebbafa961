import Type from 'typebox';

export const IdLabel = Type.Object({ id: Type.Integer(), label: Type.String() });
export const ErrorBody = Type.Object({
  status: Type.Integer(), code: Type.String(), error: Type.String(), detail: Type.String(),
});
export const Pagination = Type.Object({
  start: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  count: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 15 })),
});
export const VideoIdParam = Type.Object({
  id: Type.String({ description: 'Numeric id, uuid or short uuid', maxLength: 64 }),
});
export const errorResponses = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
