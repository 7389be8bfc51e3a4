package crypto

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Reasons why ParsePublicKey (and Encrypt or SplitMessage, for a key that
// expired or was revoked since) refuses a key. The errors returned wrap one
// of these, with the key's fingerprint when it is known; they are safe to
// show an admin and never hold key material.
var (
	// ErrNotAKey means the input is not an armored OpenPGP public key.
	ErrNotAKey = errors.New("crypto: not an armored OpenPGP public key")
	// ErrPrivateKey means the input holds private key material. Tipline
	// never takes private keys: give the public key (gpg --armor --export).
	ErrPrivateKey = errors.New("crypto: this is a private key; give the public key instead")
	// ErrMultipleKeys means the input holds more than one key or armored block.
	ErrMultipleKeys = errors.New("crypto: more than one key; give one key at a time")
	// ErrKeyExpired means the primary key has expired (or is not valid yet).
	ErrKeyExpired = errors.New("crypto: key has expired")
	// ErrKeyRevoked means the key or its primary user ID has been revoked.
	ErrKeyRevoked = errors.New("crypto: key has been revoked")
	// ErrNoEncryptionKey means the key has no valid encryption-capable key:
	// it is sign-only, or its encryption subkeys expired or were revoked.
	ErrNoEncryptionKey = errors.New("crypto: key has no valid encryption subkey")
	// ErrWeakKey means the key uses an algorithm Tipline refuses: RSA under
	// 2048 bits, DSA or ElGamal.
	ErrWeakKey = errors.New("crypto: key uses a weak algorithm")
)

// minRSABits is the smallest RSA modulus ParsePublicKey accepts.
const minRSABits = 2048

// PublicKey is a recipient's OpenPGP public key (a certificate), checked to
// be usable for encryption when it was parsed.
type PublicKey struct {
	Fingerprint string    // uppercase hex of the primary key (40 chars v4, 64 chars v6)
	UserIDs     []string  // sorted
	Created     time.Time // creation time of the primary key
	Expires     time.Time // zero when the key does not expire
	Armored     string    // the key re-armored from what was parsed: public packets only

	e *openpgp.Entity
}

// ParsePublicKey parses one armored OpenPGP public key, as exported by
// GnuPG (gpg --armor --export), go-crypto or OpenPGP.js, and checks that it
// can be encrypted to at time now. Binary keys are refused.
//
// The error wraps ErrNotAKey, ErrPrivateKey, ErrMultipleKeys, ErrKeyExpired,
// ErrKeyRevoked, ErrNoEncryptionKey or ErrWeakKey.
func ParsePublicKey(armored []byte, now time.Time) (*PublicKey, error) {
	body, err := armoredPublicKey(armored)
	if err != nil {
		return nil, err
	}
	if err := checkKeyPackets(body); err != nil {
		return nil, err
	}
	el, err := openpgp.ReadKeyRing(bytes.NewReader(body))
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrNotAKey, err)
	case len(el) != 1: // checkKeyPackets saw one primary key, but be sure
		return nil, fmt.Errorf("%w: %d keys", ErrMultipleKeys, len(el))
	}
	k := &PublicKey{
		Fingerprint: hexFingerprint(el[0].PrimaryKey),
		UserIDs:     slices.Sorted(maps.Keys(el[0].Identities)),
		Created:     el[0].PrimaryKey.CreationTime,
		e:           el[0],
	}
	if sig, _ := k.e.PrimarySelfSignature(); sig != nil && sig.KeyLifetimeSecs != nil && *sig.KeyLifetimeSecs != 0 {
		k.Expires = k.Created.Add(time.Duration(*sig.KeyLifetimeSecs) * time.Second)
	}
	if err := k.check(now); err != nil {
		return nil, err
	}
	a, err := armorBlock(openpgp.PublicKeyType, k.e.Serialize)
	if err != nil {
		return nil, err
	}
	k.Armored = string(a)
	return k, nil
}

// armoredPublicKey returns the binary contents of the single armored public
// key block in armored.
func armoredPublicKey(armored []byte) ([]byte, error) {
	blocks := 0
	for line := range bytes.Lines(armored) {
		line = bytes.TrimSpace(line)
		if !bytes.HasPrefix(line, []byte("-----BEGIN ")) {
			continue
		}
		if string(line) == "-----BEGIN "+openpgp.PrivateKeyType+"-----" {
			return nil, ErrPrivateKey
		}
		blocks++
	}
	if blocks > 1 {
		return nil, fmt.Errorf("%w: found %d armored blocks", ErrMultipleKeys, blocks)
	}
	block, err := armor.Decode(bytes.NewReader(armored))
	if err != nil {
		return nil, fmt.Errorf("%w: no armored block found", ErrNotAKey)
	}
	if block.Type != openpgp.PublicKeyType {
		return nil, fmt.Errorf("%w: armored block is a %q", ErrNotAKey, block.Type)
	}
	body, err := io.ReadAll(block.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: bad armor: %v", ErrNotAKey, err)
	}
	return body, nil
}

