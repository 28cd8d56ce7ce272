import { ClockCodeProvider } from './clock-code-provider.js';

/** A second code provider, so a user can hold one factor while using or binding another. */
export class SecondCodeProvider extends ClockCodeProvider {
  override readonly id: string = 'clock-two';
  override readonly displayName: string = 'Second code';
}
