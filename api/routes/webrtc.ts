// WebRTC over HTTP: WHIP ingest (OBS 30+: server https://host/api/v1/whip, bearer token = the
// stream key) and WHEP playback of a live (POST /api/v1/videos/{id}/whep). Both take an SDP
// offer as the body (application/sdp) and answer 201 with the SDP answer and a Location to DELETE.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { parseVideoRef, videos } from '../../db/index.ts';
import type { AppContext, WebRtcServices } from '../context.ts';
import { HttpError, notFound } from '../errors.ts';
import { bearerOf } from '../auth/authenticate.ts';
import { VideoIdParam, errorResponses } from '../schemas/common.ts';
import { loadVisibleVideo } from '../video-loaders.ts';

const SDP = 'application/sdp';
/** An offer with many codecs and candidates is a few KiB; this is plenty. */
const SDP_BODY_LIMIT = 64 * 1024;
const SdpOffer = Type.String({ minLength: 1, maxLength: SDP_BODY_LIMIT, description: 'SDP offer (Content-Type: application/sdp)' });
const SessionParam = Type.Object({ sessionId: Type.String({ format: 'uuid' }) });
const ViewerParams = Type.Object({ id: VideoIdParam.properties.id, viewerId: Type.String({ format: 'uuid' }) });

function services(context: AppContext): WebRtcServices {
  if (!context.webrtc) throw new HttpError(404, 'webrtc_disabled', 'WebRTC (WHIP/WHEP) is turned off on this server (webrtc.enabled)');
  return context.webrtc;
}

/**
 * Behind 1:1 NAT the interfaces' addresses are unreachable: add each IPv4 host candidate again
 * with the configured public address (same port), as mediasoup's announcedIp does.
 */
export function announcePublicIp(sdp: string, publicIp: string): string {
  if (!publicIp) return sdp;
  return sdp.split('\r\n').flatMap((line) => {
    const match = /^a=candidate:(\S+) (\d+) udp (\d+) (\d+\.\d+\.\d+\.\d+) (\d+) typ host(.*)$/i.exec(line);
    if (!match || match[4].startsWith('127.') || match[4] === publicIp) return [line];
    const [, foundation, component, priority, , port, rest] = match;
    return [line, `a=candidate:${foundation}p ${component} udp ${Number(priority) - 1} ${publicIp} ${port} typ host${rest}`];
  }).join('\r\n');
}

/** Absolute, on the host the client reached (proxy headers trusted), so every client resolves it alike. */
function absolute(request: FastifyRequest, path: string): string {
  return new URL(path, `${request.protocol}://${request.host}`).href;
}

function sendAnswer(reply: FastifyReply, location: string, answer: string, publicIp: string) {
  return reply.code(201).header('content-type', SDP).header('location', location).send(announcePublicIp(answer, publicIp));
}

function rejectTrickle(reply: FastifyReply) {
  // RFC 9725: an endpoint without trickle ICE answers PATCH with 405; the answer holds every candidate.
  return reply.code(405).header('allow', 'DELETE').send({
    status: 405, code: 'trickle_not_supported', error: 'Trickle ICE is not supported: the answer lists every candidate',
    detail: 'Trickle ICE is not supported: the answer lists every candidate',
  });
}

