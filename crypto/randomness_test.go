package crypto

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestSplitMessageRefusesPlaintextBody is the reproduction of a client that
// stored plaintext as a "browser-encrypted" tip: the desk's real key packets
// followed by an encrypted data packet whose body is the plaintext. The
// packet structure is valid; only the body's statistics give it away.
func TestSplitMessageRefusesPlaintextBody(t *testing.T) {
	alice := testKey(t, "alice")
	keyPackets, _, err := split(encryptBytes(t, pseudoRandom(1000, 1), alice), alice)
	if err != nil {
		t.Fatal(err)
	}
	english := []byte(strings.Repeat("Dear investigators, the shipment of 200 H100 boards left Shenzhen on Monday. ", 200))
	chinese := []byte(strings.Repeat("深圳华芯科技有限公司通过新加坡转运了两百台芯片，货物被重新贴标。", 100))
	random := make([]byte, 3*checkWindow)
	rand.Read(random)
	tests := []struct {
		name string
		body []byte // after the SEIPD version byte
	}{
		{"English", english},
		{"Chinese", chinese},
		{"Zeros", make([]byte, 100_000)},
		{"ShortText", []byte("The forwarder is Hai Xing Logistics, Jurong, Singapore.")[:50]},
		{"TextAfterRandomWindows", cat(random, english)},
		{"TextInTail", cat(random[:checkWindow-1], english[:100])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := cat(keyPackets, newFormat(tagSEIPD, cat([]byte{1}, tt.body)))
			_, err := SplitMessage(bytes.NewReader(msg), io.Discard, alice)
			if tt.name == "ShortText" {
				// Under 64 bytes nothing is tested: too few bytes to tell.
				if err != nil {
					t.Fatalf("err = %v, want none for %d bytes", err, len(tt.body)+1)
				}
				return
			}
			if !errors.Is(err, ErrInvalidMessage) || !strings.Contains(err.Error(), "does not look encrypted") {
				t.Fatalf("err = %v, want a refusal that says it does not look encrypted", err)
			}
		})
	}
}

// TestCiphertextCheckPassesCiphertext runs real messages of many sizes, and
// random bytes written in odd pieces, through the check.
func TestCiphertextCheckPassesCiphertext(t *testing.T) {
	alice := testKey(t, "alice")
	for _, size := range []int{0, 1, 63, 64, 100, 4095, 4096, 4097, 100_000, 1 << 20} {
		plaintext := bytes.Repeat([]byte("A"), size) // plaintext that is anything but random
		msg := encryptBytes(t, plaintext, alice)
		if _, err := SplitMessage(bytes.NewReader(msg), io.Discard, alice); err != nil {
			t.Errorf("%d bytes of text encrypted: %v", size, err)
		}
	}
	random := make([]byte, 10<<20)
	rand.Read(random)
	var c CiphertextCheck
	for p, n := random, 1; len(p) > 0; n = n*7%9973 + 1 {
		k := min(n, len(p))
		if _, err := c.Write(p[:k]); err != nil {
			t.Fatalf("random bytes refused: %v", err)
		}
		p = p[k:]
	}
	if err := c.Close(); err != nil {
		t.Fatalf("random bytes refused at Close: %v", err)
	}
}

// TestCiphertextCheckKeepsRefusing checks that a refusal sticks.
func TestCiphertextCheckKeepsRefusing(t *testing.T) {
	var c CiphertextCheck
	if _, err := c.Write(make([]byte, checkWindow)); err == nil {
		t.Fatal("a window of zeros passed")
	}
	random := make([]byte, checkWindow)
	rand.Read(random)
	if _, err := c.Write(random); err == nil {
		t.Error("Write after a refusal succeeded")
	}
	if err := c.Close(); err == nil {
		t.Error("Close after a refusal succeeded")
	}
}

func BenchmarkCiphertextCheck(b *testing.B) {
	random := make([]byte, 1<<20)
	rand.Read(random)
	b.SetBytes(int64(len(random)))
	for b.Loop() {
		var c CiphertextCheck
		c.Write(random)
		c.Close()
	}
}
