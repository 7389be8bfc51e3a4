package crypto

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// goCryptoKey makes a key with go-crypto, lets change alter it, and returns
// it armored as a public key.
func goCryptoKey(tb testing.TB, config *packet.Config, change func(*openpgp.Entity)) []byte {
	tb.Helper()
	e, err := openpgp.NewEntity("Test", "", "gocrypto@example.org", config)
	if err != nil {
		tb.Fatal(err)
	}
	if change != nil {
		change(e)
	}
	b, err := armorBlock(openpgp.PublicKeyType, e.Serialize)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// armorBytes armors raw packets as blockType.
func armorBytes(tb testing.TB, blockType string, raw []byte) []byte {
	tb.Helper()
	b, err := armorBlock(blockType, func(w io.Writer) error {
		_, err := w.Write(raw)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// dearmor returns the binary contents of an armored block.
func dearmor(tb testing.TB, armored []byte) []byte {
	tb.Helper()
	block, err := armor.Decode(bytes.NewReader(armored))
	if err != nil {
		tb.Fatal(err)
	}
	b, err := io.ReadAll(block.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestParsePublicKey(t *testing.T) {
	hour := &packet.Config{KeyLifetimeSecs: 3600}
	alicePub := readTestdata(t, "alice.pub.asc")
	tests := []struct {
		name    string
		armored []byte
		after   time.Duration // parse this long after now
		at      time.Time     // or parse at this time
		want    error         // nil for a key that must be accepted
		wantFpr string        // for accepted keys and in refusals that know it
	}{
		{name: "GenerateKey", armored: alicePub, wantFpr: "06137DA46CFFF67AEA69C4618BEA6BE99D5F22F1"},
		{name: "GnuPGEd25519", armored: readTestdata(t, "gnupg/ed25519.pub.asc"), wantFpr: "206F7717FE017B7B8780BBE752DCA4407409F8BB"},
		{name: "GnuPGRSA3072", armored: readTestdata(t, "gnupg/rsa3072.pub.asc"), wantFpr: "EA9FB28191658A53B8A21D2DAA08928D749CE682"},
		{name: "OpenPGPjs", armored: readTestdata(t, "openpgpjs/key.pub.asc"), wantFpr: "1117AEEC7C9B1FD0CFDC8D77ED2BE4C78D892E21"},
		{name: "GoCryptoDefault", armored: goCryptoKey(t, nil, nil)},
		{name: "ArmorWithLeadingText", armored: append([]byte("Here is my key:\n\n"), alicePub...)},

		{name: "ErrPrivateKey", armored: readTestdata(t, "alice.sec.asc"), want: ErrPrivateKey},
		{name: "ErrPrivateKey/GnuPG", armored: readTestdata(t, "gnupg/ed25519.sec.asc"), want: ErrPrivateKey},
		{name: "ErrPrivateKey/AfterPublic", armored: append(alicePub, readTestdata(t, "bob.sec.asc")...), want: ErrPrivateKey},
		{name: "ErrPrivateKey/LabelledPublic", armored: armorBytes(t, openpgp.PublicKeyType, dearmor(t, readTestdata(t, "alice.sec.asc"))), want: ErrPrivateKey},
		{name: "ErrMultipleKeys/TwoBlocks", armored: append(alicePub, readTestdata(t, "bob.pub.asc")...), want: ErrMultipleKeys},
		{name: "ErrMultipleKeys/OneBlock", armored: armorBytes(t, openpgp.PublicKeyType, append(dearmor(t, alicePub), dearmor(t, readTestdata(t, "bob.pub.asc"))...)), want: ErrMultipleKeys},
		{name: "ErrNotAKey/Empty", armored: nil, want: ErrNotAKey},
		{name: "ErrNotAKey/Text", armored: []byte("hello, this is not a key\n"), want: ErrNotAKey},
		{name: "ErrNotAKey/Binary", armored: dearmor(t, alicePub), want: ErrNotAKey},
		{name: "ErrNotAKey/Message", armored: armorBytes(t, "PGP MESSAGE", encryptBytes(t, []byte("hi"), testKey(t, "alice"))), want: ErrNotAKey},
		{name: "ErrNotAKey/RandomInArmor", armored: armorBytes(t, openpgp.PublicKeyType, pseudoRandom(500, 1)), want: ErrNotAKey},
		{name: "ErrNotAKey/Truncated", armored: armorBytes(t, openpgp.PublicKeyType, dearmor(t, alicePub)[:200]), want: ErrNotAKey},
		{name: "ErrNotAKey/BadSelfSignature", armored: armorBytes(t, openpgp.PublicKeyType, flipByte(dearmor(t, alicePub), 150)), want: ErrNotAKey},
		{name: "ErrNoEncryptionKey/SignOnly", armored: readTestdata(t, "gnupg/signonly.pub.asc"), want: ErrNoEncryptionKey, wantFpr: "026FA708DFE9A278635DD181B28DBCFAEA0EC35C"},
		{name: "ErrNoEncryptionKey/ExpiredSubkey", armored: readTestdata(t, "gnupg/expired-subkey.pub.asc"), want: ErrNoEncryptionKey, wantFpr: "4247B204673CE9DC490EC0E1E99FA2DD9104D764"},
		{name: "ErrNoEncryptionKey/RevokedSubkey", armored: goCryptoKey(t, nil, func(e *openpgp.Entity) {
			if err := e.RevokeSubkey(&e.Subkeys[0], packet.KeySuperseded, "", nil); err != nil {
				t.Fatal(err)
			}
		}), want: ErrNoEncryptionKey},
		{name: "ErrKeyExpired/GnuPG", armored: readTestdata(t, "gnupg/expired.pub.asc"), want: ErrKeyExpired, wantFpr: "BF37FCB5B7BD573B402159AA019BDECCDD10F388"},
		{name: "ErrKeyExpired/GoCrypto", armored: goCryptoKey(t, hour, nil), after: 2 * time.Hour, want: ErrKeyExpired},
		{name: "GoCryptoNotExpiredYet", armored: goCryptoKey(t, hour, nil), after: 30 * time.Minute},
		{name: "ErrKeyExpired/NotValidYet", armored: alicePub, at: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), want: ErrKeyExpired},
		{name: "ErrKeyRevoked/GnuPG", armored: readTestdata(t, "gnupg/revoked.pub.asc"), want: ErrKeyRevoked, wantFpr: "17846EB538ABF69C1DF4B5A174BFCDFF8FC7F69E"},
		{name: "ErrKeyRevoked/GoCrypto", armored: goCryptoKey(t, nil, func(e *openpgp.Entity) {
			if err := e.RevokeKey(packet.KeyRetired, "", nil); err != nil {
				t.Fatal(err)
			}
		}), want: ErrKeyRevoked},
		{name: "ErrWeakKey/RSA1024", armored: goCryptoKey(t, &packet.Config{Algorithm: packet.PubKeyAlgoRSA, RSABits: 1024}, nil), want: ErrWeakKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := tt.at
			if at.IsZero() {
				at = time.Now().Add(tt.after)
			}
			k, err := ParsePublicKey(tt.armored, at)
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("err = %v, want %v", err, tt.want)
				}
				if !strings.HasPrefix(err.Error(), "crypto: ") || !strings.Contains(err.Error(), tt.wantFpr) {
					t.Errorf("err = %q, want the prefix crypto: and the fingerprint %q", err, tt.wantFpr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantFpr != "" && k.Fingerprint != tt.wantFpr {
				t.Errorf("Fingerprint = %s, want %s", k.Fingerprint, tt.wantFpr)
			}
			if len(k.UserIDs) == 0 || k.Created.IsZero() || len(k.EncryptionKeyIDs()) == 0 {
				t.Errorf("got UserIDs %q, Created %v, EncryptionKeyIDs %v: want all set", k.UserIDs, k.Created, k.EncryptionKeyIDs())
			}
			again, err := ParsePublicKey([]byte(k.Armored), at)
			if err != nil {
				t.Fatalf("ParsePublicKey(Armored): %v", err)
			}
			if again.Fingerprint != k.Fingerprint {
				t.Errorf("Armored has fingerprint %s, want %s", again.Fingerprint, k.Fingerprint)
			}
			if strings.Contains(k.Armored, "PRIVATE") {
				t.Error("Armored holds a private key block")
			}
		})
	}
}

// flipByte returns a copy of b with the byte at i inverted.
func flipByte(b []byte, i int) []byte {
	b = bytes.Clone(b)
	b[i] ^= 0xff
	return b
}

func TestPublicKeyFields(t *testing.T) {
	k := testKey(t, "alice")
	if got, want := k.UserIDs, []string{"Test alice <alice@example.org>"}; len(got) != 1 || got[0] != want[0] {
		t.Errorf("UserIDs = %q, want %q", got, want)
	}
	if want := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC); !k.Created.Equal(want) {
		t.Errorf("Created = %v, want %v", k.Created, want)
	}
	if !k.Expires.IsZero() {
		t.Errorf("Expires = %v, want zero", k.Expires)
	}
	// The encryption subkey, as gpg --list-packets shows it.
	if got := k.EncryptionKeyIDs(); len(got) != 1 || got[0] != 0x5D2C09CADA528E38 {
		t.Errorf("EncryptionKeyIDs = %X, want [5D2C09CADA528E38]", got)
	}

	at := time.Now()
	expiring, err := ParsePublicKey(goCryptoKey(t, &packet.Config{KeyLifetimeSecs: 3600, Time: func() time.Time { return at }}, nil), at)
	if err != nil {
		t.Fatal(err)
	}
	if want := at.Add(time.Hour).Truncate(time.Second); !expiring.Expires.Equal(want) {
		t.Errorf("Expires = %v, want %v", expiring.Expires, want)
	}
}
