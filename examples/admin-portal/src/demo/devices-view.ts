/**
 * The demo devices page's HTML: the software YubiKey to touch and the Duo emulator's pushes to
 * answer, for the person whose password this session passed. Every value is escaped.
 */
import { e } from '../http/html.js';

export const DEMO_DEVICES_PATH = '/demo/devices';

export interface WaitingPush {
  txid: string;
  deviceName: string;
  factor: 'push' | 'phone';
  verificationCode?: string;
}

export interface DevicesView {
  csrf: string;
  /** The person this page acts for (from the session), or none before the password. */
  email: string | undefined;
  yubikey: boolean;
  duo: boolean;
  /** The OTP the last touch typed, shown once. */
  otp: string | undefined;
  pushes: readonly WaitingPush[];
  /** A one-shot message after an answer (role="status") or a refusal (role="alert"). */
  message: { kind: 'status' | 'alert'; text: string } | undefined;
  /** Where the person came from: the second step while it is pending, else the home page. */
  backUrl: string;
}

const STAND_IN =
  `<p class="demo"><strong>Development stand-in.</strong> Nothing on this page is a real device: ` +
  `a software YubiKey and the offline Duo emulator run inside this portal because no real ` +
  `credentials are configured. With real Duo or YubiCloud credentials this page does not exist.</p>`;

function yubikeySection(v: DevicesView): string {
  const otp =
    v.otp === undefined
      ? ''
      : `<label for="demo-otp">One-time password from your demo YubiKey</label>` +
        `<input id="demo-otp" type="text" readonly value="${e(v.otp)}" size="48" autofocus ` +
        `aria-describedby="demo-otp-hint" spellcheck="false">` +
        `<p class="hint" id="demo-otp-hint">Copy it into the code field of the sign-in page. It works once: touch the key again for the next one.</p>`;
  return (
    `<section aria-labelledby="yubikey-heading"><h2 id="yubikey-heading">Demo YubiKey</h2>` +
    `<p>A real YubiKey types a 44-character one-time password when you touch it. This software ` +
    `stand-in does the same for your account; the offline YubiCloud in this portal checks it.</p>` +
    otp +
    `<form method="post" action="${DEMO_DEVICES_PATH}/yubikey"><input type="hidden" name="_csrf" value="${e(v.csrf)}">` +
    `<button type="submit"${v.otp === undefined ? ' autofocus' : ''}>Touch your demo YubiKey</button></form></section>`
  );
}

function pushRow(v: DevicesView, p: WaitingPush): string {
  const form = (decision: 'approve' | 'deny', label: string, cls: string) =>
    `<form class="inline" method="post" action="${DEMO_DEVICES_PATH}/duo">` +
    `<input type="hidden" name="_csrf" value="${e(v.csrf)}">` +
    `<input type="hidden" name="txid" value="${e(p.txid)}">` +
    `<input type="hidden" name="decision" value="${decision}">` +
    `<button type="submit"${cls}>${label}</button></form>`;
  const code =
    p.verificationCode === undefined ? '' : ` (verification code ${e(p.verificationCode)})`;
  return (
    `<li>${p.factor === 'push' ? 'Push' : 'Phone call'} to ${e(p.deviceName)}${code} ` +
    `${form('approve', 'Approve', '')} ${form('deny', 'Deny', ' class="danger"')}</li>`
  );
}

function duoSection(v: DevicesView): string {
  const pushes =
    v.pushes.length === 0
      ? `<p>No push is waiting for your account. Choose Duo on the sign-in page first, then reload this page.</p>`
      : `<ul aria-label="Pushes waiting for your answer">${v.pushes.map((p) => pushRow(v, p)).join('')}</ul>`;
  return (
    `<section aria-labelledby="duo-heading"><h2 id="duo-heading">Demo Duo</h2>` +
    `<p><strong>Duo Universal Prompt</strong> (the default): choosing Duo takes you to the ` +
    `emulator's prompt page, which has its own Approve and Deny buttons. Nothing to do here.</p>` +
    `<p><strong>Legacy Duo push</strong> (Auth API): the emulator's phone is this page. A push ` +
    `sent to your account waits below; approve or deny it, then press "Check again" on the ` +
    `sign-in page.</p>${pushes}</section>`
  );
}

export function devicesPage(v: DevicesView): string {
  const message =
    v.message === undefined
      ? ''
      : `<p role="${v.message.kind}" id="demo-message">${e(v.message.text)}</p>`;
  if (v.email === undefined)
    return (
      `<h1>Demo devices</h1>${STAND_IN}${message}` +
      `<p>This page acts for one account: <a href="/login" autofocus>sign in with your password first</a>, ` +
      `then come back here during the second step.</p>`
    );
  return (
    `<h1>Demo devices</h1>${STAND_IN}${message}` +
    `<p>For <strong>${e(v.email)}</strong>. <a href="${e(v.backUrl)}">Back to where you were</a></p>` +
    (v.yubikey ? yubikeySection(v) : '') +
    (v.duo ? duoSection(v) : '')
  );
}
