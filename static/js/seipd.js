// The SEIPD v1 writer of the pages that encrypt in the browser: the same
// message as the server's (crypto/seipd1.go), byte for byte in its shape,
// and as OpenPGP.js writes it for the same keys (RFC 9580, 5.13.1, CFB with
// MDC): the key packets, then an encrypted data packet of version 1 holding
// the random prefix, a literal data packet (binary, no file name, the date
// 0) and the MDC packet, both packets cut into partial body lengths of
// 256 KiB. GnuPG, go-crypto and OpenPGP.js read it (crypto/seipdjs_test.go).
//
// Why not openpgp.encrypt: on a file's stream it took 4.9–6.7 s for 128 MiB
// in Chromium, this writer 2.3–2.9 s in the same page (2026-12-06), and
// beside the upload, the file's hash and the proofs of work OpenPGP.js
// slowed down further. Its time goes around the cipher: each piece of the
// file through several layers of streams, copies, a byte-by-byte XOR and
// a SHA-1 at 160 MB/s (in Node). Here AES runs in WebCrypto a MiB at a
// time (CFB made from AES-CBC, as OpenPGP.js itself does), and the XOR and
// the SHA-1 (280 MB/s in Node) work on 32-bit words.
//
//   const message = await encryptFile({ openpgp, Sha1 }, encryptionKeys, file); // a ReadableStream
//
// It imports nothing: the worker imports each module only after checking
// it against the page's pinned integrity (crypto-worker.js), and hands
// encryptFile OpenPGP.js and hash.js's Sha1.

// CHUNK is the partial body length of both packets, as crypto/seipd1.go's
// seipdChunk: a power of two, and at least 512.
const CHUNK = 256 << 10;
const PARTIAL = 0xe0 | 18; // the partial body length octet of CHUNK

// BATCH is how many bytes of the encrypted packet's plaintext go to
// WebCrypto at a time.
const BATCH = 1 << 20;

const BLOCK = 16; // the AES block
const SEIPD_TAG = 0xc0 | 18;
const LITERAL_TAG = 0xc0 | 11;
const MDC_HEADER = [0xc0 | 19, 20];
// The literal data packet's body starts with its format 'b' (binary), an
// empty file name and the date 0.
const LITERAL_HEADER = [0x62, 0, 0, 0, 0, 0];

// encryptFile returns a ReadableStream of plain (a Blob) encrypted to
// encryptionKeys (OpenPGP.js keys), a binary OpenPGP message whose literal
// data packet holds no file name and a zero date: openpgp.encrypt's
// message, as OpenPGP.js splits it. OpenPGP.js (the module openpgp) makes
// the session key, with the cipher it chooses from the keys' preferences,
// and its key packets; seipdStream the encrypted packet, with Sha1 (from
// hash.js) for its MDC. Keys that all ask for SEIPD v2 (RFC 9580 keys) get
// OpenPGP.js's own message in that format.
export async function encryptFile({ openpgp, Sha1 }, encryptionKeys, plain) {
  const { data, algorithm, aeadAlgorithm } = await openpgp.generateSessionKey({ encryptionKeys });
  if (aeadAlgorithm) {
    const message = await openpgp.createMessage({ binary: plain.stream(), format: "binary", date: new Date(0) });
    return openpgp.encrypt({ message, encryptionKeys, format: "binary" });
  }
  const keyPackets = await openpgp.encryptSessionKey({ data, algorithm, encryptionKeys, format: "binary" });
  return seipdStream(keyPackets, data, plain, new Sha1());
}

// seipdStream returns a ReadableStream of the binary OpenPGP message:
// keyPackets (the public-key encrypted session key packets, bytes), then
// plaintext (a Blob) encrypted with sessionKey (AES, 16 or 32 bytes) into
// a SEIPD v1 packet whose MDC mdc (a new SHA-1) computes. It reads and
// encrypts a step at a time as the stream is read, and fails if plaintext
// does not hold plaintext.size bytes.
function seipdStream(keyPackets, sessionKey, plaintext, mdc) {
  const steps = seipdSteps(keyPackets, sessionKey, plaintext, mdc);
  return new ReadableStream({
    async pull(ctl) {
      const { value, done } = await steps.next();
      if (done) ctl.close();
      else for (const piece of value) ctl.enqueue(piece);
    },
    async cancel() {
      await steps.return();
    },
  }, { highWaterMark: 0 });
}

// seipdSteps yields the message as lists of pieces (Uint8Arrays that are
// not changed afterwards).
async function* seipdSteps(keyPackets, sessionKey, plaintext, mdc) {
  const literalLength = LITERAL_HEADER.length + plaintext.size;
  const innerLength = BLOCK + 2 + 1 + framedLength(literalLength) + MDC_HEADER.length + 20;
  const cfb = new CfbBatches(await crypto.subtle.importKey("raw", sessionKey, "AES-CBC", false, ["encrypt"]), mdc);
  sessionKey.fill(0); // its key packets are made, and the CryptoKey holds it
  const out = [keyPackets, new Uint8Array([SEIPD_TAG])];
  const sealed = new Framer(1 + innerLength, (bytes) => out.push(bytes));
  sealed.write(new Uint8Array([1])); // the packet's version

  // The plaintext of the encrypted packet: the prefix (random, its last
  // two bytes repeated), the literal packet and the MDC packet; all of it
  // but the MDC's own hash goes into the hash.
  const prefix = crypto.getRandomValues(new Uint8Array(BLOCK + 2));
  prefix.copyWithin(BLOCK, BLOCK - 2, BLOCK);
  cfb.write(prefix);
  cfb.write(new Uint8Array([LITERAL_TAG]));
  const literal = new Framer(literalLength, (bytes) => cfb.write(bytes));
  literal.write(new Uint8Array(LITERAL_HEADER));

  const reader = plaintext.stream().getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      literal.write(value);
      if (cfb.ready()) {
        sealed.write(await cfb.encrypt(false));
        yield out.splice(0);
      }
    }
  } finally {
    await reader.cancel(); // a no-op once the file was read to its end
  }
  literal.end();
  cfb.write(new Uint8Array(MDC_HEADER));
  cfb.seal();
  sealed.write(await cfb.encrypt(true));
  sealed.end();
  yield out;
}

