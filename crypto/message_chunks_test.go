package crypto

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// checkInPieces checks message as an upload's chunks arrive: the start of
// the first piece with ReadBodyStart, then every piece of the body with a
// BodyCheck started from the state the previous one left.
func checkInPieces(message []byte, first, size int, recipients ...*PublicKey) (BodyState, error) {
	r := bufio.NewReader(bytes.NewReader(message[:min(first, len(message))]))
	_, _, state, err := ReadBodyStart(r, recipients...)
	if err != nil {
		return state, err
	}
	rest := message[min(first, len(message)):]
	var piece bytes.Buffer
	piece.ReadFrom(r)
	for {
		check := &BodyCheck{BodyState: state}
		if _, err := check.Write(piece.Bytes()); err != nil {
			return state, err
		}
		if err := check.EndPiece(); err != nil {
			return state, err
		}
		state = check.BodyState
		if len(rest) == 0 {
			return state, state.End()
		}
		n := min(size, len(rest))
		piece.Reset()
		piece.Write(rest[:n])
		rest = rest[n:]
	}
}

func TestBodyCheckInPieces(t *testing.T) {
	alice, bob := testKey(t, "alice"), testKey(t, "bob")
	message := encryptBytes(t, pseudoRandom(300_000, 7), alice, bob)
	keyPackets, _, err := split(message, alice, bob)
	if err != nil {
		t.Fatal(err)
	}
	first := len(keyPackets) + 8
	plaintext := []byte(strings.Repeat("The shipment left Singapore on Monday. ", 300))
	tests := []struct {
		name    string
		message []byte
		first   int
		size    int
		ok      bool
	}{
		{"whole", message, len(message), 0, true},
		{"64 KiB pieces", message, 64 << 10, 64 << 10, true},
		{"first piece just past the header", message, first, 100_000, true},
		{"one byte at a time", message[:20_000], first, 1, false}, // truncated, checked byte by byte
		{"odd pieces", message, first, 4099, true},
		{"truncated by one byte", message[:len(message)-1], 64 << 10, 64 << 10, false},
		{"one byte too many", cat(message, []byte{0}), 64 << 10, 64 << 10, false},
		{"a piece too many", cat(message, pseudoRandom(5000, 1)), 64 << 10, 64 << 10, false},
		{"definite length", cat(keyPackets, newFormat(tagSEIPD, cat([]byte{1}, pseudoRandom(20_000, 2)))), first, 5000, true},
		{"definite length, truncated", cat(keyPackets, newFormat(tagSEIPD, cat([]byte{1}, pseudoRandom(20_000, 2))))[:first+9000], first, 5000, false},
		{"plaintext body", cat(keyPackets, newFormat(tagSEIPD, cat([]byte{1}, plaintext))), first, 5000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state, err := checkInPieces(tt.message, tt.first, tt.size, alice, bob)
			if tt.ok && err != nil {
				t.Fatalf("checked in pieces: %v", err)
			}
			if !tt.ok && !errors.Is(err, ErrInvalidMessage) {
				t.Fatalf("checked in pieces: %v (state %+v), want ErrInvalidMessage", err, state)
			}
			// SplitMessage, reading the message whole, agrees.
			_, _, splitErr := split(tt.message, alice, bob)
			if (splitErr == nil) != tt.ok {
				t.Errorf("SplitMessage: %v, but in pieces ok = %t", splitErr, tt.ok)
			}
		})
	}
}

// TestBodyCheckLengthAcrossPieces splits a partial length header of every
// size between two pieces.
func TestBodyCheckLengthAcrossPieces(t *testing.T) {
	for _, header := range [][]byte{{0xe1}, {0xc5, 0x10}, {0xff, 0, 0, 0x01, 0}} {
		for cut := range len(header) + 1 {
			t.Run(fmt.Sprintf("%x/%d", header, cut), func(t *testing.T) {
				var want int64
				var partial bool
				want, partial, _, _ = readLength(bytes.NewReader(header), nil)
				b := &BodyCheck{BodyState: BodyState{Partial: true}}
				if _, err := b.Write(header[:cut]); err != nil {
					t.Fatal(err)
				}
				if _, err := b.Write(header[cut:]); err != nil {
					t.Fatal(err)
				}
				if b.Left != want || b.Partial != partial || len(b.Length) != 0 {
					t.Errorf("after the header: %+v, want %d bytes to come, partial %t", b.BodyState, want, partial)
				}
			})
		}
	}
}
