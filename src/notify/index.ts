// Outgoing messages to people: e-mail over SMTP and SMS through an HTTP gateway. Both are given
// in the config; when one is not configured, sending it reports `not configured` instead of
// failing, so a warning is still recorded and shown in the console.
export { createNotifier, type Notifier, type NotifyResult, type EmailMessage, type SmsMessage } from './notifier.ts';
export type { NotifyConfig } from '../config.ts';
