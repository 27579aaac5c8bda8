/**
 * What every staff page (the dead-letter console's, the snoop editor's) shares: it holds no data, signs people in
 * with the authorization-code flow and PKCE against the staff pool's sign-in, and reads its settings from a script
 * element of its own.
 */

/** Where a staff page signs people in (its /oauth2/authorize and /oauth2/token), and the client its tokens are for. */
export interface StaffSignIn {
  signInUrl: string;
  clientId: string;
}

/** A page's settings as JSON for a script element of its own: "<" escaped, so that no value can close the element. */
export const pageSettingsJson = (settings: object): string => JSON.stringify(settings).replace(/</g, '\\u003c');

/** The sign-in's origin, which the page calls to trade a sign-in code: for its Content-Security-Policy's connect-src. */
export const signInOriginOf = (signInUrl: string): string => (URL.canParse(signInUrl) ? new URL(signInUrl).origin : '');
