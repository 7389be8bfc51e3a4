package crypto

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// The fixed test keys in testdata were made by GenerateKey; their
// passphrase is testPassphrase.
var (
	testNames      = []string{"alice", "bob", "carol"}
	testPassphrase = []byte("test")
)

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// testKey returns the public key testdata/name.pub.asc.
func testKey(tb testing.TB, name string) *PublicKey {
	tb.Helper()
	k, err := ParsePublicKey(readTestdata(tb, name+".pub.asc"), time.Now())
	if err != nil {
		tb.Fatalf("ParsePublicKey(%s): %v", name, err)
	}
	return k
}

// testKeys returns the first n fixed test keys.
func testKeys(tb testing.TB, n int) []*PublicKey {
	tb.Helper()
	keys := make([]*PublicKey, n)
	for i := range keys {
		keys[i] = testKey(tb, testNames[i])
	}
	return keys
}

var privateKeys sync.Map // file name → *PrivateKey: unlocking takes a while

// testPrivateKey returns the unlocked private key in testdata/file.
func testPrivateKey(tb testing.TB, file string) *PrivateKey {
	tb.Helper()
	if k, ok := privateKeys.Load(file); ok {
		return k.(*PrivateKey)
	}
	k, err := ReadPrivateKey(readTestdata(tb, file), testPassphrase)
	if err != nil {
		tb.Fatalf("ReadPrivateKey(%s): %v", file, err)
	}
	privateKeys.Store(file, k)
	return k
}

// encryptBytes encrypts plaintext with Encrypt.
func encryptBytes(tb testing.TB, plaintext []byte, recipients ...*PublicKey) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w, err := Encrypt(&buf, recipients...)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.Write(plaintext); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// decryptBytes decrypts message with key and fails the test on any error.
func decryptBytes(tb testing.TB, message []byte, key *PrivateKey) []byte {
	tb.Helper()
	r, err := Decrypt(bytes.NewReader(message), key)
	if err != nil {
		tb.Fatalf("Decrypt with %s: %v", key.Fingerprint, err)
	}
	got, err := io.ReadAll(r)
	if err != nil {
		tb.Fatalf("reading plaintext with %s: %v", key.Fingerprint, err)
	}
	return got
}

// split runs SplitMessage on message.
func split(message []byte, recipients ...*PublicKey) (keyPackets, body []byte, err error) {
	var b bytes.Buffer
	keyPackets, err = SplitMessage(bytes.NewReader(message), &b, recipients...)
	return keyPackets, b.Bytes(), err
}

// pseudoRandom returns n deterministic bytes that do not compress.
func pseudoRandom(n int, seed byte) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{seed}).Read(b)
	return b
}
