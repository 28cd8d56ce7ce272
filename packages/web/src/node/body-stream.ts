import type { IncomingMessage } from 'node:http';

/**
 * A Node request body as a web stream. Cancelling it (the handler refuses a body that is too
 * large) stops delivering chunks but does not destroy the socket, so the refusal can still be
 * sent: `drainRequest` then reads and drops the rest.
 */
export function requestBodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let open = true;
  const onData = (chunk: Buffer): void => {
    if (draining.has(req)) {
      open = false;
      req.off('data', onData);
      return;
    }
    if (open) controllerRef?.enqueue(new Uint8Array(chunk));
    if (controllerRef !== undefined && (controllerRef.desiredSize ?? 1) <= 0) req.pause();
  };
  let controllerRef: ReadableStreamDefaultController<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controllerRef = controller;
      req.on('data', onData);
      req.once('end', () => {
        if (open) controller.close();
        open = false;
      });
      req.once('error', (err) => {
        if (open) controller.error(err);
        open = false;
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      open = false;
      req.off('data', onData);
    },
  });
}

/**
 * Reads and drops what is left of a request body (at most `maxBytes`, within `timeoutMs`), so the
 * client, still sending, reads the answer instead of a connection reset. Past either bound the
 * request is destroyed.
 */
/** Requests whose body nobody reads any more: the stream stops holding back their chunks. */
const draining = new WeakSet<IncomingMessage>();

export function drainRequest(
  req: IncomingMessage,
  maxBytes = 8 * 1024 * 1024,
  timeoutMs = 10_000,
): Promise<void> {
  if (req.readableEnded || req.destroyed) return Promise.resolve();
  draining.add(req);
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (): void => {
      clearTimeout(timer);
      req.off('data', count);
      resolve();
    };
    const count = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > maxBytes) {
        req.destroy();
        finish();
      }
    };
    const timer = setTimeout(() => {
      req.destroy();
      finish();
    }, timeoutMs);
    req.on('data', count);
    req.once('end', finish);
    req.once('close', finish);
    req.once('error', finish);
    req.resume();
  });
}
