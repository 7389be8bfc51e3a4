// Makes the OpenPGP.js fixtures in this folder with OpenPGP.js 6.3.2 and its
// default configuration, as a source's browser would. In a scratch folder:
//   npm install openpgp@6.3.2 && node gen.mjs /path/to/crypto/testdata/openpgpjs
import * as openpgp from 'openpgp';
import { readFileSync, writeFileSync } from 'node:fs';

const dir = process.argv[2];
const alice = await openpgp.readKey({ armoredKey: readFileSync(dir + '/../alice.pub.asc', 'utf8') });
const { privateKey, publicKey } = await openpgp.generateKey({
  userIDs: [{ name: 'Test OpenPGP.js', email: 'openpgpjs@example.org' }],
  passphrase: 'test',
  date: new Date('2025-01-01T00:00:00Z'),
});
writeFileSync(dir + '/key.pub.asc', publicKey);
writeFileSync(dir + '/key.sec.asc', privateKey);
const pub = await openpgp.readKey({ armoredKey: publicKey });

// The plaintext that the tests expect: 3000 lines.
const text = 'OpenPGP.js test message\n'.repeat(3000);
const bytes = new TextEncoder().encode(text);

const whole = await openpgp.encrypt({
  message: await openpgp.createMessage({ binary: bytes, format: 'binary' }),
  encryptionKeys: [alice, pub],
  format: 'binary',
});
writeFileSync(dir + '/alice-openpgpjs.pgp', whole);

// As a browser streams a file: a ReadableStream in 1000-byte pieces.
let off = 0;
const stream = new ReadableStream({
  pull(c) {
    if (off >= bytes.length) { c.close(); return; }
    c.enqueue(bytes.slice(off, off + 1000)); off += 1000;
  },
});
const streamed = await openpgp.encrypt({
  message: await openpgp.createMessage({ binary: stream, format: 'binary' }),
  encryptionKeys: [alice],
  format: 'binary',
});
const chunks = [];
for await (const c of streamed) chunks.push(c);
writeFileSync(dir + '/alice-stream.pgp', Buffer.concat(chunks));
