/**
 * The words of the account pages ("Security settings" and "Confirm it's you"), kept beside the
 * main catalog as one nested part, like the security-key words, so a host can override any of
 * them alone (`locales.de.account.title`). `{name}` marks a value filled in at render time.
 */
export interface AccountWords {
  readonly title: string;
  readonly intro: string;
  readonly factorsHeading: string;
  readonly noFactors: string;
  /** `{date}`: when the factor was added. */
  readonly added: string;
  /** `{date}`: when the factor last answered a challenge. */
  readonly lastUsed: string;
  readonly neverUsed: string;
  /** `{name}`: the factor's name; the label of its rename field. */
  readonly renameLabel: string;
  readonly rename: string;
  /** `{name}`: the factor's name (a button's accessible name must say which factor). */
  readonly remove: string;
  readonly addHeading: string;
  readonly nothingToAdd: string;
  /** `{name}`: the provider's name. */
  readonly add: string;
  readonly codesHeading: string;
  /** `{count}`: recovery codes left. */
  readonly codesLeft: string;
  readonly codesLow: string;
  readonly regenerate: string;
  readonly devicesHeading: string;
  readonly noDevices: string;
  /** `{date}`: when the device stops being remembered. */
  readonly deviceUntil: string;
  readonly defaultDevice: string;
  /** `{name}`: the device's name. */
  readonly forget: string;
  readonly forgetAll: string;
  readonly activityHeading: string;
  readonly noActivity: string;
  readonly older: string;
  readonly newest: string;
  /** `{ip}`: the address the change came from. */
  readonly fromIp: string;
  readonly turnOffHeading: string;
  readonly turnOffIntro: string;
  readonly turnOff: string;
  readonly stepUpTitle: string;
  readonly stepUpIntro: string;
  readonly stepUpNoFactor: string;
  readonly backToAccount: string;
  /** Shown once after a change (post/redirect/get), by the change's name. */
  readonly notices: Readonly<Record<AccountNotice, string>>;
  /** Timeline entry names by core's audit event type; an unknown type shows as itself. */
  readonly events: Readonly<Record<string, string>>;
}

/** The changes an account page reports once it made them. */
export type AccountNotice =
  'confirmed' | 'renamed' | 'removed' | 'added' | 'forgotten' | 'allForgotten' | 'turnedOff';

export const ENGLISH_ACCOUNT: AccountWords = {
  title: 'Security settings',
  intro: 'Manage how you confirm your sign-in. Every change asks you to confirm it is you.',
  factorsHeading: 'Your sign-in methods',
  noFactors: 'You have no second sign-in method.',
  added: 'Added {date}',
  lastUsed: 'last used {date}',
  neverUsed: 'not used yet',
  renameLabel: 'New name for {name}',
  rename: 'Rename',
  remove: 'Remove {name}',
  addHeading: 'Add a method',
  nothingToAdd: 'There is no other method you can add.',
  add: 'Add {name}',
  codesHeading: 'Recovery codes',
  codesLeft: 'Recovery codes left: {count}.',
  codesLow: 'You are running out of recovery codes: generate new ones.',
  regenerate: 'Generate new codes',
  devicesHeading: 'Remembered devices',
  noDevices: 'No device is remembered.',
  deviceUntil: 'remembered until {date}',
  defaultDevice: 'Browser',
  forget: 'Forget {name}',
  forgetAll: 'Forget all devices',
  activityHeading: 'Recent security activity',
  noActivity: 'Nothing yet.',
  older: 'Older activity',
  newest: 'Newest activity',
  fromIp: 'from {ip}',
  turnOffHeading: 'Two-factor authentication',
  turnOffIntro: 'Turning it off removes all your sign-in methods and recovery codes.',
  turnOff: 'Turn off two-factor authentication',
  stepUpTitle: 'Confirm it’s you',
  stepUpIntro: 'Before this change, confirm it is you with one of your methods.',
  stepUpNoFactor: 'You have no method to confirm with here. Contact your administrator.',
  backToAccount: 'Back to security settings',
  notices: {
    confirmed: 'Thank you, it is confirmed. Now make your change.',
    renamed: 'The method was renamed.',
    removed: 'The method was removed.',
    added: 'The method was added.',
    forgotten: 'The device was forgotten.',
    allForgotten: 'All remembered devices were forgotten.',
    turnedOff: 'Two-factor authentication is off.',
  },
  events: {
    activated: 'Method added',
    deactivated: 'Method removed',
    'enrollment.renamed': 'Method renamed',
    'device.remembered': 'Device remembered',
    'device.revoked': 'Device forgotten',
    'recovery.used': 'Recovery code used',
    'recovery.regenerated': 'New recovery codes generated',
    locked: 'Account locked',
    'admin.reset': 'Reset by an administrator',
    'admin.unlocked': 'Unlocked by an administrator',
    'replay.rejected': 'A used code was refused',
    'clone.suspected': 'A security key may have been copied',
    'push.unanswered': 'Requests went unanswered',
  },
};

