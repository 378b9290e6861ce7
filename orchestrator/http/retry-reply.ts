import type { FastifyReply } from 'fastify';
import type { RetryResult } from '../orders/order-service.ts';

/** The answer to an operator's retry, the same from the API and from the dashboard. */
export function sendRetryResult(reply: FastifyReply, orderId: string, result: RetryResult): FastifyReply {
  switch (result.kind) {
    case 'retried':
      return reply.code(202).send({ orderId: result.orderId, sagaState: result.state });
    case 'not_found':
      return reply
        .code(404)
        .send({ statusCode: 404, error: 'Not Found', message: `order ${orderId} does not exist` });
    case 'not_failed':
      return reply.code(409).send({
        statusCode: 409,
        error: 'Conflict',
        message: `only a FAILED saga can be retried; this one is in state ${result.state}`,
      });
    default: {
      const unknown: never = result;
      throw new Error(`unexpected result ${JSON.stringify(unknown)}`);
    }
  }
}
