package claims

import (
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

// TestOpenNameBeforeSealer opens a legal name sealed by the hand-written
// sealer this package had before crypto.Sealer: rows sealed then still open.
func TestOpenNameBeforeSealer(t *testing.T) {
	const (
		claimID = "8b3c0c3e-claim"
		sealed  = "f2b6311de669f0f682d90c8706678f8e3e10d31db222a8775025d4564c67db3b06065299246ba126bc14"
	)
	b, err := hex.DecodeString(sealed)
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{Pepper: sealPepper()}
	got, err := s.openName(claimID, b)
	if err != nil {
		t.Fatalf("openName: %v", err)
	}
	if want := "Jane Q. Public"; got != want {
		t.Errorf("openName = %q, want %q", got, want)
	}
	if _, err := s.openName("another-claim", b); err == nil {
		t.Error("openName opened a name copied to another claim")
	}
}

func TestNameSealRoundTrip(t *testing.T) {
	s := &Service{Pepper: sealPepper()}
	for _, name := range []string{"", "Jane Q. Public", "Zoë Ñúñez-Ørsted 王小明"} {
		sealed, err := s.sealName("c1", name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.openName("c1", sealed)
		if err != nil {
			t.Fatal(err)
		}
		if got != name {
			t.Errorf("openName = %q, want %q", got, name)
		}
	}
}

func TestNameSealInvalidPepper(t *testing.T) {
	for _, p := range []crypto.Pepper{nil, make(crypto.Pepper, crypto.MinPepperSize)} {
		s := &Service{Pepper: p}
		if _, err := s.sealName("c1", "Jane Q. Public"); err == nil {
			t.Errorf("sealName with a %d-byte invalid pepper: no error", len(p))
		}
	}
}
