/**
 * The words of the security-key pages, kept beside the main catalog as one nested part so a host
 * can override any of them alone (`locales.de.webauthn.button`).
 */
export interface WebauthnWords {
  readonly registerTitle: string;
  readonly registerIntro: string;
  /** The name a person gives a new key, shown in their list of factors. */
  readonly labelField: string;
  readonly labelHint: string;
  readonly signInTitle: string;
  readonly signInIntro: string;
  /** The button that starts the browser's security-key dialog. */
  readonly button: string;
  /** The same button after a cancelled or failed attempt. */
  readonly retry: string;
  /**
   * NotAllowedError: the person cancelled, it timed out, or the key holds no credential of this
   * account; the browser does not say which (WebAuthn keeps that private).
   */
  readonly cancelled: string;
  /** The browser has no WebAuthn (or the page is not a secure context). */
  readonly unsupported: string;
  /** The key is already registered to this account (InvalidStateError at registration). */
  readonly alreadyRegistered: string;
  /** Any other error from the browser or the key. */
  readonly failed: string;
  /** Shown when scripts are off: the ceremony needs the browser's JavaScript API. */
  readonly needsScript: string;
  /** The server did not accept the key's answer (a wrong, replayed or foreign credential). */
  readonly refused: string;
}

export const ENGLISH_WEBAUTHN: WebauthnWords = {
  registerTitle: 'Set up your security key',
  registerIntro:
    'Give the key a name, then press the button, insert your security key and touch it.',
  labelField: 'Name of this key',
  labelHint: 'For example “Blue key on my key ring”. Leave it empty for a default name.',
  signInTitle: 'Use your security key',
  signInIntro: 'Insert your security key and touch it.',
  button: 'Use security key',
  retry: 'Try again',
  cancelled:
    'The security key was not used: the request was cancelled, took too long, or the key is not set up for this account. Try again when your key is ready.',
  unsupported:
    'This browser cannot use security keys. Use another browser, or choose another method.',
  alreadyRegistered: 'This security key is already set up for your account. Use another key.',
  failed: 'Your security key could not be used. Try again.',
  needsScript:
    'Security keys need JavaScript in this browser. Turn it on, or choose another method.',
  refused: 'Your security key was not accepted. Try again, or choose another method.',
};

export const GERMAN_WEBAUTHN: WebauthnWords = {
  registerTitle: 'Sicherheitsschlüssel einrichten',
  registerIntro:
    'Geben Sie dem Schlüssel einen Namen, drücken Sie dann die Schaltfläche, stecken Sie Ihren Sicherheitsschlüssel ein und berühren Sie ihn.',
  labelField: 'Name dieses Schlüssels',
  labelHint:
    'Zum Beispiel „Blauer Schlüssel am Schlüsselbund“. Leer lassen für einen Standardnamen.',
  signInTitle: 'Sicherheitsschlüssel verwenden',
  signInIntro: 'Stecken Sie Ihren Sicherheitsschlüssel ein und berühren Sie ihn.',
  button: 'Sicherheitsschlüssel verwenden',
  retry: 'Erneut versuchen',
  cancelled:
    'Der Sicherheitsschlüssel wurde nicht verwendet: Die Anfrage wurde abgebrochen, hat zu lange gedauert, oder der Schlüssel ist für dieses Konto nicht eingerichtet. Versuchen Sie es erneut, wenn Ihr Schlüssel bereit ist.',
  unsupported:
    'Dieser Browser kann keine Sicherheitsschlüssel verwenden. Nutzen Sie einen anderen Browser oder wählen Sie eine andere Methode.',
  alreadyRegistered:
    'Dieser Sicherheitsschlüssel ist für Ihr Konto schon eingerichtet. Verwenden Sie einen anderen.',
  failed: 'Ihr Sicherheitsschlüssel konnte nicht verwendet werden. Versuchen Sie es erneut.',
  needsScript:
    'Sicherheitsschlüssel brauchen JavaScript in diesem Browser. Schalten Sie es ein oder wählen Sie eine andere Methode.',
  refused:
    'Ihr Sicherheitsschlüssel wurde nicht angenommen. Versuchen Sie es erneut oder wählen Sie eine andere Methode.',
};
