package intake_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// TestUploadStore checks the upload session rows on both dialects.
func TestUploadStore(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s := store.New(dbtest.Open(t, d))
			hour := time.Now().UTC().Truncate(time.Hour).Unix()
			u := intake.Upload{ID: blob.NewKey(""), DeskSlug: intake.DefaultDeskSlug, ChunkSize: 100, MaxBytes: 1000, ExpiresHour: hour + 3600}
			if err := s.CreateUpload(ctx, u, 0, hour); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateUpload(ctx, intake.Upload{ID: blob.NewKey(""), DeskSlug: "no-such-desk", ChunkSize: 1, MaxBytes: 1, ExpiresHour: hour}, 0, hour); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("upload to an unknown desk: %v, want NotFound", err)
			}
			for _, c := range []intake.UploadChunk{{0, 100}, {1, 7}, {1, 50}} { // chunk 1 sent twice
				if err := s.AddChunk(ctx, u.ID, c.N, c.Size); err != nil {
					t.Fatal(err)
				}
			}
			for _, n := range []int{0, 3} {
				if err := s.AddChunk(ctx, u.ID, n, 100); tipline.ErrorCode(err) != tipline.Conflict {
					t.Errorf("chunk %d out of order: %v, want Conflict", n, err)
				}
			}
			got, err := s.Upload(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.DeskSlug != u.DeskSlug || got.ChunkSize != 100 || got.MaxBytes != 1000 || got.ExpiresHour != hour+3600 ||
				len(got.Chunks) != 2 || got.Chunks[0] != (intake.UploadChunk{0, 100}) || got.Chunks[1] != (intake.UploadChunk{1, 50}) || got.Bytes() != 150 {
				t.Errorf("upload = %+v (chunks must not move the expiry)", got)
			}

			other := intake.Upload{ID: blob.NewKey(""), DeskSlug: intake.DefaultDeskSlug, ChunkSize: 100, MaxBytes: 1000, ExpiresHour: hour}
			if err := s.CreateUpload(ctx, other, 2, hour-1); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateUpload(ctx, intake.Upload{ID: blob.NewKey(""), DeskSlug: intake.DefaultDeskSlug, ChunkSize: 100, MaxBytes: 1, ExpiresHour: hour}, 2, hour-1); err != intake.ErrTooManyUploads {
				t.Errorf("third upload with a cap of 2: %v, want ErrTooManyUploads", err)
			}
			if open, err := s.OpenUploads(ctx, hour); err != nil || open != 1 {
				t.Errorf("open uploads once one expired = %d, %v; want 1", open, err)
			}
			// A missing session is told apart from one being submitted: the
			// page sends a missing one's file again.
			if err := s.ClaimUploads(ctx, []string{u.ID, blob.NewKey("")}); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("claim with a missing upload: %v, want NotFound", err)
			}
			if err := s.KeepUpload(ctx, blob.NewKey(""), 0); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("keep of a missing upload: %v, want NotFound", err)
			}
			// The sessions held by keeps hold at most maxKept bytes
			// together, this one's included.
			if err := s.KeepUpload(ctx, u.ID, 149); !errors.Is(err, intake.ErrKeepsFull) {
				t.Errorf("keep of 150 bytes under a cap of 149: %v, want ErrKeepsFull", err)
			}
			if err := s.KeepUpload(ctx, u.ID, 150); err != nil {
				t.Errorf("keep of 150 bytes under a cap of 150: %v", err)
			}
			if err := s.KeepUpload(ctx, other.ID, 149); !errors.Is(err, intake.ErrKeepsFull) {
				t.Errorf("keep of an empty session beside 150 bytes kept, under a cap of 149: %v, want ErrKeepsFull", err)
			}
			if err := s.ClaimUploads(ctx, []string{u.ID, other.ID}); err != nil {
				t.Fatalf("claim: %v", err)
			}
			if err := s.KeepUpload(ctx, u.ID, 0); tipline.ErrorCode(err) != tipline.Conflict {
				t.Errorf("keep of a claimed upload: %v, want Conflict", err)
			}
			if err := s.ClaimUploads(ctx, []string{u.ID}); tipline.ErrorCode(err) != tipline.Conflict {
				t.Errorf("second claim: %v, want Conflict", err)
			}
			if err := s.AddChunk(ctx, u.ID, 2, 100); tipline.ErrorCode(err) != tipline.Conflict {
				t.Errorf("chunk to a claimed upload: %v, want Conflict", err)
			}
			if err := s.AddChunk(ctx, blob.NewKey(""), 0, 100); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("chunk to a missing upload: %v, want NotFound", err)
			}
			if err := s.ReleaseUploads(ctx, []string{u.ID, other.ID}); err != nil {
				t.Fatal(err)
			}
			if err := s.AddChunk(ctx, u.ID, 2, 100); err != nil {
				t.Errorf("chunk after release: %v", err)
			}
			// New bytes end the keeping: the cap no longer counts them.
			if err := s.KeepUpload(ctx, other.ID, 149); err != nil {
				t.Errorf("keep of an empty session once the kept one took a chunk: %v", err)
			}

			expired, err := s.ExpiredUploads(ctx, hour)
			if err != nil || len(expired) != 1 || expired[0] != other.ID {
				t.Errorf("expired = %v, %v; want [%s]", expired, err, other.ID)
			}
			if err := s.DeleteUploads(ctx, []string{u.ID, other.ID}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Upload(ctx, u.ID); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("deleted upload: %v, want NotFound", err)
			}
		})
	}
}

