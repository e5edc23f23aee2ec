// Why the gateway closes a graphql-ws connection: the close code a client sees, and whether
// graphql-ws's client retries on its own (4401 is final; the others are worth retrying, and a
// client that resumes with `after` loses nothing).

/** No key, a wrong key, or a key revoked while connected. graphql-ws clients do not retry. */
export const CLOSE_UNAUTHORIZED = 4401;
/** The client left too many events unread for too long; it may reconnect and resume with `after`. */
export const CLOSE_SLOW_CONSUMER = 4413;
/** The key's tenant already has MAX_CONNECTIONS_PER_KEY sockets open on this gateway. */
export const CLOSE_TOO_MANY_CONNECTIONS = 4429;
/** The key could not be checked (accounts unreachable): not the client's fault. */
export const CLOSE_TRY_AGAIN_LATER = 1013;
/** The gateway is shutting down: reconnect (to another instance) and resume. */
export const CLOSE_SERVICE_RESTART = 1012;
