package intake_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/intake"
)

// The intake keeps desks and their parsed keys in memory for a few seconds
// (Desks.CacheFor), so that a flood does not read and parse them for every
// request. A change through the same Desks shows at once; one made
// elsewhere (the CLI, another node) once CacheFor has passed.
func TestDeskCache(t *testing.T) {
	ctx := context.Background()
	svc, st, _ := newTestService(t, database.SQLite)
	now := time.Now()
	desks := &intake.Desks{Store: st, Now: func() time.Time { return now }, CacheFor: 5 * time.Second}
	elsewhere := &intake.Desks{Store: st, Now: time.Now} // the CLI's

	keys, err := desks.Recipients(ctx, intake.DefaultDeskSlug)
	if err != nil || len(keys) != 1 {
		t.Fatalf("recipients = %d, %v; want the desk's key", len(keys), err)
	}

	// A desk and a key added elsewhere: the new desk is found at once (a
	// desk not in memory is looked up), its key once the cache is stale.
	if _, err := elsewhere.AddDesk(ctx, "sanctions", "Sanctions", "制裁"); err != nil {
		t.Fatal(err)
	}
	if _, err := desks.Desk(ctx, "sanctions"); err != nil {
		t.Errorf("a desk added elsewhere: %v", err)
	}
	pub, _, _, err := crypto.GenerateKey("Sanctions desk", "", []byte("pw"), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := elsewhere.AddKey(ctx, "sanctions", pub); err != nil {
		t.Fatal(err)
	}
	if list, _ := desks.List(ctx); len(list) != 1 {
		t.Errorf("desks listed from memory = %d, want the 1 read before", len(list))
	}
	now = now.Add(5 * time.Second)
	if _, keys, err := desks.Accepting(ctx, "sanctions"); err != nil || len(keys) != 1 {
		t.Errorf("a key added elsewhere, once the cache is stale: %d keys, %v", len(keys), err)
	}
	if list, _ := desks.List(ctx); len(list) != 2 {
		t.Errorf("desks listed once the cache is stale = %d, want 2", len(list))
	}

	// A change through desks itself shows at once.
	if _, err := desks.AddDesk(ctx, "fraud", "Fraud", ""); err != nil {
		t.Fatal(err)
	}
	if list, _ := desks.List(ctx); len(list) != 3 {
		t.Errorf("desks listed after a change = %d, want 3", len(list))
	}

	// The keys kept in memory are shared by concurrent submissions (go
	// test -race).
	svc.Desks = desks
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			_, keys, err := desks.Accepting(ctx, intake.DefaultDeskSlug)
			if err != nil {
				t.Error(err)
				return
			}
			w, err := crypto.Encrypt(&bytes.Buffer{}, keys...)
			if err == nil {
				w.Write([]byte("tip"))
				err = w.Close()
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}