// checkKeyPackets walks the packet headers of a binary key: it must be one
// public key, with no secret key packets in it.
func checkKeyPackets(body []byte) error {
	r := bytes.NewReader(body)
	primaries := 0
	for i := 0; ; i++ {
		h, err := readHeader(r)
		switch {
		case err == io.EOF && i > 0:
			return nil
		case err != nil:
			return fmt.Errorf("%w: malformed packet", ErrNotAKey)
		case h.partial:
			return fmt.Errorf("%w: partial length in a key packet", ErrNotAKey)
		case h.tag == tagSecretKey || h.tag == tagSecretSubkey:
			return ErrPrivateKey
		case h.tag == tagPublicKey:
			primaries++
		case i == 0:
			return fmt.Errorf("%w: first packet has tag %d", ErrNotAKey, h.tag)
		}
		if primaries > 1 {
			return fmt.Errorf("%w: the block holds several keys", ErrMultipleKeys)
		}
		if _, err := io.CopyN(io.Discard, r, h.length); err != nil {
			return fmt.Errorf("%w: truncated packet", ErrNotAKey)
		}
	}
}

// check reports whether k can be encrypted to at time now.
func (k *PublicKey) check(now time.Time) error {
	e := k.e
	sig, id := e.PrimarySelfSignature()
	switch {
	case sig == nil:
		return fmt.Errorf("%w: %s has no valid self-signature", ErrNotAKey, k.Fingerprint)
	case e.Revoked(now) || (id != nil && id.Revoked(now)):
		return fmt.Errorf("%w: %s", ErrKeyRevoked, k.Fingerprint)
	case e.PrimaryKey.CreationTime.After(now):
		return fmt.Errorf("%w: %s is not valid yet, it was created on %s", ErrKeyExpired, k.Fingerprint, day(e.PrimaryKey.CreationTime))
	case e.PrimaryKey.KeyExpired(sig, now):
		return fmt.Errorf("%w: %s expired on %s", ErrKeyExpired, k.Fingerprint, day(k.Expires))
	case sig.SigExpired(now):
		return fmt.Errorf("%w: %s has an expired self-signature", ErrKeyExpired, k.Fingerprint)
	}
	if err := checkStrength(e.PrimaryKey); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrWeakKey, k.Fingerprint, err)
	}
	keys := encryptionKeys(e, now)
	if len(keys) == 0 {
		return fmt.Errorf("%w: %s", ErrNoEncryptionKey, k.Fingerprint)
	}
	for _, pk := range keys {
		if err := checkStrength(pk); err != nil {
			return fmt.Errorf("%w: %s: encryption subkey %s: %v", ErrWeakKey, k.Fingerprint, keyID(pk.KeyId), err)
		}
	}
	return nil
}

// encryptionKeys returns the keys of e that are valid for encryption at
// now, by the rules go-crypto's Entity.EncryptionKey applies once the
// primary key is known to be valid: subkeys flagged for encrypting
// communications that have neither expired nor been revoked, or else the
// primary key if it is so flagged. Encrypt uses the newest of them;
// OpenPGP.js and GnuPG may pick another.
func encryptionKeys(e *openpgp.Entity, now time.Time) []*packet.PublicKey {
	var keys []*packet.PublicKey
	for _, s := range e.Subkeys {
		if s.Sig.FlagsValid && s.Sig.FlagEncryptCommunications && s.PublicKey.PubKeyAlgo.CanEncrypt() &&
			!s.PublicKey.KeyExpired(s.Sig, now) && !s.Sig.SigExpired(now) && !s.Revoked(now) {
			keys = append(keys, s.PublicKey)
		}
	}
	if len(keys) > 0 {
		return keys
	}
	if sig, _ := e.PrimarySelfSignature(); sig != nil && sig.FlagsValid && sig.FlagEncryptCommunications &&
		e.PrimaryKey.PubKeyAlgo.CanEncrypt() {
		return []*packet.PublicKey{e.PrimaryKey}
	}
	return nil
}

// checkStrength refuses small RSA moduli, DSA and ElGamal.
func checkStrength(pk *packet.PublicKey) error {
	switch pk.PubKeyAlgo {
	case packet.PubKeyAlgoDSA:
		return errors.New("DSA")
	case packet.PubKeyAlgoElGamal:
		return errors.New("ElGamal")
	case packet.PubKeyAlgoRSA, packet.PubKeyAlgoRSAEncryptOnly, packet.PubKeyAlgoRSASignOnly:
		if bits, err := pk.BitLength(); err != nil || bits < minRSABits {
			return fmt.Errorf("RSA %d bits, under %d", bits, minRSABits)
		}
	}
	return nil
}

// EncryptionKeyIDs returns the key ids of the keys that a message to k may
// be encrypted to now: its valid encryption subkeys (usually one), or its
// primary key if that is the one flagged for encryption. Encrypt uses one
// of them; SplitMessage accepts a key packet for any of them.
func (k *PublicKey) EncryptionKeyIDs() []uint64 {
	var ids []uint64
	for _, pk := range encryptionKeys(k.e, time.Now()) {
		ids = append(ids, pk.KeyId)
	}
	return ids
}

// entity returns the go-crypto form of k, for use inside this package.
func (k *PublicKey) entity() *openpgp.Entity {
	return k.e
}

// hexFingerprint formats the fingerprint of pk as uppercase hex.
func hexFingerprint(pk *packet.PublicKey) string {
	return fmt.Sprintf("%X", pk.Fingerprint)
}

// keyID formats a key id as 16 uppercase hex digits, as GnuPG shows it.
func keyID(id uint64) string {
	return fmt.Sprintf("%016X", id)
}

// day formats t as a date for error messages.
func day(t time.Time) string {
	return t.UTC().Format(time.DateOnly)
}
