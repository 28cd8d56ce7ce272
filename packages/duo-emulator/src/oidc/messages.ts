/** Texts the emulator answers with. Exact Duo wording where known (duo-protocol.md), else ours. */
export const INVALID_CLIENT = 'The provided client_assertion was invalid.';
/** Duo's `invalid_client` text when the assertion's `iss` is not the client_id (Python SDK fixture). */
export const ISS_MISMATCH =
  'Invalid Client assertion: The `iss` claim must match the supplied client_id';
export const INVALID_GRANT =
  'The provided authorization grant (e.g., authorization code) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.';
/**
 * Our choice for the token endpoint's other errors: the RFC 6749 §5.2 definitions, as Duo's
 * invalid_grant text is that section's definition (Duo's own wording for these is not published).
 */
export const INVALID_REQUEST =
  'The request is missing a required parameter, includes an unsupported parameter value (other than grant type), repeats a parameter, includes multiple credentials, utilizes more than one mechanism for authenticating the client, or is otherwise malformed.';
export const UNSUPPORTED_GRANT_TYPE =
  'The authorization grant type is not supported by the authorization server.';
/** Our choice: Duo's real answer past the Free-plan limit is not documented (duo-protocol.md §D.3). */
export const FREE_PLAN_LIMIT =
  'This Duo account has reached the Free plan limit of 10 users. Contact your administrator.';
/**
 * The prompt's answers in `error_description` (after `error=access_denied`, RFC 6749 §4.1.2.1):
 * Duo's own wording for the same outcomes in the Auth API (duo-protocol.md §B.4: preauth's
 * `enroll` and a denied `auth`), as Duo publishes no text for the prompt's redirect.
 */
export const ENROLL_REQUIRED = 'Enroll an authentication device to proceed';
export const LOGIN_DENIED = 'Login request denied.';
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export function freePlanMessage(maxUsers: number | undefined): string {
  return maxUsers === 10 || maxUsers === undefined
    ? FREE_PLAN_LIMIT
    : `This Duo account has reached its limit of ${maxUsers} users. Contact your administrator.`;
}
