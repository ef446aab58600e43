import { SMTPServer } from 'smtp-server';

/** A mail that reached the sink. */
export interface SunkMail {
  to: string[];
  raw: string;
}

/**
 * A real SMTP server on 127.0.0.1 (nodemailer's `smtp-server`) that keeps every mail it is
 * given; `stop()` closes it, so the port refuses connections again.
 */
export class SmtpSink {
  readonly mails: SunkMail[] = [];
  private server?: SMTPServer;

  constructor(readonly port: number) {}

  async start() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const to = session.envelope.rcptTo.map((address) => address.address);
          this.mails.push({ to, raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  async stop() {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  /** The mails to `to` whose subject contains `subject`. */
  received(to: string, subject: string): SunkMail[] {
    return this.mails.filter(
      (mail) => mail.to.includes(to) && /^Subject: (.*)$/m.exec(mail.raw)?.[1]?.includes(subject),
    );
  }
}
