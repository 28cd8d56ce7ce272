export {
  SoftwareAuthenticator,
  type AuthenticatorOptions,
  type CounterMode,
  type Tamper,
} from './software-authenticator.js';
