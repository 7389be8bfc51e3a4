package crypto

import (
	"bytes"
	stdcrypto "crypto"
	"errors"
	"fmt"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// ErrBadSignature means a signed text did not verify against the key.
var ErrBadSignature = errors.New("crypto: bad or missing signature")

// ClearSign signs text with the primary key of key as an OpenPGP cleartext
// signed message: readable as it is, and checked by `gpg --verify` or
// VerifyClearSigned. The signature says it was made at signedAt, which may
// be earlier than now (a receipt is dated to its day), but not earlier than
// the key: GnuPG refuses a signature older than its key.
func ClearSign(text []byte, key *PrivateKey, signedAt time.Time) ([]byte, error) {
	if key.e.PrivateKey == nil || !key.e.PrimaryKey.CanSign() {
		return nil, errors.New("crypto: key cannot sign")
	}
	if signedAt.Before(key.e.PrimaryKey.CreationTime) {
		return nil, errors.New("crypto: signature time before the key was made")
	}
	var out bytes.Buffer
	at := func() time.Time { return signedAt }
	w, err := clearsign.Encode(&out, key.e.PrivateKey, &packet.Config{DefaultHash: stdcrypto.SHA256, Time: at})
	if err != nil {
		return nil, fmt.Errorf("crypto: signing: %w", err)
	}
	if _, err := w.Write(text); err != nil {
		return nil, fmt.Errorf("crypto: signing: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("crypto: signing: %w", err)
	}
	return out.Bytes(), nil
}

// VerifyClearSigned checks a cleartext signed message against signer's key
// and returns the signed text. The error wraps ErrBadSignature when the
// message is not signed, signed by another key, or altered.
func VerifyClearSigned(msg []byte, signer *PublicKey) ([]byte, error) {
	block, _ := clearsign.Decode(msg)
	if block == nil {
		return nil, fmt.Errorf("%w: not a cleartext signed message", ErrBadSignature)
	}
	if _, err := block.VerifySignature(openpgp.EntityList{signer.entity()}, nil); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return block.Plaintext, nil
}

// PublicKey returns the public half of key, for publishing and verifying.
func (k *PrivateKey) PublicKey() (*PublicKey, error) {
	armored, err := armorBlock(openpgp.PublicKeyType, k.e.Serialize)
	if err != nil {
		return nil, err
	}
	return ParsePublicKey(armored, time.Now())
}

// Created returns when key was made, as its key packet says.
func (k *PrivateKey) Created() time.Time { return k.e.PrimaryKey.CreationTime }
