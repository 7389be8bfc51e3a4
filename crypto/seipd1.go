package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/bits"
	"slices"
	"sync"
)

// The SEIPD v1 writer: the interoperable profile of Encrypt (CFB with MDC,
// RFC 9580 section 5.13.1), written here rather than by go-crypto, whose
// writer encrypts byte by byte and cuts its stream into chunks of at most
// the size of each Write, with a one-byte write for every chunk's length
// (profiled in BENCHMARKS.md). The message is the same standard one that
// GnuPG, OpenPGP.js and go-crypto read (their interop tests prove it): an
// encrypted data packet of version 1 holding the random prefix, a literal
// data packet (binary, no file name, a zero date) and the MDC packet, with
// partial body lengths of seipdChunk bytes for both the encrypted and the
// literal packet. Each Write reaching dst is a whole chunk.

// seipdChunk is the partial body length of both packets: a power of two,
// and at least 512 (the smallest first partial length allowed). A writer
// holds a buffer of it while it seals a chunk, and another only while its
// Writes come in pieces smaller than a chunk.
const seipdChunk = 256 << 10

// parkMax is the most a writer keeps of the encrypted packet's next chunk
// between two Writes in a small array of its own rather than in a buffer
// of seipdChunk: what is left after each chunk of the literal packet is
// sealed (20 bytes and one more per chunk). A slow stream, written a chunk
// at a time every few seconds, then holds no chunk buffer while it waits.
const parkMax = 16 << 10

// hashBesideMin is the least plaintext that seal hashes on a goroutine
// of its own, beside its encryption, rather than before it.
const hashBesideMin = 16 << 10

// sealedBuffers are the buffers the encrypted packet's chunks are sealed
// in, with room for the chunk's length header and, in the first, the
// packet's tag (see seipdWriter.sealed).
var sealedBuffers = sync.Pool{New: func() any { return new([seipdChunk + 2]byte) }}

// Packet tags and the literal data packet's header as this writer makes
// them, in the new packet format.
const (
	newFormatSEIPD   = 0xc0 | tagSEIPD
	newFormatLiteral = 0xc0 | tagLiteral
	mdcTag           = 0xc0 | 19 // modification detection code
	mdcLen           = sha1.Size
)

// literalHeader starts the literal data packet's body: format 'b'
// (binary), an empty file name, the date 0.
var literalHeader = []byte{'b', 0, 0, 0, 0, 0}

// seipdWriter encrypts what is written to it into a SEIPD v1 packet.
type seipdWriter struct {
	dst io.Writer
	cfb cfbEncrypter
	mdc hash.Hash
	// literal holds the literal packet's plaintext that does not yet fill
	// a chunk; sealed collects the encrypted packet's current chunk, after
	// room for its headers (outStart bytes), in a buffer of sealedBuffers
	// while a Write seals and in a small array of its own between Writes
	// when it holds parkMax bytes or fewer (see park).
	literal  []byte
	sealed   []byte
	outStart int
	closed   bool
}

// newSEIPDWriter starts a SEIPD v1 packet encrypted with key (an AES key
// of 16 or 32 bytes) to dst.
func newSEIPDWriter(dst io.Writer, key []byte) (*seipdWriter, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("crypto: session key: %w", err)
	}
	w := &seipdWriter{
		dst: dst,
		cfb: cfbEncrypter{block: block, used: aes.BlockSize},
		mdc: sha1.New(),
		// The packet's tag and room for its first length header, then its
		// version.
		sealed:   []byte{newFormatSEIPD, 0, 1},
		outStart: 2,
	}
	// The random prefix, its last two bytes repeated (RFC 9580, 5.13.2).
	var prefix [aes.BlockSize + 2]byte
	rand.Read(prefix[:aes.BlockSize])
	copy(prefix[aes.BlockSize:], prefix[aes.BlockSize-2:aes.BlockSize])
	if err := w.seal(prefix[:], true); err != nil {
		return nil, err
	}
	if err := w.seal([]byte{newFormatLiteral}, true); err != nil {
		return nil, err
	}
	w.literal = append(w.literal, literalHeader...)
	w.park()
	return w, nil
}

// Write implements io.Writer. Each chunk of the literal packet is sealed
// as soon as p completes it, from p itself: only what p leaves of a
// chunk is copied, to wait in literal for the next Write.
func (w *seipdWriter) Write(p []byte) (int, error) {
	if w.closed {
		return 0, errors.New("crypto: write after close")
	}
	written := 0
	for len(w.literal)+len(p) >= seipdChunk {
		n := seipdChunk - len(w.literal)
		if err := w.literalChunk(p[:n]); err != nil {
			return written, err
		}
		written += n
		p = p[n:]
	}
	if len(w.literal)+len(p) > cap(w.literal) {
		// Grown to a chunk at once: plaintext is copied once, and the
		// array left behind is cleared.
		bigger := make([]byte, len(w.literal), seipdChunk)
		copy(bigger, w.literal)
		clear(w.literal)
		w.literal = bigger
	}
	w.literal = append(w.literal, p...)
	written += len(p)
	w.park()
	return written, nil
}

// literalChunk seals one full chunk of the literal packet: what literal
// holds, then rest.
func (w *seipdWriter) literalChunk(rest []byte) error {
	if err := w.seal([]byte{partialLength(seipdChunk)}, true); err != nil {
		return err
	}
	if err := w.seal(w.literal, true); err != nil {
		return err
	}
	clear(w.literal)
	w.literal = w.literal[:0]
	return w.seal(rest, true)
}

