export { SoftwareYubikey, encodeOtp, type SoftwareYubikeyOptions } from './software-yubikey.js';
export { OfflineYubiCloud, type Fault, type KnownKey, type Answer } from './offline-yubicloud.js';
