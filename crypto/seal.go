package crypto

// Sealing: small server-side secrets (a staff member's TOTP secret, a
// claimant's legal name) kept in database rows, under a key that is not in
// the database.
//
// Format (version 1), shared by every user of Sealer:
//
//	key    = HMAC-SHA256(pepper, label)
//	sealed = nonce || AES-256-GCM-Seal(key, nonce, plaintext, additionalData)
//
// with a fresh 12-byte random nonce per Seal and GCM's 16-byte tag at the
// end, so a sealed value is 28 bytes longer than its plaintext. The label
// holds no NUL byte, so no sealing key equals a codename derivation (whose
// HMAC input is label || 0x00 || data); each use has its own label.

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// SealOverhead is how many bytes longer a sealed value is than its
// plaintext: the nonce and the GCM tag.
const SealOverhead = sealNonceSize + sealTagSize

const (
	sealNonceSize = 12
	sealTagSize   = 16
)

// ErrOpen is the error Sealer.Open returns for a value that does not open:
// it was sealed under another pepper or label or with other additional data,
// or it was modified or truncated. Open does not say which.
var ErrOpen = errors.New("crypto: sealed value does not open")

// A Sealer seals small secrets for storage with AES-256-GCM under a key
// derived from a Pepper and a label (see the format above). The additional
// data given to Seal must be given again to Open: bind a sealed value to its
// row (an account's email, a claim's id) so that a value copied to another
// row does not open there. A random nonce per Seal makes it safe for about
// 2^32 values per pepper and label.
//
// A Sealer is safe for concurrent use. It holds the derived key, so it
// prints and logs only its label (String, GoString, Format, LogValue).
type Sealer struct {
	label string
	aead  cipher.AEAD
	// nonce fills b with a fresh nonce; nil means crypto/rand. Tests set it
	// to make Seal deterministic.
	nonce func(b []byte)
}

// Sealer returns the Sealer for label, a constant naming one use and
// version, such as "tipline totp key v1". It fails if p is invalid
// (Pepper.Validate) or if label is empty or holds a NUL byte. Changing the
// pepper or the label makes every value sealed before unopenable.
func (p Pepper) Sealer(label string) (*Sealer, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if label == "" || strings.ContainsRune(label, 0) {
		return nil, fmt.Errorf("crypto: sealer label %q is empty or holds a NUL byte", label)
	}
	mac := hmac.New(sha256.New, p)
	io.WriteString(mac, label)
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, err // unreachable: the key is 32 bytes
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err // unreachable: AES has 16-byte blocks
	}
	return &Sealer{label: label, aead: aead}, nil
}

// Seal returns nonce || ciphertext || tag of plaintext, authenticating
// additionalData too (which is not included in the result). It never fails.
func (s *Sealer) Seal(plaintext, additionalData []byte) []byte {
	out := make([]byte, sealNonceSize, SealOverhead+len(plaintext))
	if s.nonce != nil {
		s.nonce(out)
	} else {
		rand.Read(out) // never fails (crypto/rand, Go ≥ 1.24)
	}
	return s.aead.Seal(out, out, plaintext, additionalData)
}

// Open checks and decrypts a value made by Seal with the same pepper, label
// and additionalData, and returns the plaintext. Any other value, including
// a modified or truncated one, gives ErrOpen and no plaintext.
func (s *Sealer) Open(sealed, additionalData []byte) ([]byte, error) {
	if len(sealed) < SealOverhead {
		return nil, ErrOpen
	}
	plaintext, err := s.aead.Open(nil, sealed[:sealNonceSize], sealed[sealNonceSize:], additionalData)
	if err != nil {
		return nil, ErrOpen
	}
	return plaintext, nil
}

// String returns "crypto.Sealer(LABEL)", never the key.
func (s Sealer) String() string { return "crypto.Sealer(" + s.label + ")" }

// GoString returns the same as String.
func (s Sealer) GoString() string { return s.String() }

// Format implements fmt.Formatter: every verb prints String, so the key
// held inside never reaches a printer.
func (s Sealer) Format(f fmt.State, verb rune) {
	codenameFormatRedacted(f, verb, s.String(), s.GoString())
}

// LogValue implements slog.LogValuer: a Sealer logs as String.
func (s Sealer) LogValue() slog.Value { return slog.StringValue(s.String()) }
