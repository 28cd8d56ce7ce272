import type { ApiErrorCode } from '../errors.js';
import { ENGLISH_ACCOUNT, GERMAN_ACCOUNT, type AccountWords } from './account-catalog.js';
import { ENGLISH_WEBAUTHN, GERMAN_WEBAUTHN, type WebauthnWords } from './webauthn-catalog.js';

/**
 * The words of the pages in one language. `{name}` marks a value filled in when the page is
 * rendered (see `fill`); every value is escaped after filling, so a message is plain text.
 */
export interface Catalog {
  readonly siteName: string;
  readonly signOut: string;
  /** The page a browser without a pending second step sees; its text is `NO_SECOND_STEP`'s. */
  readonly signInTitle: string;
  readonly signInLink: string;
  readonly submit: string;
  readonly back: string;
  readonly chooserTitle: string;
  readonly chooserIntro: string;
  /** `{name}`: the factor's label or the provider's name. */
  readonly useFactor: string;
  readonly useRecoveryCode: string;
  readonly challengeTitle: string;
  readonly challengeIntro: string;
  readonly codeLabel: string;
  /** `{digits}`: how many digits the code has. */
  readonly codeHint: string;
  /** `{days}`: how long the device is remembered. */
  readonly rememberDevice: string;
  readonly enrollChooserTitle: string;
  readonly enrollChooserIntro: string;
  /** `{name}`: the provider's name. */
  readonly setUp: string;
  readonly enrollTitle: string;
  readonly enrollIntro: string;
  readonly qrAlt: string;
  readonly manualKeyLabel: string;
  readonly enrollCodeLabel: string;
  readonly tokenTitle: string;
  readonly tokenIntro: string;
  readonly secretBase32Label: string;
  readonly secretHexLabel: string;
  readonly tokenSettings: string;
  readonly redirectTitle: string;
  readonly redirectIntro: string;
  readonly redirectLink: string;
  readonly pushTitle: string;
  readonly pushIntro: string;
  readonly checkAgain: string;
  readonly externalTitle: string;
  readonly externalIntro: string;
  readonly externalLink: string;
  readonly recoveryTitle: string;
  readonly recoveryIntro: string;
  readonly recoveryLabel: string;
  readonly codesTitle: string;
  readonly codesIntro: string;
  readonly codesContinue: string;
  readonly deniedTitle: string;
  readonly deniedIntro: string;
  /** `{time}`: a relative time from Intl.RelativeTimeFormat ("in 3 minutes"). */
  readonly retryIn: string;
  /** `{time}`: a clock time from Intl.DateTimeFormat ("10:42 UTC"). */
  readonly retryAt: string;
  readonly retryNever: string;
  /** Display names of providers by id; a provider not listed shows its id. */
  readonly providers: Readonly<Record<string, string>>;
  /** A message for every error code a route can answer with. */
  readonly errors: Readonly<Record<ApiErrorCode, string>>;
  /** The security-key pages (registration and sign-in). */
  readonly webauthn: WebauthnWords;
  /** The account pages (security settings, step-up). */
  readonly account: AccountWords;
}

/** What a host passes for a language: any messages, the rest from English. */
export type CatalogOverride = Partial<
  Omit<Catalog, 'providers' | 'errors' | 'webauthn' | 'account'>
> & {
  readonly providers?: Readonly<Record<string, string>>;
  readonly errors?: Partial<Readonly<Record<ApiErrorCode, string>>>;
  readonly webauthn?: Partial<WebauthnWords>;
  readonly account?: Partial<AccountWords>;
};

