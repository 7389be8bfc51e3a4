package crypto

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestReadPrivateKey(t *testing.T) {
	tests := []struct {
		name       string
		file       string
		passphrase string
		want       error
	}{
		{"GenerateKey", "alice.sec.asc", "test", nil},
		{"OpenPGPjs", "openpgpjs/key.sec.asc", "test", nil},
		{"GnuPGUnprotected", "gnupg/ed25519.sec.asc", "", nil},
		{"ErrWrongPassphrase", "alice.sec.asc", "wrong", ErrWrongPassphrase},
		{"ErrWrongPassphrase/Empty", "alice.sec.asc", "", ErrWrongPassphrase},
		{"ErrNotAKey/PublicKey", "alice.pub.asc", "test", ErrNotAKey},
		{"ErrNotAKey/Message", "openpgpjs/alice-stream.pgp", "test", ErrNotAKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ReadPrivateKey(readTestdata(t, tt.file), []byte(tt.passphrase))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err == nil && len(k.Fingerprint) != 40 {
				t.Errorf("Fingerprint = %q, want 40 hex digits", k.Fingerprint)
			}
		})
	}
}

func TestDecryptOpenPGPjs(t *testing.T) {
	message := readTestdata(t, "openpgpjs/alice-openpgpjs.pgp")
	for _, file := range []string{"alice.sec.asc", "openpgpjs/key.sec.asc"} {
		if got := decryptBytes(t, message, testPrivateKey(t, file)); !bytes.Equal(got, openpgpjsText) {
			t.Errorf("%s: decrypted text differs", file)
		}
	}
}

func TestDecryptErrors(t *testing.T) {
	alice := testKey(t, "alice")
	aliceKey := testPrivateKey(t, "alice.sec.asc")
	message := encryptBytes(t, pseudoRandom(100_000, 5), alice)

	t.Run("ErrWrongKey", func(t *testing.T) {
		_, err := Decrypt(bytes.NewReader(message), testPrivateKey(t, "bob.sec.asc"))
		if !errors.Is(err, ErrWrongKey) {
			t.Errorf("err = %v, want ErrWrongKey", err)
		}
	})
	t.Run("NotEncrypted", func(t *testing.T) {
		_, err := Decrypt(bytes.NewReader(newFormat(tagLiteral, []byte("b\x00\x00\x00\x00\x00tip"))), aliceKey)
		if !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("err = %v, want ErrInvalidMessage", err)
		}
	})

	// A modified or truncated message must end in ErrIntegrity, not io.EOF.
	for _, tt := range []struct {
		name    string
		message []byte
	}{
		{"FlippedByteInMiddle", flipByte(message, len(message)/2)},
		{"FlippedLastByte", flipByte(message, len(message)-1)},
		{"Truncated", message[:len(message)-30]},
	} {
		t.Run("ErrIntegrity/"+tt.name, func(t *testing.T) {
			r, err := Decrypt(bytes.NewReader(tt.message), aliceKey)
			if err == nil {
				_, err = io.ReadAll(r)
			}
			if !errors.Is(err, ErrIntegrity) {
				t.Fatalf("err = %v, want ErrIntegrity", err)
			}
			if r != nil {
				if _, again := r.Read(make([]byte, 10)); again != err {
					t.Errorf("next Read: %v, want the same error", again)
				}
			}
		})
	}
}
