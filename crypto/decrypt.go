package crypto

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
)

var (
	// ErrWrongPassphrase means ReadPrivateKey could not unlock the key.
	ErrWrongPassphrase = errors.New("crypto: wrong passphrase")
	// ErrWrongKey means Decrypt found no key packet that the key opens.
	ErrWrongKey = errors.New("crypto: message is not encrypted to this key")
	// ErrIntegrity means the message was modified or truncated: its MDC
	// (SEIPD v1) or an AEAD tag (SEIPD v2) did not check out. Any data read
	// before it must be thrown away.
	ErrIntegrity = errors.New("crypto: message integrity check failed: it was modified or truncated")
)

// PrivateKey is an unlocked OpenPGP private key, for decrypting messages.
type PrivateKey struct {
	Fingerprint string // uppercase hex of the primary key

	e *openpgp.Entity
}

// ReadPrivateKey reads one armored OpenPGP private key, as exported by
// GnuPG (gpg --armor --export-secret-keys) or made by GenerateKey, and
// unlocks it with passphrase. A key that is not encrypted needs none.
//
// The error wraps ErrNotAKey, ErrMultipleKeys or ErrWrongPassphrase.
func ReadPrivateKey(armored, passphrase []byte) (*PrivateKey, error) {
	block, err := armor.Decode(bytes.NewReader(armored))
	if err != nil {
		return nil, fmt.Errorf("%w: no armored block found", ErrNotAKey)
	}
	if block.Type != openpgp.PrivateKeyType {
		return nil, fmt.Errorf("%w: armored block is a %q, not a private key", ErrNotAKey, block.Type)
	}
	el, err := openpgp.ReadKeyRing(block.Body)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrNotAKey, err)
	case len(el) != 1:
		return nil, fmt.Errorf("%w: %d keys", ErrMultipleKeys, len(el))
	case el[0].PrivateKey == nil:
		return nil, fmt.Errorf("%w: no private key material", ErrNotAKey)
	}
	k := &PrivateKey{Fingerprint: hexFingerprint(el[0].PrimaryKey), e: el[0]}
	if err := k.e.DecryptPrivateKeys(passphrase); err != nil {
		return nil, fmt.Errorf("%w for %s", ErrWrongPassphrase, k.Fingerprint)
	}
	return k, nil
}

// Decrypt decrypts the binary OpenPGP message read from src with key and
// returns a reader of the plaintext. It reads messages from Encrypt, GnuPG
// (compressed or signed ones too; signatures are not checked) and
// OpenPGP.js, and refuses messages that are not encrypted.
//
// Trust the data only when reading reached io.EOF without error. A SEIPD v1
// message is authenticated only at its end: the reader hands out plaintext
// before the MDC check, and reports a failed check, or a message cut short,
// with an error wrapping ErrIntegrity instead of io.EOF.
func Decrypt(src io.Reader, key *PrivateKey) (io.Reader, error) {
	md, err := openpgp.ReadMessage(src, openpgp.EntityList{key.e}, nil, nil)
	switch {
	case errors.Is(err, pgperrors.ErrKeyIncorrect):
		return nil, fmt.Errorf("%w (%s)", ErrWrongKey, key.Fingerprint)
	case err != nil:
		return nil, readMessageError(err)
	case !md.IsEncrypted:
		return nil, invalid("not encrypted")
	}
	return &integrityReader{r: md.UnverifiedBody}, nil
}

// integrityReader reports go-crypto's integrity failures as ErrIntegrity,
// and keeps returning the first error it met.
type integrityReader struct {
	r   io.Reader
	err error
}

func (ir *integrityReader) Read(p []byte) (int, error) {
	if ir.err != nil {
		return 0, ir.err
	}
	n, err := ir.r.Read(p)
	if err != nil {
		if err != io.EOF {
			err = readMessageError(err)
		}
		ir.err = err
	}
	return n, err
}

// readMessageError wraps an error from go-crypto: failed checks of the
// decrypted data, and data cut short, become ErrIntegrity.
func readMessageError(err error) error {
	var sigErr pgperrors.SignatureError // MDC errors
	var decErr pgperrors.DecryptWithSessionKeyError
	if errors.As(err, &sigErr) || errors.As(err, &decErr) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w (%v)", ErrIntegrity, err)
	}
	return fmt.Errorf("crypto: decrypting: %w", err)
}