export const ENGLISH: Catalog = {
  siteName: 'Sign-in',
  signOut: 'Sign out',
  signInTitle: 'Sign in first',
  signInLink: 'Go to the sign-in page',
  submit: 'Continue',
  back: 'Back',
  chooserTitle: 'Confirm that it is you',
  chooserIntro: 'Choose how to confirm your sign-in.',
  useFactor: 'Use {name}',
  useRecoveryCode: 'Use a recovery code instead',
  challengeTitle: 'Enter your code',
  challengeIntro: 'Open your authenticator and enter the code it shows now.',
  codeLabel: 'Code',
  codeHint: 'The {digits}-digit code, without spaces.',
  rememberDevice: 'Remember this device for {days} days',
  enrollChooserTitle: 'Set up two-factor authentication',
  enrollChooserIntro: 'Your account needs a second factor. Choose one to set up.',
  setUp: 'Set up {name}',
  enrollTitle: 'Set up your authenticator app',
  enrollIntro: 'Scan the QR code with your authenticator app, or type the key by hand.',
  qrAlt: 'QR code for your authenticator app',
  manualKeyLabel: 'Key for manual entry',
  enrollCodeLabel: 'Code from the app',
  tokenTitle: 'Program your token',
  tokenIntro:
    'Program this secret into your token now. It is shown only this once. Then enter the code the token shows.',
  secretBase32Label: 'Secret (Base32)',
  secretHexLabel: 'Secret (hex)',
  tokenSettings: 'Settings',
  redirectTitle: 'Continue at your provider',
  redirectIntro: 'You confirm this sign-in on your provider’s page, then come back here.',
  redirectLink: 'Go to the confirmation page',
  pushTitle: 'Approve the request',
  pushIntro: 'We sent a request to your device. Approve it, then check again.',
  checkAgain: 'Check again',
  externalTitle: 'Finish setting up at your provider',
  externalIntro: 'Your provider sets up the factor on its own page. Come back here afterwards.',
  externalLink: 'Open the setup page',
  recoveryTitle: 'Enter a recovery code',
  recoveryIntro: 'Each recovery code works once.',
  recoveryLabel: 'Recovery code',
  codesTitle: 'Save your recovery codes',
  codesIntro:
    'If you lose your device, each of these codes lets you sign in once. They are shown only now: store them somewhere safe.',
  codesContinue: 'I have saved them, continue',
  deniedTitle: 'Sign-in is not possible',
  deniedIntro: 'Your account cannot complete its second step here. Contact your administrator.',
  retryIn: 'Try again {time}.',
  retryAt: 'Try again at {time}.',
  retryNever: 'An administrator must unlock your account.',
  providers: {
    totp: 'authenticator app',
    duo: 'Duo',
    yubikey: 'YubiKey',
    webauthn: 'security key',
  },
  errors: {
    CONFIG_INVALID: 'Something went wrong on our side. Try again later.',
    PROVIDER_REGISTRATION_INVALID: 'Something went wrong on our side. Try again later.',
    PROVIDER_NOT_FOUND: 'This method is not available.',
    PROVIDER_NOT_ALLOWED: 'This method is not allowed for your account.',
    NOT_ENROLLED: 'You have not set up this method.',
    ALREADY_ENROLLED: 'This method is already set up.',
    POLICY_DENIED: 'Your account may not sign in this way.',
    STEP_UP_REQUIRED: 'Confirm your second factor again first.',
    INVALID_FORMAT: 'That code does not look right. Check it and try again.',
    INVALID_CODE: 'That code is not correct. Try again.',
    CODE_ALREADY_USED: 'That code was already used. Wait for the next one.',
    RATE_LIMITED: 'Too many attempts.',
    LOCKED: 'Your account is locked after too many wrong codes.',
    CHALLENGE_NOT_FOUND: 'This step has ended. Start again.',
    CHALLENGE_EXPIRED: 'This step took too long. Start again.',
    STATE_MISMATCH: 'The answer did not belong to this sign-in. Start again.',
    USERNAME_MISMATCH: 'The answer belonged to another account. Start again.',
    PROVIDER_UNAVAILABLE: 'This method is not reachable right now. Try again later.',
    PROVIDER_ERROR: 'This method failed. Try again later.',
    PROVIDER_DENIED: 'The request was denied.',
    PUSH_RATE_LIMITED: 'Too many requests were sent to your device.',
    SECRET_DECRYPT_FAILED: 'Something went wrong on our side. Try again later.',
    STORE_UNAVAILABLE: 'Something went wrong on our side. Try again later.',
    INVALID_ARGUMENT: 'That input is not valid.',
    NOT_FOUND: 'There is no such page.',
    METHOD_NOT_ALLOWED: 'That action is not possible here.',
    INVALID_JSON: 'The form was not filled in correctly.',
    BODY_TOO_LARGE: 'The form was too large.',
    UNSUPPORTED_MEDIA_TYPE: 'The form was sent in a way we do not accept.',
    CSRF_INVALID: 'The form has expired. Reload the page and try again.',
    NO_SECOND_STEP: 'Sign in with your password first.',
    STATE_CHANGED: 'This sign-in was changed in another tab or window. Try again.',
    SECOND_FACTOR_REQUIRED: 'Confirm your second factor first.',
    ENROLLMENT_NOT_OFFERED: 'Setting up a method is not offered here.',
    PROMPT_NOT_RENDERED: 'This method cannot be used on these pages yet: choose another one.',
    IP_RATE_LIMITED: 'Too many requests from your network.',
    INTERNAL_ERROR: 'Something went wrong on our side. Try again later.',
  },
  webauthn: ENGLISH_WEBAUTHN,
  account: ENGLISH_ACCOUNT,
};

