package server

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/tipline/tipline/intake"
)

// TestUploadSessionLimits is reproduction 2 of issue 11 over HTTP, on
// both backends: a session takes only what it declared, in order, and is
// refused and removed at its first chunk that is not ciphertext to the
// desk. Before, one cheap proof of work opened a session that took about
// 2 GiB of anything, in any order.
func TestUploadSessionLimits(t *testing.T) {
	onBothBackends(t, func(t *testing.T, ts *testServer) {
		addGPGKey(t, ts)
		keys := deskRecipients(t, ts)
		const cs = intake.MinChunkSize
		random := make([]byte, 3*cs)
		for i := range random {
			random[i] = byte(i*7 + i/251) // filler: encrypted below, never stored as such
		}
		msg := encryptTo(t, random, keys...)
		line := "Shipment of 400 accelerators relabelled in Singapore. " + canary + " "
		plain := []byte(strings.Repeat(line, cs/len(line)+1))
		open := func(size int) string {
			t.Helper()
			var u uploadAnswer
			if code := apiJSON(t, ts, http.MethodPost, "/api/v1/uploads", map[string]any{"desk": intake.DefaultDeskSlug, "size": size, "chunk_size": cs, "pow": solveUploadPow(t, ts, int64(size))}, &u); code != http.StatusCreated {
				t.Fatalf("POST /api/v1/uploads = %d", code)
			}
			return u.ID
		}
		gone := func(id string) {
			t.Helper()
			if code := apiCall(t, ts, http.MethodGet, "/api/v1/uploads/"+id, "", nil, nil); code != http.StatusNotFound {
				t.Errorf("GET the refused upload = %d, want 404", code)
			}
			if infos, _ := ts.deps.Blobs.List(context.Background(), "uploads/"); len(infos) != 0 {
				t.Errorf("%d chunk blobs kept", len(infos))
			}
		}

		t.Run("ErrPlaintextLaterChunk", func(t *testing.T) {
			id := open(len(msg))
			if code := putChunk(t, ts, id, 0, msg[:cs]); code != http.StatusOK {
				t.Fatalf("PUT chunk 0 = %d", code)
			}
			if code := putChunk(t, ts, id, 1, plain[:cs]); code != http.StatusUnprocessableEntity {
				t.Errorf("PUT plaintext chunk 1 = %d, want 422", code)
			}
			gone(id)
		})
		t.Run("ErrPlaintextChunk0", func(t *testing.T) {
			id := open(len(msg))
			if code := putChunk(t, ts, id, 0, plain[:cs]); code != http.StatusUnprocessableEntity {
				t.Errorf("PUT plaintext chunk 0 = %d, want 422", code)
			}
			gone(id)
		})
		t.Run("ErrOutOfOrderAndBeyondSize", func(t *testing.T) {
			id := open(cs + 100)
			if code := putChunk(t, ts, id, 1, msg[cs:2*cs]); code != http.StatusConflict {
				t.Errorf("PUT chunk 1 first = %d, want 409", code)
			}
			if code := putChunk(t, ts, id, 0, msg[:cs]); code != http.StatusOK {
				t.Fatalf("PUT chunk 0 = %d", code)
			}
			if code := putChunk(t, ts, id, 1, msg[cs:2*cs]); code != http.StatusRequestEntityTooLarge {
				t.Errorf("PUT chunk 1 past the declared size = %d, want 413", code)
			}
			var state uploadAnswer
			if code := apiCall(t, ts, http.MethodGet, "/api/v1/uploads/"+id, "", nil, &state); code != http.StatusOK || state.Bytes != cs {
				t.Errorf("GET upload = %d %+v, want chunk 0 only", code, state)
			}
		})
		if code := apiJSON(t, ts, http.MethodPost, "/api/v1/uploads", map[string]any{"desk": intake.DefaultDeskSlug, "size": 3 << 30, "pow": solveUploadPow(t, ts, 1)}, nil); code != http.StatusRequestEntityTooLarge {
			t.Errorf("3 GiB declared = %d, want 413", code)
		}
	})
}