// park moves the encrypted packet's current chunk out of its buffer into
// a small array, and the buffer back to sealedBuffers, when the chunk
// holds parkMax bytes or fewer.
func (w *seipdWriter) park() {
	if len(w.sealed) > parkMax || cap(w.sealed) < w.outStart+seipdChunk {
		return
	}
	parked := slices.Clone(w.sealed)
	sealedBuffers.Put((*[seipdChunk + 2]byte)(w.sealed[:seipdChunk+2]))
	w.sealed = parked
}

// Close ends the literal packet, adds the MDC packet and ends the
// encrypted packet. It does not close dst.
func (w *seipdWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	var length [5]byte
	if err := w.seal(appendLength(length[:0], len(w.literal)), true); err != nil {
		return err
	}
	if err := w.seal(w.literal, true); err != nil {
		return err
	}
	clear(w.literal)
	if err := w.seal([]byte{mdcTag, mdcLen}, true); err != nil {
		return err
	}
	if err := w.seal(w.mdc.Sum(nil), false); err != nil {
		return err
	}
	data := w.sealed[w.outStart:]
	header := append(w.sealed[:w.outStart-1:w.outStart-1], appendLength(length[:0], len(data))...)
	if _, err := w.dst.Write(header); err != nil {
		return err
	}
	_, err := w.dst.Write(data)
	if cap(w.sealed) >= seipdChunk+2 {
		sealedBuffers.Put((*[seipdChunk + 2]byte)(w.sealed[:seipdChunk+2]))
	}
	w.sealed = nil
	return err
}

// seal hashes plaintext into the MDC (unless it is the MDC itself),
// encrypts it into the current chunk of the encrypted packet and writes
// each chunk that fills.
func (w *seipdWriter) seal(plaintext []byte, hashed bool) error {
	switch {
	case hashed && len(plaintext) >= hashBesideMin:
		// The MDC's SHA-1 reads plaintext while the cipher reads it too,
		// on another core: CFB encryption is one block after the other,
		// so this goroutine is the slowest stage of server encryption.
		hashing := make(chan struct{})
		go func(p []byte) {
			w.mdc.Write(p)
			close(hashing)
		}(plaintext) // which the loop below moves on
		defer func() { <-hashing }()
	case hashed:
		w.mdc.Write(plaintext)
	}
	if len(plaintext) > 0 && cap(w.sealed) < w.outStart+seipdChunk {
		w.sealed = append(sealedBuffers.Get().(*[seipdChunk + 2]byte)[:0], w.sealed...)
	}
	for len(plaintext) > 0 {
		start := len(w.sealed)
		n := min(len(plaintext), w.outStart+seipdChunk-start)
		w.sealed = w.sealed[:start+n]
		w.cfb.xor(w.sealed[start:], plaintext[:n])
		plaintext = plaintext[n:]
		if len(w.sealed) == w.outStart+seipdChunk {
			w.sealed[w.outStart-1] = partialLength(seipdChunk)
			if _, err := w.dst.Write(w.sealed); err != nil {
				return err
			}
			w.sealed, w.outStart = w.sealed[:1], 1
		}
	}
	return nil
}

// partialLength is the one-octet partial body length header of n, a power
// of two from 1 to 2^30.
func partialLength(n int) byte {
	return 0xe0 | byte(bits.TrailingZeros(uint(n)))
}

// appendLength appends the new-format body length of n (RFC 9580, 4.2.1).
func appendLength(b []byte, n int) []byte {
	switch {
	case n < 192:
		return append(b, byte(n))
	case n < 8384:
		n -= 192
		return append(b, byte(n>>8)+192, byte(n))
	}
	return binary.BigEndian.AppendUint32(append(b, 0xff), uint32(n))
}

// cfbEncrypter is CFB mode with a zero IV and no resynchronization, as
// SEIPD v1 uses it, a block (16 bytes) at a time where it can.
type cfbEncrypter struct {
	block cipher.Block
	// next is the keystream of the current block, its first used bytes
	// already replaced by their ciphertext; once used is 16 it holds the
	// last ciphertext block, which encrypts to the next keystream.
	next [aes.BlockSize]byte
	used int
}

// xor encrypts src into dst, which has the same length.
func (c *cfbEncrypter) xor(dst, src []byte) {
	for len(src) > 0 {
		if c.used == aes.BlockSize {
			c.block.Encrypt(c.next[:], c.next[:])
			c.used = 0
		}
		if c.used == 0 && len(src) >= aes.BlockSize {
			lo := binary.LittleEndian.Uint64(src) ^ binary.LittleEndian.Uint64(c.next[:8])
			hi := binary.LittleEndian.Uint64(src[8:]) ^ binary.LittleEndian.Uint64(c.next[8:])
			binary.LittleEndian.PutUint64(c.next[:8], lo)
			binary.LittleEndian.PutUint64(c.next[8:], hi)
			copy(dst, c.next[:])
			c.used = aes.BlockSize
			dst, src = dst[aes.BlockSize:], src[aes.BlockSize:]
			continue
		}
		for len(src) > 0 && c.used < aes.BlockSize {
			b := src[0] ^ c.next[c.used]
			dst[0], c.next[c.used] = b, b
			c.used++
			dst, src = dst[1:], src[1:]
		}
	}
}