export const GERMAN: Catalog = {
  siteName: 'Anmeldung',
  signOut: 'Abmelden',
  signInTitle: 'Zuerst anmelden',
  signInLink: 'Zur Anmeldeseite',
  submit: 'Weiter',
  back: 'Zurück',
  chooserTitle: 'Bestätigen Sie, dass Sie es sind',
  chooserIntro: 'Wählen Sie, wie Sie Ihre Anmeldung bestätigen.',
  useFactor: '{name} verwenden',
  useRecoveryCode: 'Stattdessen einen Wiederherstellungscode verwenden',
  challengeTitle: 'Code eingeben',
  challengeIntro: 'Öffnen Sie Ihre Authenticator-App und geben Sie den angezeigten Code ein.',
  codeLabel: 'Code',
  codeHint: 'Der {digits}-stellige Code, ohne Leerzeichen.',
  rememberDevice: 'Dieses Gerät {days} Tage lang merken',
  enrollChooserTitle: 'Zwei-Faktor-Authentisierung einrichten',
  enrollChooserIntro: 'Ihr Konto braucht einen zweiten Faktor. Wählen Sie einen aus.',
  setUp: '{name} einrichten',
  enrollTitle: 'Authenticator-App einrichten',
  enrollIntro:
    'Scannen Sie den QR-Code mit Ihrer Authenticator-App oder geben Sie den Schlüssel von Hand ein.',
  qrAlt: 'QR-Code für Ihre Authenticator-App',
  manualKeyLabel: 'Schlüssel zur manuellen Eingabe',
  enrollCodeLabel: 'Code aus der App',
  tokenTitle: 'Token programmieren',
  tokenIntro:
    'Programmieren Sie dieses Geheimnis jetzt in Ihr Token. Es wird nur dieses eine Mal angezeigt. Geben Sie dann den Code des Tokens ein.',
  secretBase32Label: 'Geheimnis (Base32)',
  secretHexLabel: 'Geheimnis (hex)',
  tokenSettings: 'Einstellungen',
  redirectTitle: 'Weiter bei Ihrem Anbieter',
  redirectIntro:
    'Sie bestätigen diese Anmeldung auf der Seite Ihres Anbieters und kommen dann hierher zurück.',
  redirectLink: 'Zur Bestätigungsseite',
  pushTitle: 'Anfrage bestätigen',
  pushIntro:
    'Wir haben eine Anfrage an Ihr Gerät gesendet. Bestätigen Sie sie und prüfen Sie dann erneut.',
  checkAgain: 'Erneut prüfen',
  externalTitle: 'Einrichtung bei Ihrem Anbieter abschließen',
  externalIntro:
    'Ihr Anbieter richtet den Faktor auf seiner eigenen Seite ein. Kommen Sie danach hierher zurück.',
  externalLink: 'Einrichtungsseite öffnen',
  recoveryTitle: 'Wiederherstellungscode eingeben',
  recoveryIntro: 'Jeder Wiederherstellungscode gilt einmal.',
  recoveryLabel: 'Wiederherstellungscode',
  codesTitle: 'Wiederherstellungscodes sichern',
  codesIntro:
    'Falls Sie Ihr Gerät verlieren, können Sie sich mit jedem dieser Codes einmal anmelden. Sie werden nur jetzt angezeigt: Bewahren Sie sie sicher auf.',
  codesContinue: 'Gesichert, weiter',
  deniedTitle: 'Anmeldung nicht möglich',
  deniedIntro:
    'Ihr Konto kann den zweiten Schritt hier nicht abschließen. Wenden Sie sich an Ihre Administration.',
  retryIn: 'Versuchen Sie es {time} erneut.',
  retryAt: 'Versuchen Sie es um {time} erneut.',
  retryNever: 'Eine Administratorin oder ein Administrator muss Ihr Konto entsperren.',
  providers: {
    totp: 'Authenticator-App',
    duo: 'Duo',
    yubikey: 'YubiKey',
    webauthn: 'Sicherheitsschlüssel',
  },
  errors: {
    CONFIG_INVALID: 'Bei uns ist ein Fehler aufgetreten. Versuchen Sie es später erneut.',
    PROVIDER_REGISTRATION_INVALID:
      'Bei uns ist ein Fehler aufgetreten. Versuchen Sie es später erneut.',
    PROVIDER_NOT_FOUND: 'Diese Methode ist nicht verfügbar.',
    PROVIDER_NOT_ALLOWED: 'Diese Methode ist für Ihr Konto nicht erlaubt.',
    NOT_ENROLLED: 'Sie haben diese Methode nicht eingerichtet.',
    ALREADY_ENROLLED: 'Diese Methode ist bereits eingerichtet.',
    POLICY_DENIED: 'Ihr Konto darf sich auf diese Weise nicht anmelden.',
    STEP_UP_REQUIRED: 'Bestätigen Sie zuerst erneut Ihren zweiten Faktor.',
    INVALID_FORMAT:
      'Dieser Code sieht nicht richtig aus. Prüfen Sie ihn und versuchen Sie es erneut.',
    INVALID_CODE: 'Dieser Code ist nicht korrekt. Versuchen Sie es erneut.',
    CODE_ALREADY_USED: 'Dieser Code wurde schon verwendet. Warten Sie auf den nächsten.',
    RATE_LIMITED: 'Zu viele Versuche.',
    LOCKED: 'Ihr Konto ist nach zu vielen falschen Codes gesperrt.',
    CHALLENGE_NOT_FOUND: 'Dieser Schritt ist beendet. Beginnen Sie erneut.',
    CHALLENGE_EXPIRED: 'Dieser Schritt hat zu lange gedauert. Beginnen Sie erneut.',
    STATE_MISMATCH: 'Die Antwort gehörte nicht zu dieser Anmeldung. Beginnen Sie erneut.',
    USERNAME_MISMATCH: 'Die Antwort gehörte zu einem anderen Konto. Beginnen Sie erneut.',
    PROVIDER_UNAVAILABLE:
      'Diese Methode ist gerade nicht erreichbar. Versuchen Sie es später erneut.',
    PROVIDER_ERROR: 'Diese Methode ist fehlgeschlagen. Versuchen Sie es später erneut.',
    PROVIDER_DENIED: 'Die Anfrage wurde abgelehnt.',
    PUSH_RATE_LIMITED: 'Es wurden zu viele Anfragen an Ihr Gerät gesendet.',
    SECRET_DECRYPT_FAILED: 'Bei uns ist ein Fehler aufgetreten. Versuchen Sie es später erneut.',
    STORE_UNAVAILABLE: 'Bei uns ist ein Fehler aufgetreten. Versuchen Sie es später erneut.',
    INVALID_ARGUMENT: 'Diese Eingabe ist ungültig.',
    NOT_FOUND: 'Diese Seite gibt es nicht.',
    METHOD_NOT_ALLOWED: 'Diese Aktion ist hier nicht möglich.',
    INVALID_JSON: 'Das Formular wurde nicht richtig ausgefüllt.',
    BODY_TOO_LARGE: 'Das Formular war zu groß.',
    UNSUPPORTED_MEDIA_TYPE: 'Das Formular wurde in einer Form gesendet, die wir nicht annehmen.',
    CSRF_INVALID:
      'Das Formular ist abgelaufen. Laden Sie die Seite neu und versuchen Sie es erneut.',
    NO_SECOND_STEP: 'Melden Sie sich zuerst mit Ihrem Passwort an.',
    STATE_CHANGED:
      'Diese Anmeldung wurde in einem anderen Tab oder Fenster geändert. Versuchen Sie es erneut.',
    SECOND_FACTOR_REQUIRED: 'Bestätigen Sie zuerst Ihren zweiten Faktor.',
    ENROLLMENT_NOT_OFFERED: 'Das Einrichten einer Methode wird hier nicht angeboten.',
    PROMPT_NOT_RENDERED:
      'Diese Methode ist auf diesen Seiten noch nicht nutzbar: wählen Sie eine andere.',
    IP_RATE_LIMITED: 'Zu viele Anfragen aus Ihrem Netzwerk.',
    INTERNAL_ERROR: 'Bei uns ist ein Fehler aufgetreten. Versuchen Sie es später erneut.',
  },
  webauthn: GERMAN_WEBAUTHN,
  account: GERMAN_ACCOUNT,
};

/** The built-in catalogs by language tag. */
export const BUILT_IN_CATALOGS: Readonly<Record<string, Catalog>> = { en: ENGLISH, de: GERMAN };

/**
 * Fills `{name}` markers. Hand-written because the catalogs need only named values, no plurals
 * (counts and times come already worded from Intl).
 */
export function fill(message: string, values: Readonly<Record<string, string | number>>): string {
  return message.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? String(values[name]) : whole,
  );
}
