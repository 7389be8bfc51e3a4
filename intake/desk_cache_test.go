package intake_test

import (
	"bytes"
	"context"
	"sync"
	"sync/atomic"
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
	var now atomic.Pointer[time.Time]
	now.Store(new(time.Now()))
	later := func(d time.Duration) { now.Store(new(now.Load().Add(d))) }
	gated := &gatedDeskStore{DeskStore: st}
	desks := &intake.Desks{Store: gated, Now: func() time.Time { return *now.Load() }, CacheFor: 5 * time.Second}
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
	pub, _, _, err := crypto.GenerateKey("Sanctions desk", "", []byte("pw"), *now.Load())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := elsewhere.AddKey(ctx, "sanctions", pub); err != nil {
		t.Fatal(err)
	}
	if list, _ := desks.List(ctx); len(list) != 1 {
		t.Errorf("desks listed from memory = %d, want the 1 read before", len(list))
	}
	// Once the cache is stale, a read is still answered from memory, at
	// once, while a refresh reads the store in the background; the reads
	// after it see what changed elsewhere.
	gated.close()
	later(5 * time.Second)
	if list, err := desks.List(ctx); err != nil || len(list) != 1 {
		t.Errorf("desks listed while the store does not answer = %d, %v; want the 1 in memory", len(list), err)
	}
	gated.open()
	if !eventually(func() bool { list, _ := desks.List(ctx); return len(list) == 2 }) {
		t.Errorf("the refresh never showed the desk added elsewhere")
	}
	if _, keys, err := desks.Accepting(ctx, "sanctions"); err != nil || len(keys) != 1 {
		t.Errorf("a key added elsewhere, after the refresh: %d keys, %v", len(keys), err)
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

// gatedDeskStore is the real store whose listing of desks can be made to
// wait, as a busy database would.
type gatedDeskStore struct {
	intake.DeskStore
	mu   sync.Mutex
	gate chan struct{} // nil: answer at once
}

func (g *gatedDeskStore) close() {
	g.mu.Lock()
	g.gate = make(chan struct{})
	g.mu.Unlock()
}

func (g *gatedDeskStore) open() {
	g.mu.Lock()
	close(g.gate)
	g.gate = nil
	g.mu.Unlock()
}

func (g *gatedDeskStore) Desks(ctx context.Context) ([]intake.Desk, error) {
	g.mu.Lock()
	gate := g.gate
	g.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return g.DeskStore.Desks(ctx)
}

// eventually reports whether cond became true within ten seconds.
func eventually(cond func() bool) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}
