package crypto

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// ErrNotWrapped means WrapSessionKey found no key packet that the holder's
// key opens.
var ErrNotWrapped = errors.New("crypto: no key packet opens with this key")

// WrapSessionKey gives one more recipient access to a message without
// touching its encrypted body: it decrypts the session key from whichever
// key packet (PKESK) in keyPackets the holder's private key opens, and
// returns one new key packet holding the same session key encrypted to the
// newest encryption key of to. The new packet has the version of the
// packet it was opened from (v3 before a SEIPD v1 body, v6 before SEIPD
// v2), so that JoinMessage(newPacket, body) is a standard message that the
// new recipient decrypts alone.
//
// This is what an investigator's browser does with OpenPGP.js
// (decryptSessionKeys, then encryptSessionKey) when granting access to a
// colleague. The server never calls it outside tests: it never holds a
// private key or a session key. It is here to prove, in Go and with GnuPG,
// that such grants decrypt.
func WrapSessionKey(keyPackets []byte, holder *PrivateKey, to *PublicKey) ([]byte, error) {
	now := time.Now()
	if err := to.check(now); err != nil {
		return nil, err
	}
	target, ok := to.entity().EncryptionKey(now)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoEncryptionKey, to.Fingerprint)
	}
	packets, err := readPKESKs(keyPackets)
	if err != nil {
		return nil, err
	}
	var privs []*packet.PrivateKey
	if holder.e.PrivateKey != nil {
		privs = append(privs, holder.e.PrivateKey)
	}
	for _, s := range holder.e.Subkeys {
		if s.PrivateKey != nil {
			privs = append(privs, s.PrivateKey)
		}
	}
	for _, ek := range packets {
		for _, priv := range privs {
			if priv.Encrypted || priv.PubKeyAlgo != ek.Algo || (ek.Version < 6 && ek.KeyId != priv.KeyId) {
				continue
			}
			if err := ek.Decrypt(priv, nil); err != nil {
				continue
			}
			cipher := ek.CipherFunc
			if ek.Version == 6 {
				cipher = packet.CipherAES256 // not in a v6 PKESK: the SEIPD v2 packet names it
			}
			var out bytes.Buffer
			if err := packet.SerializeEncryptedKeyAEAD(&out, target.PublicKey, cipher, ek.Version == 6, ek.Key, nil); err != nil {
				return nil, fmt.Errorf("crypto: wrapping session key: %w", err)
			}
			return out.Bytes(), nil
		}
	}
	return nil, fmt.Errorf("%w (%s)", ErrNotWrapped, holder.Fingerprint)
}

// PKESKKeyIDs checks that packets is a sequence of key packets (PKESK) and
// nothing else, each at most 4 KiB and none with the wildcard key id, and
// returns their key ids in order. The error wraps ErrInvalidMessage.
func PKESKKeyIDs(packets []byte) ([]uint64, error) {
	eks, err := readPKESKs(packets)
	if err != nil {
		return nil, err
	}
	ids := make([]uint64, len(eks))
	for i, ek := range eks {
		ids[i] = ek.KeyId
	}
	return ids, nil
}

// CheckGrantPacket checks a key packet uploaded to grant a message to the
// key to: it must be exactly one key packet, addressed to one of to's
// EncryptionKeyIDs with that key's algorithm, and of the same version as
// the message's own keyPackets (so that joined they still form a standard
// message). It cannot check that the packet holds the right session key:
// only the recipient's private key can tell. The error wraps
// ErrInvalidMessage.
func CheckGrantPacket(grant, keyPackets []byte, to *PublicKey) error {
	eks, err := readPKESKs(grant)
	if err != nil {
		return err
	}
	if len(eks) != 1 {
		return invalid("%d key packets, want exactly one", len(eks))
	}
	ek := eks[0]
	var pk *packet.PublicKey
	for _, k := range encryptionKeys(to.entity(), time.Now()) {
		if k.KeyId == ek.KeyId {
			pk = k
		}
	}
	switch {
	case pk == nil:
		return invalid("key packet for key id %s, which is no encryption key of %s", keyID(ek.KeyId), to.Fingerprint)
	case ek.Algo != pk.PubKeyAlgo:
		return invalid("key packet for key id %s has algorithm %d, the key %d", keyID(ek.KeyId), ek.Algo, pk.PubKeyAlgo)
	case ek.KeyFingerprint != nil && !bytes.Equal(ek.KeyFingerprint, pk.Fingerprint):
		return invalid("key packet for key id %s names another fingerprint", keyID(ek.KeyId))
	}
	own, err := readPKESKs(keyPackets)
	if err != nil {
		return err
	}
	if len(own) > 0 && own[0].Version != ek.Version {
		return invalid("a v%d key packet for a message with v%d key packets", ek.Version, own[0].Version)
	}
	return nil
}

// KeyPacketsFor returns the key packets among packets that are addressed
// to one of key's encryption keys, byte for byte as stored (nil when none
// is), so that a download carries only what its recipient's key opens.
func KeyPacketsFor(packets []byte, key *PublicKey) ([]byte, error) {
	eks, raws, err := readPKESKsRaw(packets)
	if err != nil {
		return nil, err
	}
	ids := key.EncryptionKeyIDs()
	var out []byte
	for i, ek := range eks {
		if slices.Contains(ids, ek.KeyId) {
			out = append(out, raws[i]...)
		}
	}
	return out, nil
}

// readPKESKs parses packets, which must hold key packets only: at least
// one, none with the wildcard key id.
func readPKESKs(packets []byte) ([]*packet.EncryptedKey, error) {
	eks, _, err := readPKESKsRaw(packets)
	return eks, err
}

// readPKESKsRaw is readPKESKs that also returns each packet as read.
func readPKESKsRaw(packets []byte) ([]*packet.EncryptedKey, [][]byte, error) {
	r := bytes.NewReader(packets)
	var eks []*packet.EncryptedKey
	var raws [][]byte
	for n := 0; ; n++ {
		h, err := readHeader(r)
		if err == io.EOF && n > 0 {
			return eks, raws, nil
		}
		if err != nil {
			return nil, nil, headerError(err, n == 0)
		}
		if h.tag != tagPKESK {
			return nil, nil, invalid("packet with tag %d where a key packet was expected", h.tag)
		}
		ek, raw, err := readKeyPacket(r, h)
		if err != nil {
			return nil, nil, err
		}
		if ek.KeyId == 0 && ek.Version < 6 || ek.Version == 6 && ek.KeyVersion == 0 {
			return nil, nil, invalid("key packet with wildcard key id refused")
		}
		eks, raws = append(eks, ek), append(raws, raw)
		if len(eks) > 64 {
			return nil, nil, invalid("too many key packets")
		}
	}
}
