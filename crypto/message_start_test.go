package crypto

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestReadMessageStart(t *testing.T) {
	alice, bob, carol := testKey(t, "alice"), testKey(t, "bob"), testKey(t, "carol")
	message := encryptBytes(t, pseudoRandom(200_000, 3), alice, bob)
	keyPackets, _, err := split(message, alice, bob)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		for _, n := range []int{len(message), 64 << 10, len(keyPackets) + 8} {
			r := bufio.NewReader(bytes.NewReader(message[:n]))
			start, err := ReadMessageStart(r, bob, alice)
			if err != nil {
				t.Fatalf("first %d bytes: %v", n, err)
			}
			rest, _ := io.ReadAll(r)
			if !bytes.HasPrefix(start, keyPackets) || !bytes.Equal(cat(start, rest), message[:n]) {
				t.Errorf("first %d bytes: start and rest do not add up to the input", n)
			}
		}
	})
	tests := []struct {
		name       string
		input      []byte
		recipients []*PublicKey
	}{
		{"ErrPlaintext", []byte("The shipment left Singapore on Monday."), []*PublicKey{alice, bob}},
		{"ErrForeignKey", message[:64<<10], []*PublicKey{alice, carol}},
		{"ErrMissingRecipient", message[:64<<10], []*PublicKey{alice, bob, carol}},
		{"ErrKeyPacketsOnly", keyPackets, []*PublicKey{alice, bob}},
		{"ErrCutInKeyPacket", message[:len(keyPackets)-5], []*PublicKey{alice, bob}},
		{"ErrLiteral", cat(keyPackets, newFormat(tagLiteral, []byte("b\x00\x00\x00\x00\x00plain"))), []*PublicKey{alice, bob}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadMessageStart(bufio.NewReader(bytes.NewReader(tt.input)), tt.recipients...)
			if !errors.Is(err, ErrInvalidMessage) {
				t.Errorf("err = %v, want ErrInvalidMessage", err)
			}
		})
	}
}
