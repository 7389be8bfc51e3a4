package crypto

import (
	"bytes"
	stdcrypto "crypto"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/ProtonMail/go-crypto/openpgp/s2k"
)

// ErrEmptyPassphrase is returned by GenerateKey for an empty passphrase:
// the private key it writes is always passphrase-protected.
var ErrEmptyPassphrase = errors.New("crypto: empty passphrase")

// GenerateKey makes a recipient key pair in Tipline's interoperable profile:
// a v4 EdDSA (Ed25519) primary key for certification and signing, a
// Curve25519 ECDH subkey for encryption, preferences AES-256, SHA-256 and
// no compression, no expiry, and no AEAD feature, so that senders use SEIPD
// v1, which GnuPG 2.2, go-crypto and OpenPGP.js all read. The key is dated
// now; its one user ID is made of name and email.
//
// The private key is encrypted with passphrase (iterated and salted S2K
// with SHA-256, AES-256), which GnuPG 2.2 imports. It returns both keys
// armored and the fingerprint as uppercase hex.
func GenerateKey(name, email string, passphrase []byte, now time.Time) (publicArmored, privateArmored []byte, fingerprint string, err error) {
	if len(passphrase) == 0 {
		return nil, nil, "", ErrEmptyPassphrase
	}
	if name == "" && email == "" {
		return nil, nil, "", errors.New("crypto: a key needs a name or an email")
	}
	config := &packet.Config{
		Algorithm:              packet.PubKeyAlgoEdDSA,
		Curve:                  packet.Curve25519,
		DefaultHash:            stdcrypto.SHA256,
		DefaultCipher:          packet.CipherAES256,
		DefaultCompressionAlgo: packet.CompressionNone,
		Time:                   func() time.Time { return now },
		S2KConfig: &s2k.Config{
			S2KMode:  s2k.IteratedSaltedS2K,
			Hash:     stdcrypto.SHA256,
			S2KCount: 65011712, // the largest count OpenPGP can encode
		},
	}
	e, err := openpgp.NewEntity(name, "", email, config)
	if err != nil {
		return nil, nil, "", fmt.Errorf("crypto: generating key: %w", err)
	}
	publicArmored, err = armorBlock(openpgp.PublicKeyType, e.Serialize)
	if err != nil {
		return nil, nil, "", err
	}
	if err := e.EncryptPrivateKeys(passphrase, config); err != nil {
		return nil, nil, "", fmt.Errorf("crypto: encrypting private key: %w", err)
	}
	privateArmored, err = armorBlock(openpgp.PrivateKeyType, func(w io.Writer) error {
		// The self-signatures made by NewEntity stand; re-signing would
		// need the private key that is now encrypted.
		return e.SerializePrivateWithoutSigning(w, config)
	})
	if err != nil {
		return nil, nil, "", err
	}
	return publicArmored, privateArmored, hexFingerprint(e.PrimaryKey), nil
}

// armorBlock returns what serialize writes, as an armored block of blockType.
func armorBlock(blockType string, serialize func(io.Writer) error) ([]byte, error) {
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, blockType, nil)
	if err != nil {
		return nil, fmt.Errorf("crypto: armoring key: %w", err)
	}
	if err := serialize(w); err != nil {
		return nil, fmt.Errorf("crypto: serializing key: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("crypto: armoring key: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
