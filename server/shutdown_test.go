package server

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/tipline/tipline/intake"
)

// TestShutdownDrainsUploads stops a serving server while a browser's chunk
// is half sent. The listeners close at once and /readyz answers 503; a
// chunk whose rest arrives within the shutdown timeout is stored, and one
// still waiting when the timeout ends is cut with 503 and Retry-After, not
// recorded, and taken when the browser sends it again.
func TestShutdownDrainsUploads(t *testing.T) {
	tests := []struct {
		name       string
		sendRest   bool
		wantStatus int
		wantChunks string // the session's chunks after the shutdown
	}{
		{"the rest arrives within the timeout", true, http.StatusOK, "[0]"},
		{"the rest is still missing at the timeout", false, http.StatusServiceUnavailable, "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t)
			addGPGKey(t, ts)
			ts.deps.Config.ShutdownTimeout = 2 * time.Second
			if err := ts.Listen(); err != nil {
				t.Fatal(err)
			}
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			served := make(chan error, 1)
			go func() { served <- ts.Serve(ctx) }()

			evidence := make([]byte, intake.MinChunkSize/2)
			rand.Read(evidence)
			chunk := encryptTo(t, evidence, deskRecipients(t, ts)...)
			u := newUpload(t, ts, intake.MinChunkSize)

			body, send := io.Pipe()
			req, err := http.NewRequest(http.MethodPut, fmt.Sprintf("http://%s/api/v1/uploads/%s/chunks/0", ts.Addr("intake"), u.ID), body)
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = int64(len(chunk))
			req.Header.Set("Content-Type", "application/octet-stream")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			answered := make(chan *http.Response, 1)
			go func() {
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Errorf("PUT chunk: %v", err)
				}
				answered <- resp
			}()
			half := len(chunk) / 2
			if _, err := send.Write(chunk[:half]); err != nil {
				t.Fatal(err)
			}

			pollFor(t, "the chunk to be in flight", func() bool { return ts.life.inFlight.Load() > 0 })
			stop()
			pollFor(t, "/readyz to answer 503 while draining", func() bool {
				return ts.get("intake", "/readyz").Code == http.StatusServiceUnavailable
			})
			if conn, err := net.DialTimeout("tcp", ts.Addr("intake"), time.Second); err == nil {
				conn.Close()
				t.Error("the intake listener takes new connections while draining")
			}
			if tt.sendRest {
				if _, err := send.Write(chunk[half:]); err != nil {
					t.Fatal(err)
				}
			}

			resp := <-answered
			if resp == nil {
				t.Fatalf("no answer; server log:\n%s", ts.log)
			}
			var answer struct {
				Error struct{ Code string }
			}
			json.NewDecoder(resp.Body).Decode(&answer)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("PUT chunk during the shutdown = %d %+v, want %d", resp.StatusCode, answer, tt.wantStatus)
			}
			if resp.StatusCode == http.StatusServiceUnavailable && (resp.Header.Get("Retry-After") == "" || answer.Error.Code != "unavailable") {
				t.Errorf("the cut chunk's answer: Retry-After %q, code %q", resp.Header.Get("Retry-After"), answer.Error.Code)
			}
			select {
			case err := <-served:
				if err != nil {
					t.Errorf("Serve = %v", err)
				}
			case <-time.After(3 * cutGrace):
				t.Fatal("Serve did not return")
			}

			var state uploadAnswer
			if code := apiCall(t, ts, http.MethodGet, "/api/v1/uploads/"+u.ID, "", nil, &state); code != http.StatusOK {
				t.Fatalf("GET upload = %d", code)
			}
			if got := fmt.Sprint(state.Chunks); got != tt.wantChunks {
				t.Errorf("chunks after the shutdown = %s, want %s", got, tt.wantChunks)
			}
			if code := putChunk(t, ts, u.ID, 0, chunk); code != http.StatusOK {
				t.Errorf("PUT chunk again after the shutdown = %d", code)
			}
		})
	}
}

// pollFor polls ok for up to 10 seconds.
func pollFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited in vain for %s", what)
		}
	}
}
