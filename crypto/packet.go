package crypto

import (
	"errors"
	"io"
)

// OpenPGP packet tags (RFC 9580, section 5) that this package names.
const (
	tagPKESK        = 1  // Public-Key Encrypted Session Key
	tagSignature    = 2  // Signature
	tagSKESK        = 3  // Symmetric-Key Encrypted Session Key
	tagOnePassSig   = 4  // One-Pass Signature
	tagSecretKey    = 5  // Secret-Key
	tagPublicKey    = 6  // Public-Key
	tagSecretSubkey = 7  // Secret-Subkey
	tagCompressed   = 8  // Compressed Data
	tagSED          = 9  // Symmetrically Encrypted Data (no integrity protection)
	tagMarker       = 10 // Marker
	tagLiteral      = 11 // Literal Data
	tagSEIPD        = 18 // Symmetrically Encrypted and Integrity Protected Data
	tagAEAD         = 20 // OCB Encrypted Data (GnuPG 2.3+ "LibrePGP", not RFC 9580)
	tagPadding      = 21 // Padding
)

// errNotOpenPGP is returned by readHeader when the first octet is not a
// packet tag (its high bit is clear), as in text or armored data.
var errNotOpenPGP = errors.New("not an OpenPGP packet")

// errIndeterminate is returned by readHeader for an old-format header with
// an indeterminate length (the packet runs to the end of the input).
var errIndeterminate = errors.New("indeterminate packet length")

// header is an OpenPGP packet header (RFC 9580, section 4.2).
type header struct {
	tag     byte
	length  int64  // length of the body, or of its first chunk when partial
	partial bool   // a partial body length: more chunks follow
	raw     []byte // the header exactly as read
}

// readHeader reads one packet header from r. It returns io.EOF if r is at
// its end before the first octet and io.ErrUnexpectedEOF if r ends inside
// the header.
func readHeader(r io.ByteReader) (header, error) {
	b, err := r.ReadByte()
	if err != nil {
		return header{}, err
	}
	if b&0x80 == 0 {
		return header{}, errNotOpenPGP
	}
	h := header{raw: []byte{b}}
	if b&0x40 != 0 { // new format
		h.tag = b & 0x3f
		h.length, h.partial, h.raw, err = readLength(r, h.raw)
		return h, noEOF(err)
	}
	// Old format: tag in bits 5-2, length type in bits 1-0.
	h.tag = (b >> 2) & 0x0f
	lengthType := b & 0x03
	if lengthType == 3 {
		return h, errIndeterminate
	}
	n := 1 << lengthType // 1, 2 or 4 octets
	for range n {
		c, err := r.ReadByte()
		if err != nil {
			return h, noEOF(err)
		}
		h.raw = append(h.raw, c)
		h.length = h.length<<8 | int64(c)
	}
	return h, nil
}

// readLength reads a new-format body length (RFC 9580, section 4.2.1),
// which also starts every chunk after the first of a partial-length packet.
// It appends the octets read to raw and returns the extended slice.
func readLength(r io.ByteReader, raw []byte) (length int64, partial bool, _ []byte, err error) {
	b, err := r.ReadByte()
	if err != nil {
		return 0, false, raw, err
	}
	raw = append(raw, b)
	switch {
	case b < 192:
		return int64(b), false, raw, nil
	case b < 224:
		c, err := r.ReadByte()
		if err != nil {
			return 0, false, raw, err
		}
		raw = append(raw, c)
		return int64(b-192)<<8 + int64(c) + 192, false, raw, nil
	case b < 255:
		return 1 << (b & 0x1f), true, raw, nil
	}
	for range 4 {
		c, err := r.ReadByte()
		if err != nil {
			return 0, false, raw, err
		}
		raw = append(raw, c)
		length = length<<8 | int64(c)
	}
	return length, false, raw, nil
}

// noEOF turns io.EOF into io.ErrUnexpectedEOF: once a header has begun,
// the end of the input means it was cut short.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