// TestSubmitUploads submits a browser-made tip through the service on both
// dialects and reads it back with go-crypto.
func TestSubmitUploads(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			svc, _, key := newTestService(t, d)
			blobs := svc.Blobs
			recipients, err := svc.Desks.Recipients(ctx, intake.DefaultDeskSlug)
			if err != nil {
				t.Fatal(err)
			}

			send := func(plain []byte) string {
				var msg bytes.Buffer
				w, _ := crypto.Encrypt(&msg, recipients...)
				w.Write(plain)
				w.Close()
				u, err := svc.BeginUpload(ctx, intake.DefaultDeskSlug, int64(msg.Len()), intake.MinChunkSize, solveUploadPow(t, svc, int64(msg.Len())))
				if err != nil {
					t.Fatal(err)
				}
				for n := 0; msg.Len() > 0; n++ {
					if _, err := svc.PutChunk(ctx, u.ID, n, bytes.NewReader(msg.Next(intake.MinChunkSize))); err != nil {
						t.Fatal(err)
					}
				}
				return u.ID
			}
			file := make([]byte, 3*intake.MinChunkSize)
			rand.Read(file)
			manifest := []byte(`{"version":1}`)
			r, err := svc.SubmitUploads(ctx, intake.DefaultDeskSlug, send(manifest), []string{send(file)}, solvePow(t, svc), intake.CommitOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if r.EncryptedBy != "browser" || len(r.Objects) != 2 {
				t.Fatalf("receipt = %+v", r)
			}
			for i, want := range [][]byte{manifest, file} {
				rc, err := blobs.Get(ctx, r.Objects[i].BlobKey)
				if err != nil {
					t.Fatal(err)
				}
				plain, err := crypto.Decrypt(crypto.JoinMessage(r.Objects[i].KeyPackets, rc), key)
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(plain)
				rc.Close()
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("object %d decrypts to %d bytes (%v), want %d", i, len(got), err, len(want))
				}
			}
			if left, _ := blobs.List(ctx, "uploads/"); len(left) != 0 {
				t.Errorf("%d chunks left", len(left))
			}
		})
	}
}

// solvePow solves a fresh proof-of-work challenge of svc, as a browser does.
func solvePow(t testing.TB, svc *intake.Service) intake.Pow {
	t.Helper()
	return svc.NewPowChallenge(context.Background(), intake.DefaultDeskSlug).Solve()
}

// solveUploadPow solves a fresh proof-of-work challenge of svc for opening
// an upload session of size bytes to the default desk.
func solveUploadPow(t *testing.T, svc *intake.Service, size int64) intake.Pow {
	t.Helper()
	return svc.NewUploadPowChallenge(context.Background(), intake.DefaultDeskSlug, size).Solve()
}
