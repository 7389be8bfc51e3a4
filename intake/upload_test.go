package intake_test

import (
	"bytes"
	"context"
	"crypto/rand"
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
			if err := s.CreateUpload(ctx, u); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateUpload(ctx, intake.Upload{ID: blob.NewKey(""), DeskSlug: "no-such-desk", ChunkSize: 1, MaxBytes: 1, ExpiresHour: hour}); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("upload to an unknown desk: %v, want NotFound", err)
			}
			for _, c := range []intake.UploadChunk{{2, 7}, {0, 100}, {2, 50}} { // chunk 2 sent twice
				if err := s.AddChunk(ctx, u.ID, c.N, c.Size, hour+7200); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.Upload(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.DeskSlug != u.DeskSlug || got.ChunkSize != 100 || got.MaxBytes != 1000 || got.ExpiresHour != hour+7200 ||
				len(got.Chunks) != 2 || got.Chunks[0] != (intake.UploadChunk{0, 100}) || got.Chunks[1] != (intake.UploadChunk{2, 50}) || got.Bytes() != 150 {
				t.Errorf("upload = %+v", got)
			}

			other := intake.Upload{ID: blob.NewKey(""), DeskSlug: intake.DefaultDeskSlug, ChunkSize: 100, MaxBytes: 1000, ExpiresHour: hour}
			if err := s.CreateUpload(ctx, other); err != nil {
				t.Fatal(err)
			}
			if err := s.ClaimUploads(ctx, []string{u.ID, blob.NewKey("")}); tipline.ErrorCode(err) != tipline.Conflict {
				t.Errorf("claim with a missing upload: %v, want Conflict", err)
			}
			if err := s.ClaimUploads(ctx, []string{u.ID, other.ID}); err != nil {
				t.Fatalf("claim: %v", err)
			}
			if err := s.ClaimUploads(ctx, []string{u.ID}); tipline.ErrorCode(err) != tipline.Conflict {
				t.Errorf("second claim: %v, want Conflict", err)
			}
			if err := s.AddChunk(ctx, u.ID, 1, 100, hour); tipline.ErrorCode(err) != tipline.Conflict {
				t.Errorf("chunk to a claimed upload: %v, want Conflict", err)
			}
			if err := s.AddChunk(ctx, blob.NewKey(""), 1, 100, hour); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("chunk to a missing upload: %v, want NotFound", err)
			}
			if err := s.ReleaseUploads(ctx, []string{u.ID, other.ID}); err != nil {
				t.Fatal(err)
			}
			if err := s.AddChunk(ctx, u.ID, 1, 100, hour+7200); err != nil {
				t.Errorf("chunk after release: %v", err)
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
				u, err := svc.BeginUpload(ctx, intake.DefaultDeskSlug, intake.MinChunkSize, 1<<20, solvePow(t, svc))
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
			r, err := svc.SubmitUploads(ctx, intake.DefaultDeskSlug, send(manifest), []string{send(file)}, solvePow(t, svc))
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
func solvePow(t *testing.T, svc *intake.Service) intake.Pow {
	t.Helper()
	return svc.NewPowChallenge().Solve()
}
