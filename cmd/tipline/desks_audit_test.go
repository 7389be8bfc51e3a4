package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/store"
)

// TestDeskAndKeyCommandsAreAudited: the desk and key commands change
// desks through the same audited service as the admin pages, so each
// change has its audit entry, by the command line (actor 0).
func TestDeskAndKeyCommandsAreAudited(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"TIPLINE_DATA_DIR": dir}
	pub, _, fingerprint, err := crypto.GenerateKey("Sanctions desk", "", []byte("desk passphrase"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "desk.pub.asc")
	if err := os.WriteFile(keyFile, pub, 0o600); err != nil {
		t.Fatal(err)
	}
	commands := []struct {
		args   []string
		action casework.AuditAction
		target string
	}{
		{[]string{"desks", "add", "sanctions", "--title", "Sanctions"}, casework.ActionDeskCreate, "desk:sanctions"},
		{[]string{"desks", "set-deadlines", "sanctions", "--ack-days", "5", "--feedback-months", "2"}, casework.ActionDeskDeadlines, "desk:sanctions"},
		{[]string{"keys", "add", "--desk", "sanctions", "--file", keyFile}, casework.ActionDeskKeyAdd, "desk:sanctions"},
		{[]string{"keys", "remove", "--desk", "sanctions", fingerprint}, casework.ActionDeskKeyRemove, "desk:sanctions"},
	}
	for _, c := range commands {
		if out, errOut, code := runTipline(t, env, c.args...); code != 0 {
			t.Fatalf("tipline %v = %d\n%s%s", c.args, code, out, errOut)
		}
	}
	db, err := database.Open(context.Background(), filepath.Join(dir, "tipline.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	entries, err := store.New(db).AuditEntries(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(commands) {
		t.Fatalf("%d audit entries, want %d: %+v", len(entries), len(commands), entries)
	}
	for i, c := range commands {
		r := entries[i].Record
		if r.Action != c.action || r.Target != c.target || r.Actor != 0 {
			t.Errorf("entry %d = %s %s by %d, want %s %s by 0 (tipline %v)", i+1, r.Action, r.Target, r.Actor, c.action, c.target, c.args)
		}
	}
	if fp := entries[2].Record.Detail["fingerprint"]; fp != fingerprint {
		t.Errorf("the key's audit entry names %q, want %s", fp, fingerprint)
	}
}
