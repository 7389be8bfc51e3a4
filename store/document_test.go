package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// TestCaseDocuments stores and reads case documents on both dialects.
func TestCaseDocuments(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s := store.New(dbtest.Open(t, d))
			u, err := s.CreateUser(ctx, casework.User{Email: "ana@example.org", Role: casework.RoleInvestigator, PasswordHash: "x", TOTPSealed: []byte{1}, Desks: []string{intake.DefaultDeskSlug}},
				casework.AuditRecord{At: time.Now(), Action: casework.ActionUserAdd, Target: "ana@example.org"})
			if err != nil {
				t.Fatal(err)
			}
			at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
			c := casework.NewCase{ID: blob.NewKey(""), Desk: intake.DefaultDeskSlug, Title: "Forwarder", Lead: "ana@example.org"}
			if err := s.CreateCase(ctx, c, at, testAudit(casework.ActionCaseCreate)); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256([]byte("message"))
			doc := casework.DocumentRecord{
				Document: casework.Document{ID: blob.NewKey(""), Size: 42, SHA256: hex.EncodeToString(sum[:]), CreatedAt: at},
				CaseID:   c.ID, AuthorID: u.ID, BlobKey: "documents/x", KeyPackets: []byte{0xc1, 1},
				MetaKeyPackets: []byte{0xc1, 2}, MetaBody: []byte{0xd2, 3},
			}
			rec := casework.AuditRecord{At: at, Actor: u.ID, Action: "case.document.add", Target: "case:" + c.ID}
			if err := s.AddDocument(ctx, doc, rec); err != nil {
				t.Fatal(err)
			}
			orphan := doc
			orphan.ID, orphan.BlobKey, orphan.CaseID = blob.NewKey(""), "documents/y", "nosuchcase"
			if err := s.AddDocument(ctx, orphan, rec); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("a document of no case: %v, want NotFound", err)
			}
			list, err := s.CaseDocuments(ctx, c.ID)
			if err != nil || len(list) != 1 {
				t.Fatalf("CaseDocuments = %+v, %v", list, err)
			}
			got := list[0]
			if got.ID != doc.ID || got.Author != "ana@example.org" || got.Size != 42 || got.SHA256 != doc.SHA256 ||
				!bytes.Equal(got.KeyPackets, doc.KeyPackets) || !bytes.Equal(got.MetaBody, doc.MetaBody) || !got.CreatedAt.Equal(at) {
				t.Errorf("CaseDocuments[0] = %+v", got)
			}
			if one, err := s.DocumentRecord(ctx, doc.ID); err != nil || one.CaseID != c.ID || one.BlobKey != "documents/x" {
				t.Errorf("DocumentRecord = %+v, %v", one, err)
			}
			if _, err := s.DocumentRecord(ctx, "nosuch"); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("DocumentRecord(unknown) = %v, want NotFound", err)
			}
		})
	}
}
