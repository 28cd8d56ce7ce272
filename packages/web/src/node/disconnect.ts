import type { ServerResponse } from 'node:http';

/**
 * A signal that aborts when the client goes away before the answer was sent, for the Request
 * the adapters build: a long poll (`/challenge/poll`) stops asking core for a client that left.
 * The response's `close` is the one event that means this: the request's own `close` also fires
 * once its body was read.
 */
export function disconnectSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}