export function webrtcRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Scoped to this plugin: the rest of the API keeps JSON and forms only.
    app.addContentTypeParser(SDP, { parseAs: 'string', bodyLimit: SDP_BODY_LIMIT }, (_request, body, done) => done(null, body));
    app.addHook('preValidation', async (request) => {
      if (request.method === 'POST' && !/^application\/sdp\b/i.test(request.headers['content-type'] ?? '')) {
        throw new HttpError(415, 'unsupported_media_type', 'The body must be an SDP offer (Content-Type: application/sdp)');
      }
    });

    app.post('/whip', {
      config: { anonymous: true, rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['WebRTC'],
        summary: 'WHIP ingest: publish a live over WebRTC (OBS 30+ "WHIP" service)',
        description: 'Body: SDP offer with H.264 video (and Opus audio). `Authorization: Bearer <stream key>`. ' +
          'Answers 201 with the SDP answer and the session URL in `Location`; DELETE that URL to stop.',
        consumes: [SDP], produces: [SDP],
        body: SdpOffer,
        response: errorResponses,
      },
    }, async (request, reply) => {
      const webrtc = services(context);
      const outcome = await webrtc.whip.publish({ offer: request.body, streamKey: bearerOf(request), remoteAddress: request.ip });
      if (outcome.ok) return sendAnswer(reply, absolute(request, `/api/v1/whip/${outcome.sessionId}`), outcome.answer, webrtc.publicIp);
      switch (outcome.refusal) {
        case 'unauthorized':
          reply.header('www-authenticate', 'Bearer realm="whip"');
          throw new HttpError(401, 'invalid_stream_key', outcome.message);
        case 'bad-offer': throw new HttpError(400, 'bad_sdp_offer', outcome.message);
        case 'refused': throw new HttpError(409, 'publish_refused', outcome.message);
        case 'unavailable': throw new HttpError(503, 'unavailable', outcome.message);
      }
    });

    app.delete('/whip/:sessionId', {
      config: { anonymous: true },
      schema: { tags: ['WebRTC'], summary: 'WHIP: end a publishing session', params: SessionParam, response: { 200: {}, ...errorResponses } },
    }, async (request, reply) => {
      const result = services(context).whip.end(request.params.sessionId, bearerOf(request));
      if (result === 'not-found') throw notFound('WHIP session');
      if (result === 'forbidden') throw new HttpError(403, 'forbidden', 'This bearer token does not own the session');
      return reply.code(200).send();
    });

    app.patch('/whip/:sessionId', {
      config: { anonymous: true },
      schema: { tags: ['WebRTC'], summary: 'WHIP trickle ICE (not supported: 405)', params: SessionParam, hide: true },
    }, async (_request, reply) => rejectTrickle(reply));

    app.post('/videos/:id/whep', {
      config: { rateLimit: { max: 120, timeWindow: '1 minute' } },
      schema: {
        tags: ['WebRTC'],
        summary: 'WHEP playback: watch a live over WebRTC with sub-second delay',
        description: 'Body: SDP offer receiving video (H.264) and audio (Opus). Answers 201 with the SDP answer and ' +
          'the viewer URL in `Location`; DELETE it to stop. 404 when the video is not live now.',
        consumes: [SDP], produces: [SDP],
        params: VideoIdParam,
        body: SdpOffer,
        response: errorResponses,
      },
    }, async (request, reply) => {
      const webrtc = services(context);
      const video = await loadVisibleVideo(context, request, request.params.id);
      const session = context.lives.activeSessionOfVideo(video.id);
      if (!session?.sessionId) throw new HttpError(404, 'not_live', 'This video is not live right now');
      const outcome = await webrtc.whep.play({
        liveKey: String(video.id), feed: session.attempt.feed, offer: request.body, remoteAddress: request.ip,
      });
      if (outcome.ok) return sendAnswer(reply, absolute(request, `/api/v1/videos/${video.id}/whep/${outcome.viewerId}`), outcome.answer, webrtc.publicIp);
      if (outcome.refusal === 'bad-offer') throw new HttpError(400, 'bad_sdp_offer', outcome.message);
      throw new HttpError(503, 'unavailable', outcome.message);
    });

    app.delete('/videos/:id/whep/:viewerId', {
      schema: { tags: ['WebRTC'], summary: 'WHEP: stop watching', params: ViewerParams, response: { 200: {}, ...errorResponses } },
    }, async (request, reply) => {
      // The viewer URL itself is the capability (an unguessable id): no visibility check again.
      const ref = parseVideoRef(request.params.id);
      const video = ref ? await videos.findVideo(context.pool, ref) : undefined;
      if (!video || !services(context).whep.end(String(video.id), request.params.viewerId)) throw notFound('WHEP session');
      return reply.code(200).send();
    });

    app.patch('/videos/:id/whep/:viewerId', {
      schema: { tags: ['WebRTC'], summary: 'WHEP trickle ICE (not supported: 405)', params: ViewerParams, hide: true },
    }, async (_request, reply) => rejectTrickle(reply));
  };
}