const CHANGED = "the file changed while it was read";

// Framer cuts a packet body of a known length into partial body lengths
// of CHUNK bytes and a last, shorter one (RFC 9580, 4.2.1.4), as
// crypto/seipd1.go does: a chunk of CHUNK bytes is partial even when it
// ends the body, which then ends with a length of 0. It hands each length
// header and piece of body to emit, in order, and fails on a body longer
// or shorter than announced.
class Framer {
  constructor(length, emit) {
    this.length = length;
    this.emit = emit;
    this.written = 0;
    this.nextHeader = 0; // where the next length header goes
  }

  write(bytes) {
    if (this.written + bytes.length > this.length) throw new Error(CHANGED);
    while (bytes.length > 0) {
      this.header();
      const n = Math.min(bytes.length, this.nextHeader - this.written);
      this.emit(bytes.subarray(0, n));
      this.written += n;
      bytes = bytes.subarray(n);
    }
  }

  // end writes the last header if the body ended on a chunk's boundary.
  end() {
    if (this.written !== this.length) throw new Error(CHANGED);
    this.header();
  }

  header() {
    if (this.written !== this.nextHeader) return;
    const left = this.length - this.written;
    this.emit(left >= CHUNK ? new Uint8Array([PARTIAL]) : new Uint8Array(lengthOctets(left)));
    this.nextHeader += CHUNK;
  }
}

// framedLength is the length of a body of n bytes with the length headers
// Framer puts in it.
function framedLength(n) {
  const whole = Math.floor(n / CHUNK);
  return n + whole + lengthOctets(n - whole * CHUNK).length;
}

// lengthOctets is the new-format body length of n (RFC 9580, 4.2.1).
function lengthOctets(n) {
  if (n < 192) return [n];
  if (n < 8384) return [((n - 192) >> 8) + 192, (n - 192) & 0xff];
  return [0xff, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

// CfbBatches encrypts in CFB mode with a zero IV (SEIPD v1) what is
// written to it, in batches of about BATCH bytes, and hashes it into the
// MDC's SHA-1 (mdc) until seal. CFB's keystream is AES of the ciphertext
// block before, which AES-CBC over the block before and the plaintext
// blocks gives (each CBC output is AES of a plaintext block XOR the
// previous output, that is of a ciphertext block); the CBC output XOR the
// plaintext is the ciphertext.
class CfbBatches {
  constructor(key, mdc) {
    this.key = key;
    this.mdc = mdc;
    this.hashing = true;
    // The block before (the last ciphertext block, zero at first), then
    // the plaintext waiting.
    this.buf = new Uint8Array(BLOCK + BATCH + CHUNK);
    this.fill = BLOCK;
  }

  write(bytes) {
    if (this.hashing) this.mdc.update(bytes);
    for (let i = 0; i < bytes.length;) {
      if (this.fill === this.buf.length) this.grow();
      const n = Math.min(bytes.length - i, this.buf.length - this.fill);
      this.buf.set(bytes.subarray(i, i + n), this.fill);
      this.fill += n;
      i += n;
    }
  }

  grow() {
    const bigger = new Uint8Array(this.buf.length * 2);
    bigger.set(this.buf);
    this.buf = bigger;
  }

  // ready reports whether a batch is waiting.
  ready() {
    return this.fill - BLOCK >= BATCH;
  }

  // seal appends the MDC's hash (not hashed itself): nothing may follow.
  seal() {
    const sum = this.mdc.digest();
    this.hashing = false;
    this.write(sum);
  }

  // encrypt returns the ciphertext of the plaintext waiting: its whole
  // blocks, or all of it if last.
  async encrypt(last) {
    const n = this.fill - BLOCK;
    const take = last ? n : n - (n % BLOCK);
    const blocks = Math.ceil(take / BLOCK);
    // CBC over the block before and every block but the last taken; its
    // last output block is the keystream of the last block taken.
    const out = await crypto.subtle.encrypt({ name: "AES-CBC", iv: new Uint8Array(BLOCK) }, this.key,
      this.buf.subarray(0, blocks * BLOCK));
    const sealed = new Uint8Array(out, 0, take);
    xorInto(sealed, this.buf.subarray(BLOCK, BLOCK + take));
    if (!last) {
      // The last ciphertext block, then the plaintext not taken.
      this.buf.set(sealed.subarray(take - BLOCK), 0);
      this.buf.copyWithin(BLOCK, BLOCK + take, this.fill);
      this.fill -= take;
    }
    return sealed;
  }
}

// xorInto sets dst to dst XOR src (of the same length), four bytes at a
// time where both are aligned.
function xorInto(dst, src) {
  let i = 0;
  if (dst.byteOffset % 4 === 0 && src.byteOffset % 4 === 0) {
    const words = dst.length >> 2;
    const d = new Int32Array(dst.buffer, dst.byteOffset, words);
    const s = new Int32Array(src.buffer, src.byteOffset, words);
    for (let j = 0; j < words; j++) d[j] ^= s[j];
    i = words * 4;
  }
  for (; i < dst.length; i++) dst[i] ^= src[i];
}
