import nodemailer from 'nodemailer';
import type { NotifyConfig } from '../config.ts';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface SmsMessage {
  to: string;
  text: string;
}

/** what happened to one message: 'sent', 'not configured', or 'failed: <why>' */
export type NotifyResult = string;

export interface Notifier {
  email(message: EmailMessage): Promise<NotifyResult>;
  sms(message: SmsMessage): Promise<NotifyResult>;
  close(): void;
}

const SMS_TIMEOUT_MS = 10_000;

export function createNotifier(config: NotifyConfig): Notifier {
  const transport = config.smtpHost
    ? nodemailer.createTransport({
      host: config.smtpHost,
      port: config.smtpPort,
      secure: config.smtpSecure,
      auth: config.smtpUser ? { user: config.smtpUser, pass: config.smtpPassword ?? '' } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
      // STARTTLS is used when offered; a relay with a self-signed certificate on a private
      // network needs SHIMING_SMTP_VERIFY_CERTIFICATE=false, never the default.
      tls: { rejectUnauthorized: config.smtpVerifyCertificate },
    })
    : undefined;

  return {
    async email(message) {
      if (!transport) return 'not configured';
      try {
        await transport.sendMail({ from: config.mailFrom, to: message.to, subject: message.subject, text: message.text });
        return 'sent';
      } catch (err) {
        return `failed: ${describe(err)}`;
      }
    },
    async sms(message) {
      if (!config.smsUrl) return 'not configured';
      try {
        const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
        if (config.smsToken) headers.authorization = `Bearer ${config.smsToken}`;
        const res = await fetch(config.smsUrl, {
          method: 'POST',
          headers,
          body: JSON.stringify({ to: message.to, text: message.text }),
          signal: AbortSignal.timeout(SMS_TIMEOUT_MS),
          redirect: 'error',
        });
        await res.arrayBuffer().catch(() => undefined);
        return res.ok ? 'sent' : `failed: HTTP ${res.status}`;
      } catch (err) {
        return `failed: ${describe(err)}`;
      }
    },
    close() {
      transport?.close();
    },
  };
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return String(e?.code ?? e?.message ?? err).slice(0, 200);
}
