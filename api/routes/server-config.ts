import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { AppContext } from '../context.ts';
import { requireAdmin } from '../auth/authenticate.ts';
import { errorResponses } from '../schemas/common.ts';

export function serverConfigRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  const { config } = context;
  return async (app) => {
    app.get('/config', {
      schema: {
        tags: ['Config'],
        response: {
          200: Type.Object({
            instance: Type.Object({ name: Type.String() }),
            signup: Type.Object({ allowed: Type.Boolean() }),
            live: Type.Object({
              enabled: Type.Boolean(),
              rtmp: Type.Object({ port: Type.Integer() }),
              transcoding: Type.Object({ resolutions: Type.Array(Type.Integer()) }),
            }),
          }),
        },
      },
    }, async () => ({
      instance: { name: config.instance.name },
      signup: { allowed: config.signup.enabled },
      live: {
        enabled: true,
        rtmp: { port: context.ingest.rtmpPort },
        transcoding: { resolutions: config.transcoding.ladder.map((rung) => rung.height) },
      },
    }));

    // The encoder in use and how it was chosen: the fallback step is never silent.
    app.get('/admin/transcoding', {
      schema: {
        tags: ['Admin'],
        response: {
          200: Type.Object({
            ffmpeg: Type.Object({ path: Type.String(), origin: Type.String(), version: Type.String(), ffprobe: Type.Union([Type.String(), Type.Null()]) }),
            encoder: Type.Object({ requested: Type.String(), active: Type.String(), step: Type.String(), hardwareDecode: Type.Boolean() }),
            compiledIn: Type.Array(Type.String()),
            trials: Type.Array(Type.Object({ encoder: Type.String(), hardwareDecode: Type.Boolean(), ok: Type.Boolean(), error: Type.Optional(Type.String()) })),
            activeLives: Type.Array(Type.Object({
              videoUuid: Type.String(), sessionId: Type.Integer(), renditions: Type.Array(Type.Integer()),
              latencyMode: Type.Integer(), transcoderPid: Type.Union([Type.Integer(), Type.Null()]),
              reconnecting: Type.Boolean(), droppedDiskWrites: Type.Integer(),
              restarts: Type.Integer(), droppedInputChunks: Type.Integer(),
            })),
          }),
          ...errorResponses,
        },
      },
    }, async (request) => {
      requireAdmin(request);
      const { ffmpeg, encoder } = context;
      return {
        ffmpeg: { path: ffmpeg.ffmpeg, origin: ffmpeg.origin, version: ffmpeg.version, ffprobe: ffmpeg.ffprobe ?? null },
        encoder: { requested: encoder.requested, active: encoder.backend.id, step: encoder.step, hardwareDecode: encoder.caps.hardwareDecode },
        compiledIn: encoder.compiledIn,
        trials: encoder.trials,
        activeLives: context.lives.activeSessions.filter((session) => session.sessionId).map((session) => ({
          videoUuid: session.videoUuid,
          sessionId: session.sessionId,
          renditions: session.renditions.map((rung) => rung.height),
          latencyMode: session.latencyMode,
          transcoderPid: session.transcoder?.pid ?? null,
          reconnecting: session.graceTimer !== undefined,
          droppedDiskWrites: session.sinks.reduce((total, sink) => total + sink.droppedWrites, 0),
          restarts: session.transcoder?.restarts ?? 0,
          droppedInputChunks: session.transcoder?.droppedChunks ?? 0,
        })),
      };
    });
  };
}
