package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/store"
)

// fillAudit appends n entries concurrently to a fresh database and checks
// that they form one intact chain: appends are serialized on both dialects.
func fillAudit(t *testing.T, d database.Dialect, n int) (*database.DB, *store.Store) {
	t.Helper()
	ctx := context.Background()
	db := dbtest.Open(t, d)
	s := store.New(db)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	at := time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.UTC)
	for i := range n {
		wg.Go(func() {
			errs <- s.AppendAudit(ctx, casework.AuditRecord{At: at, Actor: 0, Action: casework.ActionUserAdd,
				Target: fmt.Sprintf("u%d@example.org", i), Detail: map[string]string{"role": "admin"}})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, _, err := casework.VerifyAuditLog(ctx, s)
	if err != nil || got != int64(n) {
		t.Fatalf("intact log: %d entries, %v; want %d", got, err, n)
	}
	return db, s
}

// TestAuditChainTamper changes one row of the audit log in the database and
// checks that verification names that row.
func TestAuditChainTamper(t *testing.T) {
	for _, d := range dbtest.Dialects {
		for _, tc := range []struct{ name, sql string }{
			{"Payload", `UPDATE audit_log SET payload = replace(payload, 'admin', 'auditor') WHERE seq = 4`},
			{"Target", `UPDATE audit_log SET target = 'mallory@example.org' WHERE seq = 4`},
			{"Detail", `UPDATE audit_log SET detail = '{"role":"auditor"}' WHERE seq = 4`},
			{"Gap", `DELETE FROM audit_log WHERE seq = 4`},
		} {
			t.Run(string(d)+"/"+tc.name, func(t *testing.T) {
				db, s := fillAudit(t, d, 10)
				if err := db.Exec(tc.sql).Error; err != nil {
					t.Fatal(err)
				}
				_, broken, err := casework.VerifyAuditLog(context.Background(), s)
				if !errors.Is(err, casework.ErrAuditBroken) || broken != 4 {
					t.Errorf("got broken=%d, %v; want entry 4", broken, err)
				}
			})
		}
	}
}
