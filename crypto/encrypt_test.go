package crypto

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// TestRoundTrip encrypts, splits, joins and decrypts messages of several
// sizes to one, two and three recipients.
func TestRoundTrip(t *testing.T) {
	for _, size := range []int{0, 1, 1000, 1<<20 + 7} {
		for n := 1; n <= len(testNames); n++ {
			t.Run(fmt.Sprintf("%dB/%drecipients", size, n), func(t *testing.T) {
				recipients := testKeys(t, n)
				plaintext := pseudoRandom(size, byte(n))
				message := encryptBytes(t, plaintext, recipients...)

				keyPackets, body, err := split(message, recipients...)
				if err != nil {
					t.Fatalf("SplitMessage: %v", err)
				}
				joined, err := io.ReadAll(JoinMessage(keyPackets, bytes.NewReader(body)))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(joined, message) {
					t.Fatal("JoinMessage(SplitMessage(m)) != m")
				}
				for _, name := range testNames[:n] {
					got := decryptBytes(t, joined, testPrivateKey(t, name+".sec.asc"))
					if !bytes.Equal(got, plaintext) {
						t.Errorf("%s decrypted %d bytes, want the %d bytes of plaintext", name, len(got), len(plaintext))
					}
				}
			})
		}
	}
}

func TestEncryptSplit(t *testing.T) {
	recipients := testKeys(t, 2)
	plaintext := pseudoRandom(100_000, 7)
	var body bytes.Buffer
	w, keyPackets, err := EncryptSplit(&body, recipients...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plaintext); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	message, err := io.ReadAll(JoinMessage(keyPackets, &body))
	if err != nil {
		t.Fatal(err)
	}
	// SplitMessage cuts the message where EncryptSplit did.
	gotKeys, gotBody, err := split(message, recipients...)
	if err != nil {
		t.Fatalf("SplitMessage: %v", err)
	}
	if !bytes.Equal(gotKeys, keyPackets) || !bytes.Equal(append(gotKeys, gotBody...), message) {
		t.Error("SplitMessage cut the message elsewhere than EncryptSplit")
	}
	if got := decryptBytes(t, message, testPrivateKey(t, "bob.sec.asc")); !bytes.Equal(got, plaintext) {
		t.Error("decrypted text differs")
	}
}

// TestEncryptFormat checks the packets that Encrypt writes for the keys of
// GenerateKey: PKESK v3 per recipient and SEIPD v1, and inside it a literal
// data packet with no name and no date, uncompressed and unsigned.
func TestEncryptFormat(t *testing.T) {
	recipients := testKeys(t, 2)
	message := encryptBytes(t, []byte("hello"), recipients...)
	packets := packet.NewReader(bytes.NewReader(message))
	for i := range recipients {
		p, err := packets.Next()
		if err != nil {
			t.Fatal(err)
		}
		if ek, ok := p.(*packet.EncryptedKey); !ok || ek.Version != 3 {
			t.Fatalf("packet %d is %T, want a v3 EncryptedKey", i, p)
		}
	}
	p, err := packets.Next()
	if err != nil {
		t.Fatal(err)
	}
	if se, ok := p.(*packet.SymmetricallyEncrypted); !ok || se.Version != 1 || !se.IntegrityProtected {
		t.Fatalf("packet is %T (%+v), want SEIPD v1", p, p)
	}

	md, err := openpgp.ReadMessage(bytes.NewReader(message), openpgp.EntityList{testPrivateKey(t, "alice.sec.asc").e}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(md.UnverifiedBody); err != nil {
		t.Fatal(err)
	}
	if lit := md.LiteralData; lit.FileName != "" || lit.Time != 0 || !lit.IsBinary {
		t.Errorf("literal data has name %q, time %d, binary %v: want \"\", 0, true", lit.FileName, lit.Time, lit.IsBinary)
	}
	if md.IsSigned {
		t.Error("message is signed")
	}
}

// TestEncryptAEAD checks that keys asking for SEIPD v2 get it, and that
// SplitMessage and Decrypt take it.
func TestEncryptAEAD(t *testing.T) {
	config := &packet.Config{V6Keys: true, Algorithm: packet.PubKeyAlgoEd25519, AEADConfig: &packet.AEADConfig{DefaultMode: packet.AEADModeGCM}}
	e, err := openpgp.NewEntity("AEAD", "", "aead@example.org", config)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := armorBlock(openpgp.PublicKeyType, e.Serialize)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParsePublicKey(pub, e.PrimaryKey.CreationTime)
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Fingerprint) != 64 {
		t.Errorf("v6 fingerprint %q, want 64 hex digits", k.Fingerprint)
	}
	plaintext := pseudoRandom(300_000, 3)
	message := encryptBytes(t, plaintext, k)
	if _, _, err := split(message, k); err != nil {
		t.Fatalf("SplitMessage: %v", err)
	}
	packets := packet.NewReader(bytes.NewReader(message))
	if p, err := packets.Next(); err != nil || p.(*packet.EncryptedKey).Version != 6 {
		t.Fatalf("first packet %T, %v: want a v6 EncryptedKey", p, err)
	}
	if p, err := packets.Next(); err != nil || p.(*packet.SymmetricallyEncrypted).Version != 2 {
		t.Fatalf("second packet %T, %v: want SEIPD v2", p, err)
	}
	got := decryptBytes(t, message, &PrivateKey{Fingerprint: k.Fingerprint, e: e})
	if !bytes.Equal(got, plaintext) {
		t.Error("decrypted text differs")
	}
}

func TestEncryptNoRecipients(t *testing.T) {
	if _, err := Encrypt(io.Discard); err == nil {
		t.Error("Encrypt with no recipients: no error")
	}
}
