import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { declaredCharset, decodeMessage } from '../hl7v2/charset.ts';
import { MllpClient } from '../hl7v2/mllp/client.ts';
import { splitMessages } from '../hl7v2/messageFile.ts';
import { UsageError } from './args.ts';

export const sendHelp = `hie send: send a file of HL7 v2 messages over MLLP and print each acknowledgement

Usage: hie send FILE... --to HOST:PORT [options]

The file holds one or more messages, each starting with an MSH line (CR or LF line ends), or
MLLP-framed messages. Bytes are sent as they are, so ISO-2022-JP files stay ISO-2022-JP.

Options:
  --to HOST:PORT     the receiver (e.g. localhost:2575)
  --tls              connect with TLS
  --ca FILE          CA certificate to trust (PEM); --cert FILE and --key FILE for a client certificate
  --timeout MS       how long to wait for each acknowledgement (default 30000)
  -h, --help         this text

Exit status: 0 when every message was answered AA or CA, 1 otherwise.
`;

export async function send(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      to: { type: 'string' },
      tls: { type: 'boolean' },
      ca: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(sendHelp);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('hie send: name at least one FILE');
  const m = /^(.+):(\d+)$/.exec(values.to ?? '');
  if (!m) throw new UsageError('hie send: --to HOST:PORT is required');
  const useTls = values.tls || !!values.ca || !!values.cert;
  const client = await MllpClient.connect({
    host: m[1],
    port: Number(m[2]),
    replyTimeoutMs: values.timeout ? Number(values.timeout) : 30_000,
    tls: useTls
      ? {
          ca: values.ca ? fs.readFileSync(values.ca) : undefined,
          cert: values.cert ? fs.readFileSync(values.cert) : undefined,
          key: values.key ? fs.readFileSync(values.key) : undefined,
          servername: m[1],
        }
      : undefined,
  });
  let allAccepted = true;
  try {
    for (const file of positionals) {
      for (const msg of splitMessages(fs.readFileSync(file))) {
        const reply = await client.send(msg);
        let text: string;
        try {
          text = decodeMessage(reply, declaredCharset(reply, 'utf-8').charset);
        } catch {
          text = reply.toString('latin1');
        }
        process.stdout.write(text.replace(/\r/g, '\n') + '\n');
        const msa = /(?:^|[\r\n])MSA\|([A-Z]{2})/.exec(text);
        if (!msa || (msa[1] !== 'AA' && msa[1] !== 'CA')) allAccepted = false;
      }
    }
  } finally {
    await client.close();
  }
  return allAccepted ? 0 : 1;
}
