package crypto

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/tipline/tipline/internal/testenv"
)

// splitEncrypt encrypts plaintext to recipients with EncryptSplit.
func splitEncrypt(t *testing.T, plaintext []byte, recipients ...*PublicKey) (keyPackets, body []byte) {
	t.Helper()
	var b bytes.Buffer
	w, keyPackets, err := EncryptSplit(&b, recipients...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plaintext); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return keyPackets, b.Bytes()
}

func joined(t *testing.T, keyPackets, body []byte) []byte {
	t.Helper()
	m, err := io.ReadAll(JoinMessage(keyPackets, bytes.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestWrapSessionKey(t *testing.T) {
	alice, bob, carol := testKey(t, "alice"), testKey(t, "bob"), testKey(t, "carol")
	plaintext := pseudoRandom(50_000, 7)
	keyPackets, body := splitEncrypt(t, plaintext, alice, carol)

	grant, err := WrapSessionKey(keyPackets, testPrivateKey(t, "alice.sec.asc"), bob)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := PKESKKeyIDs(grant)
	if err != nil || len(ids) != 1 {
		t.Fatalf("PKESKKeyIDs(grant) = %v, %v; want one key id", ids, err)
	}
	if ids[0] != bob.EncryptionKeyIDs()[0] {
		t.Errorf("grant key id %X, want bob's %X", ids[0], bob.EncryptionKeyIDs())
	}
	if err := CheckGrantPacket(grant, keyPackets, bob); err != nil {
		t.Errorf("CheckGrantPacket(grant, bob): %v", err)
	}
	if err := CheckGrantPacket(grant, keyPackets, carol); !errors.Is(err, ErrInvalidMessage) {
		t.Errorf("CheckGrantPacket(grant, carol) = %v, want ErrInvalidMessage", err)
	}
	if err := CheckGrantPacket(append(grant, grant...), keyPackets, bob); !errors.Is(err, ErrInvalidMessage) {
		t.Errorf("CheckGrantPacket(two packets) = %v, want ErrInvalidMessage", err)
	}

	// The new key packet alone opens the body for bob.
	if got := decryptBytes(t, joined(t, grant, body), testPrivateKey(t, "bob.sec.asc")); !bytes.Equal(got, plaintext) {
		t.Error("Decrypt([grant]+body) with bob: plaintext differs")
	}
	// And joined after the message's own key packets, for everyone.
	all := joined(t, append(bytes.Clone(keyPackets), grant...), body)
	for _, name := range []string{"alice", "bob", "carol"} {
		if got := decryptBytes(t, all, testPrivateKey(t, name+".sec.asc")); !bytes.Equal(got, plaintext) {
			t.Errorf("Decrypt(all key packets + body) with %s: plaintext differs", name)
		}
	}

	// Bob cannot wrap what was not encrypted to him.
	if _, err := WrapSessionKey(keyPackets, testPrivateKey(t, "bob.sec.asc"), carol); !errors.Is(err, ErrNotWrapped) {
		t.Errorf("WrapSessionKey by a non-recipient = %v, want ErrNotWrapped", err)
	}
}

func TestPKESKKeyIDs(t *testing.T) {
	alice, bob := testKey(t, "alice"), testKey(t, "bob")
	keyPackets, body := splitEncrypt(t, []byte("x"), alice, bob)
	ids, err := PKESKKeyIDs(keyPackets)
	if err != nil || len(ids) != 2 {
		t.Fatalf("PKESKKeyIDs = %v, %v; want two", ids, err)
	}
	for name, in := range map[string][]byte{
		"empty":     nil,
		"body":      body,
		"with body": joined(t, keyPackets, body),
		"truncated": keyPackets[:len(keyPackets)-3],
		"text":      []byte("hello"),
	} {
		if _, err := PKESKKeyIDs(in); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("PKESKKeyIDs(%s) = %v, want ErrInvalidMessage", name, err)
		}
	}
}

func TestKeyPacketsFor(t *testing.T) {
	alice, bob, carol := testKey(t, "alice"), testKey(t, "bob"), testKey(t, "carol")
	plaintext := []byte("for bob's eyes, and alice's")
	keyPackets, body := splitEncrypt(t, plaintext, alice, bob)
	mine, err := KeyPacketsFor(keyPackets, bob)
	if err != nil {
		t.Fatal(err)
	}
	if ids, err := PKESKKeyIDs(mine); err != nil || len(ids) != 1 || ids[0] != bob.EncryptionKeyIDs()[0] {
		t.Fatalf("KeyPacketsFor(bob) holds key ids %X, %v; want bob's only", ids, err)
	}
	if !bytes.Contains(keyPackets, mine) {
		t.Error("KeyPacketsFor changed the packet's bytes")
	}
	if got := decryptBytes(t, joined(t, mine, body), testPrivateKey(t, "bob.sec.asc")); !bytes.Equal(got, plaintext) {
		t.Error("bob's packet alone does not open the body")
	}
	if none, err := KeyPacketsFor(keyPackets, carol); err != nil || none != nil {
		t.Errorf("KeyPacketsFor(carol) = %x, %v; want nothing", none, err)
	}
	if _, err := KeyPacketsFor(body, bob); !errors.Is(err, ErrInvalidMessage) {
		t.Errorf("KeyPacketsFor(body) = %v, want ErrInvalidMessage", err)
	}
}

// TestWrapSessionKeyGnuPG is the grant test of issue 4: a message
// encrypted to a go-crypto key, granted to a GnuPG key by wrapping its
// session key, decrypts in GnuPG with only the new key packet.
func TestWrapSessionKeyGnuPG(t *testing.T) {
	g := testenv.NewGPG(t)
	to, err := ParsePublicKey(g.Public, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	plaintext := pseudoRandom(100_000, 9)
	keyPackets, body := splitEncrypt(t, plaintext, testKey(t, "alice"))
	grant, err := WrapSessionKey(keyPackets, testPrivateKey(t, "alice.sec.asc"), to)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckGrantPacket(grant, keyPackets, to); err != nil {
		t.Fatal(err)
	}
	if got := g.Decrypt(joined(t, grant, body)); !bytes.Equal(got, plaintext) {
		t.Errorf("gpg --decrypt of [grant]+body: got %d bytes, want the %d bytes of plaintext", len(got), len(plaintext))
	}
	// As GET /api/v1/objects/:id serves it: the object's key packets first.
	if got := g.Decrypt(joined(t, append(bytes.Clone(keyPackets), grant...), body)); !bytes.Equal(got, plaintext) {
		t.Errorf("gpg --decrypt of [own, grant]+body: got %d bytes, want %d", len(got), len(plaintext))
	}
}
