package database_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tipline/tipline/database"
)

// TestDeletedRowsLeaveNoTrace: on SQLite a deleted row is gone from the
// database file and from the write-ahead log once Checkpoint has run
// (secure_delete zeroes it; the checkpoint truncates the log).
func TestDeletedRowsLeaveNoTrace(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	db, err := database.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	marker := "deleted-row-" + strings.Repeat("x", 40)
	for _, q := range []string{
		"CREATE TABLE sessions (id INTEGER PRIMARY KEY, note TEXT)",
		"INSERT INTO sessions (note) VALUES ('" + marker + "')",
		"INSERT INTO sessions (note) VALUES ('kept')",
	} {
		if err := db.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("DELETE FROM sessions WHERE note = ?", marker).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(marker)) {
			t.Errorf("the deleted row is still in %s", filepath.Base(f))
		}
	}
}
