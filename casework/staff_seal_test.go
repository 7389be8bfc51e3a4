package casework

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/tipline/tipline/crypto"
)

// sealPepper is the pepper of the sealed vectors: bytes 0, 1, …, 31.
func sealPepper() crypto.Pepper {
	p := make(crypto.Pepper, crypto.MinPepperSize)
	for i := range p {
		p[i] = byte(i)
	}
	return p
}

// TestOpenTOTPBeforeSealer opens a TOTP secret sealed by the hand-written
// sealer this package had before crypto.Sealer: rows sealed then still open.
func TestOpenTOTPBeforeSealer(t *testing.T) {
	const (
		email  = "alice@example.org"
		secret = "1b489cf59b2690b605f6c2d6f4c130daf9dee8b5"
		sealed = "0b6b6cd600232f1aa0deb534b37021b9ab98c46d6811f1060873ac99e9436e1fd3fad703b39f37d504c3a18fc41d7009"
	)
	s := &Staff{Pepper: sealPepper()}
	u := User{ID: 7, Email: email, TOTPSealed: mustDecodeHex(t, sealed)}
	got, err := s.openTOTP(u)
	if err != nil {
		t.Fatalf("openTOTP: %v", err)
	}
	if want := mustDecodeHex(t, secret); !bytes.Equal(got, want) {
		t.Errorf("openTOTP = %x, want %x", got, want)
	}

	u.Email = "mallory@example.org"
	if _, err := s.openTOTP(u); err == nil {
		t.Error("openTOTP opened a secret copied to another account")
	}
}

func TestTOTPSealRoundTrip(t *testing.T) {
	s := &Staff{Pepper: sealPepper()}
	secret, sealed, err := s.newTOTP("bob@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != totpSecretSize {
		t.Errorf("secret is %d bytes, want %d", len(secret), totpSecretSize)
	}
	got, err := s.openTOTP(User{Email: "bob@example.org", TOTPSealed: sealed})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, secret) {
		t.Errorf("openTOTP = %x, want %x", got, secret)
	}
}

func TestTOTPSealInvalidPepper(t *testing.T) {
	for _, p := range []crypto.Pepper{nil, make(crypto.Pepper, crypto.MinPepperSize)} {
		s := &Staff{Pepper: p}
		if _, _, err := s.newTOTP("bob@example.org"); err == nil {
			t.Errorf("newTOTP with a %d-byte invalid pepper: no error", len(p))
		}
	}
}

func mustDecodeHex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
