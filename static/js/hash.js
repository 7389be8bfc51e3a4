// The hashes the pages compute in pieces, as files stream through
// encryption: SHA-256 (FIPS 180-4) of files and for the proof of work, and
// SHA-1 for the MDC of SEIPD v1 (seipd.js). WebCrypto's digest() wants the
// whole input at once, which for a large file would mean holding it all
// in memory.
//
//   const h = new Sha256();
//   h.update(bytes); h.update(more);
//   h.hex(); // "e3b0c442…"

// Every word array is an Int32Array, never a Uint32Array: V8 keeps int32
// values as small integers, but a uint32 of 2^31 or more read from a
// Uint32Array becomes a double, and the hash ran at half the speed (93
// against 183 MB/s in Node, 2026-12-06). The bits are the same; the
// digest's DataView writes them back as unsigned.
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// BlockHash is what SHA-256 and SHA-1 share: the input cut into 64-byte
// blocks for compress, and the padding that ends it with its length in
// bits. A subclass gives the initial state h (an Int32Array, whose words
// are the digest) and compress(p, off), which adds the block of p at off
// to h.
class BlockHash {
  constructor(h) {
    this.h = h;
    this.block = new Uint8Array(64);
    this.fill = 0; // bytes waiting in block
    this.length = 0; // bytes hashed in all
    this.done = false;
  }

  // update adds bytes (a Uint8Array) to the input.
  update(bytes) {
    if (this.done) throw new Error("hash: update after digest");
    this.length += bytes.length;
    let i = 0;
    if (this.fill > 0) {
      const take = Math.min(64 - this.fill, bytes.length);
      this.block.set(bytes.subarray(0, take), this.fill);
      this.fill += take;
      i = take;
      if (this.fill < 64) return this;
      this.compress(this.block, 0);
      this.fill = 0;
    }
    for (; i + 64 <= bytes.length; i += 64) this.compress(bytes, i);
    if (i < bytes.length) {
      this.block.set(bytes.subarray(i), 0);
      this.fill = bytes.length - i;
    }
    return this;
  }

  // digest finishes the hash and returns its bytes: 4 for each word of h.
  digest() {
    if (!this.done) {
      const bits = this.length * 8;
      const pad = new Uint8Array((this.fill < 56 ? 64 : 128) - this.fill);
      pad[0] = 0x80;
      const view = new DataView(pad.buffer);
      view.setUint32(pad.length - 8, Math.floor(bits / 0x100000000));
      view.setUint32(pad.length - 4, bits >>> 0);
      this.update(pad);
      this.done = true;
    }
    const out = new Uint8Array(this.h.length * 4);
    const view = new DataView(out.buffer);
    for (let j = 0; j < this.h.length; j++) view.setUint32(j * 4, this.h[j]);
    return out;
  }

  // hex finishes the hash and returns it as lowercase hex.
  hex() {
    return Array.from(this.digest(), (b) => b.toString(16).padStart(2, "0")).join("");
  }
}

// Sha256 is SHA-256 (FIPS 180-4): of files, for their manifests, and
// for the proof of work (solvePow).
export class Sha256 extends BlockHash {
  constructor() {
    super(new Int32Array([
      0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]));
    this.w = new Int32Array(64);
  }

  compress(p, off) {
    schedule(p, off, this.w);
    rounds(this.h, this.w);
  }
}

// Sha1 is SHA-1 (FIPS 180-4): the MDC of SEIPD v1 (seipd.js), its only
// use here.
export class Sha1 extends BlockHash {
  constructor() {
    super(new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]));
    this.w = new Int32Array(80);
  }

  compress(p, off) {
    const w = this.w;
    for (let t = 0; t < 16; t++, off += 4) {
      w[t] = (p[off] << 24) | (p[off + 1] << 16) | (p[off + 2] << 8) | p[off + 3];
    }
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16];
      w[t] = (x << 1) | (x >>> 31);
    }
    const h = this.h;
    let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    // The four kinds of round in loops of their own: no branch per round.
    let t = 0;
    for (; t < 20; t++) {
      const x = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + w[t]) | 0;
      e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = x;
    }
    for (; t < 40; t++) {
      const x = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w[t]) | 0;
      e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = x;
    }
    for (; t < 60; t++) {
      const x = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + (0x8f1bbcdc | 0) + w[t]) | 0;
      e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = x;
    }
    for (; t < 80; t++) {
      const x = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + (0xca62c1d6 | 0) + w[t]) | 0;
      e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = x;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
  }
}

