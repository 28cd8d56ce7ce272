export {
  SoftwareAuthenticator,
  type AuthenticatorOptions,
  type CounterMode,
  type Tamper,
} from './software-authenticator.js';
export {
  TestAttestationCa,
  type AttestationCertOptions,
  type AttestationIdentity,
  type CaOptions,
  type Validity,
} from './attestation-ca.js';
