/** Texts the emulator answers with. Exact Duo wording where known (duo-protocol.md), else ours. */
export const INVALID_CLIENT = 'The provided client_assertion was invalid.';
export const INVALID_GRANT =
  'The provided authorization grant (e.g., authorization code) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.';
/** Our choice: Duo's real answer past the Free-plan limit is not documented (duo-protocol.md §D.3). */
export const FREE_PLAN_LIMIT =
  'This Duo account has reached the Free plan limit of 10 users. Contact your administrator.';
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export function freePlanMessage(maxUsers: number | undefined): string {
  return maxUsers === 10 || maxUsers === undefined
    ? FREE_PLAN_LIMIT
    : `This Duo account has reached its limit of ${maxUsers} users. Contact your administrator.`;
}
