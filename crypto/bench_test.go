package crypto

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"
)

// BenchmarkEncrypt measures server-side encryption (the no-JavaScript path)
// to one recipient of the interoperable profile (SEIPD v1).
func BenchmarkEncrypt(b *testing.B) {
	key := testKey(b, "alice")
	const size = 64 << 20
	b.SetBytes(size)
	for b.Loop() {
		w, err := Encrypt(io.Discard, key)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyN(w, rand.NewChaCha8([32]byte{}), size); err != nil {
			b.Fatal(err)
		}
		w.Close()
	}
}

// BenchmarkSplitMessage measures the validation of an uploaded message.
func BenchmarkSplitMessage(b *testing.B) {
	key := testKey(b, "alice")
	pr, pw := io.Pipe()
	go func() {
		w, _ := Encrypt(pw, key)
		io.CopyN(w, rand.NewChaCha8([32]byte{}), 64<<20)
		w.Close()
		pw.Close()
	}()
	msg, err := io.ReadAll(pr)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, err := SplitMessage(bytes.NewReader(msg), io.Discard, key); err != nil {
			b.Fatal(err)
		}
	}
}
