package crypto

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// The labels of the two users of Sealer, as casework and claims declare
// them. The vectors below pin their format: rows sealed today must open
// after any change to this file.
const (
	testTOTPLabel = "tipline totp key v1"
	testNameLabel = "tipline claimant name v1"
)

// sealVectors are values sealed under testPepper. The "old" ones were made
// by the hand-written sealers that casework/staff.go and claims/service.go
// had before Sealer (with random nonces), so they prove that rows sealed
// before still open. The "fixed nonce" ones, computed apart with crypto/hmac,
// crypto/aes and crypto/cipher, pin Seal's output byte for byte.
var sealVectors = []struct {
	name      string
	label     string
	ad        string
	plaintext string // hex
	nonce     string // hex; "" for a vector made by the old code (Open only)
	sealed    string // hex
}{
	{
		name:      "old casework TOTP secret",
		label:     testTOTPLabel,
		ad:        "alice@example.org",
		plaintext: "1b489cf59b2690b605f6c2d6f4c130daf9dee8b5",
		sealed:    "0b6b6cd600232f1aa0deb534b37021b9ab98c46d6811f1060873ac99e9436e1fd3fad703b39f37d504c3a18fc41d7009",
	},
	{
		name:      "old claims legal name",
		label:     testNameLabel,
		ad:        "8b3c0c3e-claim",
		plaintext: hex.EncodeToString([]byte("Jane Q. Public")),
		sealed:    "f2b6311de669f0f682d90c8706678f8e3e10d31db222a8775025d4564c67db3b06065299246ba126bc14",
	},
	{
		name:      "fixed nonce TOTP secret",
		label:     testTOTPLabel,
		ad:        "alice@example.org",
		plaintext: "1b489cf59b2690b605f6c2d6f4c130daf9dee8b5",
		nonce:     "000102030405060708090a0b",
		sealed:    "000102030405060708090a0b868db2ca2a6d494900bfdd41ee2167665475d8fca0e55b1ebf409242550b18b2ec707e55",
	},
	{
		name:      "fixed nonce legal name",
		label:     testNameLabel,
		ad:        "8b3c0c3e-claim",
		plaintext: hex.EncodeToString([]byte("Jane Q. Public")),
		nonce:     "f0f1f2f3f4f5f6f7f8f9fafb",
		sealed:    "f0f1f2f3f4f5f6f7f8f9fafbb68e145050480dbdb9f0a82166f340582a24507e7e80fd1691f297e7f689",
	},
	{
		name:   "fixed nonce empty plaintext and additional data",
		label:  testNameLabel,
		nonce:  "000000000000000000000000",
		sealed: "000000000000000000000000c52bcdc14175bbc1b0062304e65742eb",
	},
}

func mustHex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func testSealer(tb testing.TB, label string) *Sealer {
	tb.Helper()
	s, err := testPepper().Sealer(label)
	if err != nil {
		tb.Fatalf("Sealer(%q): %v", label, err)
	}
	return s
}

// fixedNonce makes s seal with nonce every time.
func fixedNonce(s *Sealer, nonce []byte) {
	s.nonce = func(b []byte) { copy(b, nonce) }
}

func TestSealVectors(t *testing.T) {
	for _, v := range sealVectors {
		t.Run(v.name, func(t *testing.T) {
			s := testSealer(t, v.label)
			want := mustHex(t, v.plaintext)
			got, err := s.Open(mustHex(t, v.sealed), []byte(v.ad))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Open = %x, want %x", got, want)
			}
			if v.nonce == "" {
				return
			}
			fixedNonce(s, mustHex(t, v.nonce))
			if got, want := hex.EncodeToString(s.Seal(want, []byte(v.ad))), v.sealed; got != want {
				t.Errorf("Seal = %s, want %s", got, want)
			}
		})
	}
}

func TestSealRoundTrip(t *testing.T) {
	s := testSealer(t, testTOTPLabel)
	ad := []byte("alice@example.org")
	for _, size := range []int{0, 1, 15, 16, 17, 255, 4096} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			plaintext := bytes.Repeat([]byte{0xa5}, size)
			sealed := s.Seal(plaintext, ad)
			if got, want := len(sealed), size+SealOverhead; got != want {
				t.Errorf("len(Seal) = %d, want %d", got, want)
			}
			// A short plaintext turns up in random bytes by chance (one
			// byte in about one run out of nine); 16 bytes never do.
			if size >= 16 && bytes.Contains(sealed, plaintext) {
				t.Error("Seal output contains the plaintext")
			}
			got, err := s.Open(sealed, ad)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, plaintext) {
				t.Errorf("Open = %x, want %x", got, plaintext)
			}
		})
	}
}

func TestSealFreshNonce(t *testing.T) {
	s := testSealer(t, testTOTPLabel)
	a, b := s.Seal([]byte("secret"), nil), s.Seal([]byte("secret"), nil)
	if bytes.Equal(a[:sealNonceSize], b[:sealNonceSize]) {
		t.Error("two Seal calls used the same nonce")
	}
}

// TestSealDoesNotAlias checks that Seal leaves its arguments alone and that
// Open's result does not share memory with its input.
func TestSealDoesNotAlias(t *testing.T) {
	s := testSealer(t, testTOTPLabel)
	plaintext, ad := []byte("secret"), []byte("ad")
	sealed := s.Seal(plaintext, ad)
	if string(plaintext) != "secret" || string(ad) != "ad" {
		t.Fatal("Seal modified its arguments")
	}
	kept := bytes.Clone(sealed)
	got, err := s.Open(sealed, ad)
	if err != nil {
		t.Fatal(err)
	}
	clear(got)
	if !bytes.Equal(sealed, kept) {
		t.Error("clearing Open's result changed the sealed value")
	}
}

