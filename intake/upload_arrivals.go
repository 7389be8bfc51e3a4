package intake

import (
	"context"
	"sync"
	"time"
)

// arrivals are the chunks this node is storing, one per upload session at
// most, so that the next chunk of a session may arrive while the one
// before it is stored: PutChunk then waits for it instead of refusing a
// chunk out of turn. A browser sends its next chunk without waiting for
// the answer to the one before (submit.js), which keeps the connection
// busy while this node checks, writes and syncs a chunk. One chunk may
// wait per session, so a client holds at most one more request open than
// it could before, and no longer than its own chunk before takes.
//
// The two requests can reach the node in either order, so a chunk whose
// chunk before has not started arriving waits up to nextChunkGrace for it
// to start. They are this node's alone: where a load balancer sends the
// next chunk to another node, that node refuses it as out of turn after
// the grace, and the browser sends it again once the chunk before is
// stored, and its next chunks one at a time.
type arrivals struct {
	mu sync.Mutex
	m  map[string]*arrival // session id → the chunk being stored
	// waiting holds the sessions with a chunk waiting for the one before,
	// each with a channel closed when a chunk of the session starts.
	waiting map[string]chan struct{}
}

// nextChunkGrace is how long a chunk waits for the chunk before it to
// start arriving on this node: longer than the few milliseconds by which
// two requests sent one after the other may pass each other, short enough
// that a chunk refused on another node costs little.
const nextChunkGrace = 2 * time.Second

// arrival is one chunk being stored.
type arrival struct {
	n    int
	done chan struct{} // closed once the chunk is stored or refused
}

// begin records that chunk n of session id is being stored; the returned
// function, called once it is stored or refused, ends the record and
// lets a chunk waiting for it go on. A record of the chunk before, whose
// handler has stored it and not yet ended its record, gives way; one of
// the same chunk (sent again while it arrived) stays, and the function
// does nothing.
func (a *arrivals) begin(id string, n int) func() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if r, busy := a.m[id]; busy && r.n >= n {
		return func() {}
	}
	if a.m == nil {
		a.m = make(map[string]*arrival)
	}
	r := &arrival{n: n, done: make(chan struct{})}
	a.m[id] = r
	if started, ok := a.waiting[id]; ok {
		close(started)
		a.waiting[id] = make(chan struct{})
	}
	return func() {
		a.mu.Lock()
		if a.m[id] == r {
			delete(a.m, id)
		}
		a.mu.Unlock()
		close(r.done)
	}
}

// waitFor waits until chunk n of session id is stored or refused on this
// node, if it starts arriving within nextChunkGrace, or ctx ends. It
// reports whether chunk n arrived meanwhile; false at once when another
// chunk of the session waits already.
func (a *arrivals) waitFor(ctx context.Context, id string, n int) bool {
	a.mu.Lock()
	if _, ok := a.waiting[id]; ok {
		a.mu.Unlock()
		return false
	}
	if a.waiting == nil {
		a.waiting = make(map[string]chan struct{})
	}
	a.waiting[id] = make(chan struct{})
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		delete(a.waiting, id)
		a.mu.Unlock()
	}()

	grace := time.NewTimer(nextChunkGrace)
	defer grace.Stop()
	for {
		a.mu.Lock()
		r, ok := a.m[id]
		started := a.waiting[id]
		a.mu.Unlock()
		if ok && r.n == n {
			select {
			case <-r.done:
				return true
			case <-ctx.Done():
				return false
			}
		}
		select {
		case <-started:
		case <-grace.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}
