package crypto

import (
	"bytes"
	"testing"
)

// TestSEIPDWriterWriteSizes checks that the SEIPD v1 writer makes the same
// message whatever the sizes of the Writes it is given, and what it holds
// between two Writes: never a chunk buffer of the encrypted packet (only
// what is left over after the last chunk, parked in a small array), and,
// for Writes of whole chunks as the intake's read-ahead makes them, no
// chunk buffer of the literal packet either: each chunk is sealed from
// the Write itself. A slow upload, whose chunks arrive seconds apart,
// thus holds almost nothing here while it waits.
func TestSEIPDWriterWriteSizes(t *testing.T) {
	key := testPrivateKey(t, "alice.sec.asc")
	plaintext := pseudoRandom(2*seipdChunk+1000, 7)
	want := len(encryptBytes(t, plaintext, testKey(t, "alice")))
	for _, size := range []int{1, 1000, seipdChunk - 6, seipdChunk, seipdChunk + 1, 3 * seipdChunk} {
		var message bytes.Buffer
		wc, err := Encrypt(&message, testKey(t, "alice"))
		if err != nil {
			t.Fatal(err)
		}
		w := wc.(*seipdWriter)
		for p := plaintext; len(p) > 0; {
			n := min(size, len(p))
			if _, err := w.Write(p[:n]); err != nil {
				t.Fatal(err)
			}
			p = p[n:]
			if cap(w.sealed) > parkMax {
				t.Fatalf("writes of %d: %d bytes of the encrypted packet held between Writes", size, cap(w.sealed))
			}
			if n == seipdChunk && cap(w.literal) >= seipdChunk {
				t.Fatalf("writes of a chunk: a literal buffer of %d bytes", cap(w.literal))
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if message.Len() != want {
			t.Errorf("writes of %d: a message of %d bytes, %d with one Write", size, message.Len(), want)
		}
		if got := decryptBytes(t, message.Bytes(), key); !bytes.Equal(got, plaintext) {
			t.Errorf("writes of %d: decrypted %d bytes that differ", size, len(got))
		}
	}
}
