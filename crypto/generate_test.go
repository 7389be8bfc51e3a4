package crypto

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

func TestGenerateKey(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	public, private, fpr, err := GenerateKey("Desk", "desk@example.org", []byte("correct horse"), now)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParsePublicKey(public, now)
	if err != nil {
		t.Fatal(err)
	}
	if k.Fingerprint != fpr || len(fpr) != 40 {
		t.Errorf("fingerprint %q, parsed key has %q: want the same 40 hex digits", fpr, k.Fingerprint)
	}
	if !k.Created.Equal(now) || !k.Expires.IsZero() {
		t.Errorf("Created %v, Expires %v: want %v and zero", k.Created, k.Expires, now)
	}
	if got := k.UserIDs; len(got) != 1 || got[0] != "Desk <desk@example.org>" {
		t.Errorf("UserIDs = %q", got)
	}

	e := k.entity()
	if pk := e.PrimaryKey; pk.Version != 4 || pk.PubKeyAlgo != packet.PubKeyAlgoEdDSA {
		t.Errorf("primary key v%d algorithm %d, want v4 EdDSA", pk.Version, pk.PubKeyAlgo)
	}
	if len(e.Subkeys) != 1 {
		t.Fatalf("%d subkeys, want 1", len(e.Subkeys))
	}
	sub := e.Subkeys[0]
	if curve, err := sub.PublicKey.Curve(); err != nil || sub.PublicKey.PubKeyAlgo != packet.PubKeyAlgoECDH || curve != packet.Curve25519 {
		t.Errorf("subkey algorithm %d curve %q, want ECDH Curve25519", sub.PublicKey.PubKeyAlgo, curve)
	}
	if !sub.Sig.FlagEncryptCommunications {
		t.Error("subkey not flagged for encryption")
	}
	sig, _ := e.PrimarySelfSignature()
	switch {
	case sig.PreferredSymmetric[0] != uint8(packet.CipherAES256):
		t.Errorf("preferred ciphers %v, want AES-256 (9) first", sig.PreferredSymmetric)
	case sig.PreferredHash[0] != 8: // SHA-256
		t.Errorf("preferred hashes %v, want SHA-256 (8) first", sig.PreferredHash)
	case len(sig.PreferredCompression) != 1 || sig.PreferredCompression[0] != uint8(packet.CompressionNone):
		t.Errorf("preferred compression %v, want none only", sig.PreferredCompression)
	case sig.SEIPDv2 || len(sig.PreferredCipherSuites) > 0:
		t.Error("key advertises AEAD (SEIPD v2), which GnuPG 2.2 cannot read")
	}

	// The private key is protected by the passphrase (TestGnuPG checks
	// that GnuPG 2.2 imports it).
	priv, err := ReadPrivateKey(private, []byte("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	if priv.Fingerprint != fpr {
		t.Errorf("private key fingerprint %s, want %s", priv.Fingerprint, fpr)
	}
	if _, err := ReadPrivateKey(private, []byte("wrong horse")); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("wrong passphrase: err = %v, want ErrWrongPassphrase", err)
	}
	if _, err := ParsePublicKey(private, now); !errors.Is(err, ErrPrivateKey) {
		t.Errorf("ParsePublicKey(private): err = %v, want ErrPrivateKey", err)
	}
	el, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(private))
	if err != nil {
		t.Fatal(err)
	}
	if !el[0].PrivateKey.Encrypted || !el[0].Subkeys[0].PrivateKey.Encrypted {
		t.Error("private key material is not encrypted")
	}
}

func TestGenerateKeyRefuses(t *testing.T) {
	now := time.Now()
	if _, _, _, err := GenerateKey("Desk", "desk@example.org", nil, now); !errors.Is(err, ErrEmptyPassphrase) {
		t.Errorf("empty passphrase: err = %v, want ErrEmptyPassphrase", err)
	}
	if _, _, _, err := GenerateKey("", "", []byte("x"), now); err == nil {
		t.Error("no name or email: no error")
	}
	if _, _, _, err := GenerateKey("Desk <x>", "desk@example.org", []byte("x"), now); err == nil {
		t.Error("name with <>: no error")
	}
}