func TestSealOpenFails(t *testing.T) {
	v := sealVectors[0]
	sealed, ad := mustHex(t, v.sealed), []byte(v.ad)
	flip := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 0x01
		return b
	}
	otherPepper := testPepper()
	otherPepper[0] ^= 0x80
	other, err := otherPepper.Sealer(v.label)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		sealer *Sealer
		sealed []byte
		ad     []byte
	}{
		{"FlippedNonce", testSealer(t, v.label), flip(0), ad},
		{"FlippedCiphertext", testSealer(t, v.label), flip(sealNonceSize + 3), ad},
		{"FlippedTag", testSealer(t, v.label), flip(len(sealed) - 1), ad},
		{"WrongLabel", testSealer(t, testNameLabel), sealed, ad},
		{"WrongPepper", other, sealed, ad},
		{"WrongAdditionalData", testSealer(t, v.label), sealed, []byte("mallory@example.org")},
		{"NoAdditionalData", testSealer(t, v.label), sealed, nil},
		{"TruncatedTag", testSealer(t, v.label), sealed[:len(sealed)-1], ad},
		{"OnlyNonceAndTag", testSealer(t, v.label), sealed[:SealOverhead], ad},
		{"ShorterThanOverhead", testSealer(t, v.label), sealed[:SealOverhead-1], ad},
		{"OnlyNonce", testSealer(t, v.label), sealed[:sealNonceSize], ad},
		{"Empty", testSealer(t, v.label), nil, ad},
		{"Extended", testSealer(t, v.label), append(bytes.Clone(sealed), 0), ad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.sealer.Open(tt.sealed, tt.ad)
			if !errors.Is(err, ErrOpen) {
				t.Errorf("Open: err = %v, want ErrOpen", err)
			}
			if got != nil {
				t.Errorf("Open returned %x with an error", got)
			}
		})
	}
}

func TestPepperSealerInvalid(t *testing.T) {
	tests := []struct {
		name   string
		pepper Pepper
		label  string
	}{
		{"NilPepper", nil, testTOTPLabel},
		{"ShortPepper", testPepper()[:MinPepperSize-1], testTOTPLabel},
		{"ZeroPepper", make(Pepper, MinPepperSize), testTOTPLabel},
		{"EmptyLabel", testPepper(), ""},
		{"NULInLabel", testPepper(), "tipline\x00totp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.pepper.Sealer(tt.label)
			if err == nil {
				t.Fatalf("Sealer = %v, want an error", s)
			}
			if s != nil {
				t.Error("Sealer returned a Sealer with an error")
			}
		})
	}
	// A longer pepper is fine (config asks for at least 32 bytes).
	if _, err := append(testPepper(), 0xff).Sealer(testTOTPLabel); err != nil {
		t.Errorf("33-byte pepper: %v", err)
	}
}

func TestSealerRedaction(t *testing.T) {
	s := testSealer(t, testTOTPLabel)
	want := "crypto.Sealer(" + testTOTPLabel + ")"
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%d"} {
		for _, arg := range []any{s, *s} {
			if got := fmt.Sprintf(format, arg); got != want {
				t.Errorf("Sprintf(%q, %T) = %q, want %q", format, arg, got, want)
			}
		}
	}
	if got := fmt.Sprintf("%q", s); got != fmt.Sprintf("%q", want) {
		t.Errorf("%%q: %s", got)
	}
	type holder struct{ S *Sealer }
	if got := fmt.Sprintf("%+v", holder{s}); got != "{S:"+want+"}" {
		t.Errorf("in a struct: %s", got)
	}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "sealer", s)
	if !strings.Contains(logged.String(), want) {
		t.Errorf("slog: %s", logged.String())
	}
	js, err := json.Marshal(holder{s})
	if err != nil {
		t.Fatal(err)
	}
	if string(js) != `{"S":{}}` {
		t.Errorf("json: %s", js)
	}
}

func FuzzSealerOpen(f *testing.F) {
	for _, v := range sealVectors {
		f.Add(mustHex(f, v.sealed), []byte(v.ad))
	}
	f.Add([]byte{}, []byte{})
	s := testSealer(f, testTOTPLabel)
	f.Fuzz(func(t *testing.T, sealed, ad []byte) {
		got, err := s.Open(sealed, ad)
		if err != nil {
			if !errors.Is(err, ErrOpen) || got != nil {
				t.Fatalf("Open = %x, %v", got, err)
			}
			return
		}
		// Only a value sealed under this label opens: the TOTP vector.
		if !bytes.Equal(sealed, mustHex(t, sealVectors[0].sealed)) && !bytes.Equal(sealed, mustHex(t, sealVectors[2].sealed)) {
			t.Fatalf("forged value opened: %x", sealed)
		}
	})
}

func FuzzSealRoundTrip(f *testing.F) {
	f.Add([]byte("Jane Q. Public"), []byte("8b3c0c3e-claim"))
	f.Add([]byte{}, []byte{})
	s := testSealer(f, testNameLabel)
	f.Fuzz(func(t *testing.T, plaintext, ad []byte) {
		got, err := s.Open(s.Seal(plaintext, ad), ad)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, plaintext) {
			t.Fatalf("Open = %x, want %x", got, plaintext)
		}
	})
}
