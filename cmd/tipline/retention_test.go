package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// TestRetentionCommand: `tipline retention run --dry-run` names the tip it
// would delete and the held one with why, and deletes nothing; the run
// then deletes the tip and its blob, and a second run finds nothing to do.
func TestRetentionCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"TIPLINE_DATA_DIR": dir}
	if out, errOut, code := runTipline(t, env, "migrate", "up"); code != 0 {
		t.Fatalf("migrate = %d\n%s%s", code, out, errOut)
	}
	ctx := context.Background()
	db, err := database.Open(ctx, filepath.Join(dir, "tipline.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	blobs, err := blob.OpenDir(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	s := store.New(db)
	admin, err := s.CreateUser(ctx, casework.User{Email: "root@example.org", Role: casework.RoleAdmin, PasswordHash: "x", TOTPSealed: []byte{1}},
		casework.AuditRecord{At: time.Now(), Action: casework.ActionUserAdd, Target: "root@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	ret := newRetention(db, blobs, time.Now)
	root := casework.Principal{UserID: admin.ID, Email: admin.Email, Role: casework.RoleAdmin}
	if err := ret.SetPolicy(ctx, root, intake.DefaultDeskSlug, 30); err != nil {
		t.Fatal(err)
	}
	var ids, keys []string
	for range 2 {
		sub := intake.Submission{ID: blob.NewKey(""), DeskSlug: intake.DefaultDeskSlug, ReceivedDay: "2026-01-05", EncryptedBy: "server", ReplySalt: make([]byte, 16)}
		sub.LookupKey = sha256.Sum256([]byte(sub.ID))
		o := intake.Object{ID: blob.NewKey(""), Kind: intake.KindManifest, BlobKey: blob.NewKey("objects"), KeyPackets: []byte{1}}
		if _, err := blobs.Put(ctx, o.BlobKey, bytes.NewReader([]byte("ciphertext"))); err != nil {
			t.Fatal(err)
		}
		sub.Objects = []intake.Object{o}
		if _, err := s.Commit(ctx, sub, func(seq int64, _ [32]byte) []byte { return fmt.Appendf(nil, `{"seq":%d}`, seq) }); err != nil {
			t.Fatal(err)
		}
		closed, code := casework.Closed, casework.ClosingCode("resolved")
		if err := s.UpdateSubmission(ctx, sub.ID, casework.Change{Status: &closed, ClosingCode: &code}, "2026-02-01",
			casework.AuditRecord{At: time.Now(), Action: casework.ActionSubmissionUpdate, Target: "submission:" + sub.ID}); err != nil {
			t.Fatal(err)
		}
		ids, keys = append(ids, sub.ID), append(keys, o.BlobKey)
	}
	// Both were closed long ago (the database keeps the day of closing).
	if err := db.Exec("UPDATE submissions SET closed_day = ?", "2026-02-01").Error; err != nil {
		t.Fatal(err)
	}
	if err := ret.SetLegalHold(ctx, root, ids[1], ""); err != nil {
		t.Fatal(err)
	}

	out, errOut, code := runTipline(t, env, "retention", "run", "--dry-run")
	if code != 0 {
		t.Fatalf("retention run --dry-run = %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"would delete: tip #1 on desk export-controls (submission " + ids[0] + "), closed 2026-02-01, due 2026-03-03\n",
		"held: tip #2 on desk export-controls (submission " + ids[1] + "), due 2026-03-03: legal hold set by root@example.org on ",
		"1 tips would be deleted, 1 held; nothing was deleted\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the dry run's output lacks %q:\n%s", want, out)
		}
	}
	var n int64
	db.Table("submissions").Count(&n)
	for _, k := range keys {
		if _, err := blobs.Stat(ctx, k); err != nil || n != 2 {
			t.Errorf("the dry run deleted something: %d submissions left, blob %v", n, err)
		}
	}

	for i, want := range []string{"deleted: tip #1 on desk export-controls (submission " + ids[0] + ")", ": 0 tips deleted, 1 held, 0 blobs deleted"} {
		out, errOut, code := runTipline(t, env, "retention", "run")
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("run %d = %d, want output with %q:\n%s%s", i+1, code, want, out, errOut)
		}
	}
	if _, err := blobs.Stat(ctx, keys[0]); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("the deleted tip's blob: %v, want not found", err)
	}
	if _, err := blobs.Stat(ctx, keys[1]); err != nil {
		t.Errorf("the held tip's blob: %v", err)
	}
}