export const GERMAN_ACCOUNT: AccountWords = {
  title: 'Sicherheitseinstellungen',
  intro:
    'Verwalten Sie, wie Sie Ihre Anmeldung bestätigen. Jede Änderung fragt, ob Sie es wirklich sind.',
  factorsHeading: 'Ihre Anmeldemethoden',
  noFactors: 'Sie haben keine zweite Anmeldemethode.',
  added: 'Hinzugefügt {date}',
  lastUsed: 'zuletzt verwendet {date}',
  neverUsed: 'noch nicht verwendet',
  renameLabel: 'Neuer Name für {name}',
  rename: 'Umbenennen',
  remove: '{name} entfernen',
  addHeading: 'Methode hinzufügen',
  nothingToAdd: 'Sie können keine weitere Methode hinzufügen.',
  add: '{name} hinzufügen',
  codesHeading: 'Wiederherstellungscodes',
  codesLeft: 'Verbleibende Wiederherstellungscodes: {count}.',
  codesLow: 'Ihre Wiederherstellungscodes gehen zur Neige: Erzeugen Sie neue.',
  regenerate: 'Neue Codes erzeugen',
  devicesHeading: 'Gemerkte Geräte',
  noDevices: 'Kein Gerät ist gemerkt.',
  deviceUntil: 'gemerkt bis {date}',
  defaultDevice: 'Browser',
  forget: '{name} vergessen',
  forgetAll: 'Alle Geräte vergessen',
  activityHeading: 'Letzte Sicherheitsaktivität',
  noActivity: 'Noch nichts.',
  older: 'Ältere Aktivität',
  newest: 'Neueste Aktivität',
  fromIp: 'von {ip}',
  turnOffHeading: 'Zwei-Faktor-Authentisierung',
  turnOffIntro:
    'Wenn Sie sie ausschalten, werden alle Anmeldemethoden und Wiederherstellungscodes entfernt.',
  turnOff: 'Zwei-Faktor-Authentisierung ausschalten',
  stepUpTitle: 'Bestätigen Sie, dass Sie es sind',
  stepUpIntro: 'Bestätigen Sie vor dieser Änderung mit einer Ihrer Methoden, dass Sie es sind.',
  stepUpNoFactor:
    'Sie haben hier keine Methode zum Bestätigen. Wenden Sie sich an Ihre Administration.',
  backToAccount: 'Zurück zu den Sicherheitseinstellungen',
  notices: {
    confirmed: 'Danke, bestätigt. Nehmen Sie jetzt Ihre Änderung vor.',
    renamed: 'Die Methode wurde umbenannt.',
    removed: 'Die Methode wurde entfernt.',
    added: 'Die Methode wurde hinzugefügt.',
    forgotten: 'Das Gerät wurde vergessen.',
    allForgotten: 'Alle gemerkten Geräte wurden vergessen.',
    turnedOff: 'Die Zwei-Faktor-Authentisierung ist ausgeschaltet.',
  },
  events: {
    activated: 'Methode hinzugefügt',
    deactivated: 'Methode entfernt',
    'enrollment.renamed': 'Methode umbenannt',
    'device.remembered': 'Gerät gemerkt',
    'device.revoked': 'Gerät vergessen',
    'recovery.used': 'Wiederherstellungscode verwendet',
    'recovery.regenerated': 'Neue Wiederherstellungscodes erzeugt',
    locked: 'Konto gesperrt',
    'admin.reset': 'Von der Administration zurückgesetzt',
    'admin.unlocked': 'Von der Administration entsperrt',
    'replay.rejected': 'Ein verwendeter Code wurde abgelehnt',
    'clone.suspected': 'Ein Sicherheitsschlüssel wurde vielleicht kopiert',
    'push.unanswered': 'Anfragen blieben unbeantwortet',
  },
};