// schedule expands the 64-byte block of p at off into the 64 words of w.
function schedule(p, off, w) {
  for (let t = 0; t < 16; t++, off += 4) {
    w[t] = (p[off] << 24) | (p[off + 1] << 16) | (p[off + 2] << 8) | p[off + 3];
  }
  for (let t = 16; t < 64; t++) {
    const a = w[t - 15], b = w[t - 2];
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
  }
}

// rounds runs the 64 rounds of SHA-256 over the expanded block w and adds
// the result to the state h.
function rounds(h, w) {
  let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (k + S1 + ch + K[t] + w[t]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    k = g; g = f; f = e; e = (d + t1) | 0;
    d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

// solvePow finds the counters that answer a proof-of-work challenge of the
// intake API (intake/pow.go): solutions counters, each such that the
// SHA-256 of token followed by the counter in decimal starts with bits
// zero bits. It tries counters from powStart up, as the server's
// PowChallenge.Solve does, and finds the same ones. Each try hashes only
// the block or two that hold the counter's last digits, in place, from the
// state after the blocks before them, which changes once in a million
// tries: no allocation and no re-hashing of the token, an order of
// magnitude faster than a new Sha256 per try. Every 2^16 tries it awaits
// pause(), so that the page can paint and answer input, and stops with
// the counters found so far if pause resolves to false.
//
// A second solver may share a challenge: from offset counters further up
// (at most 4 * 10^14, so that counters stay below 10^15) it finds others,
// and the first solutions counters of the two, in increasing order,
// answer it as well, since the server takes any increasing set. onFound
// gets each counter as it is found.
export async function solvePow(token, bits, solutions, pause, { offset = 0, onFound = () => {} } = {}) {
  const found = [];
  const prefix = new TextEncoder().encode(token);
  const h = new Int32Array(8);
  const w = new Int32Array(64);
  let tries = 0;
  for (let counter = powStart(prefix.length) + offset; ;) {
    // A run of counters that differ only in their last digits (at most
    // RUN_DIGITS of them): the message is token, counter, 0x80, zeros
    // and the length in bits, and what comes before the block of those
    // digits is hashed once here.
    const digits = String(counter);
    const length = prefix.length + digits.length;
    const message = new Uint8Array(Math.ceil((length + 9) / 64) * 64);
    message.set(prefix);
    message.set(new TextEncoder().encode(digits), prefix.length);
    message[length] = 0x80;
    const view = new DataView(message.buffer);
    view.setUint32(message.length - 8, Math.floor(length / 0x20000000));
    view.setUint32(message.length - 4, (length * 8) >>> 0);
    const varying = Math.min(digits.length, RUN_DIGITS);
    const fixed = Math.floor((length - varying) / 64) * 64;
    const start = new Sha256().update(message.subarray(0, fixed)).h.slice();
    const tail = message.subarray(fixed);
    const last = length - fixed - 1; // the counter's last digit in tail
    // The run ends where a leading digit changes or a digit is added.
    const run = 10 ** varying;
    const end = Math.min(10 ** digits.length, (Math.floor(counter / run) + 1) * run);
    for (let left = end - counter; left > 0; left--, counter++) {
      h.set(start);
      for (let off = 0; off < tail.length; off += 64) {
        schedule(tail, off, w);
        rounds(h, w);
      }
      if (leadingZeroBits(h) >= bits) {
        onFound(counter);
        if (found.push(counter) === solutions) return found;
      }
      // The next counter's digits, as an odometer turns (past the run's
      // end it may turn a fixed digit: the next run lays out its own).
      let i = last;
      while (tail[i] === 0x39) tail[i--] = 0x30;
      tail[i]++;
      if ((++tries & 0xffff) === 0 && (await pause()) === false) return found;
    }
  }
}

// RUN_DIGITS is how many of a counter's last digits solvePow changes in
// place; the digits before them stay the same for 10^RUN_DIGITS tries.
const RUN_DIGITS = 6;

// powStart is the first counter solvePow tries for a token of n bytes (the
// server's Solve starts there too; intake/pow.go says why): from 0 up, the
// counter of an API token spills into a second block, and a counter of
// RUN_DIGITS more digits than the token's last block has room for needs
// one compression a try.
export function powStart(n) {
  const room = 64 - (n % 64);
  return room + RUN_DIGITS <= 15 ? 10 ** (room + RUN_DIGITS - 1) : 0;
}

// leadingZeroBits counts the leading zero bits of a hash state (big-endian
// words).
function leadingZeroBits(words) {
  let n = 0;
  for (const word of words) {
    if (word !== 0) return n + Math.clz32(word);
    n += 32;
  }
  return n;
}
