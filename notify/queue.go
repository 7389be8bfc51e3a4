package notify

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// queueTimeout bounds the one insert that queues an event, so that a slow
// database never holds a source's answer for long.
const queueTimeout = 5 * time.Second

// Queue is what intake tells after a commit (intake.Events). It never
// fails its caller: an event that cannot be queued is logged and lost.
// Within an hour it writes each kind and desk once, so that a flood of
// tips costs one insert an hour.
type Queue struct {
	Store  Store
	Logger *slog.Logger
	Now    func() time.Time

	mu     sync.Mutex
	queued map[Event]time.Time // event (with its day) → the hour it was last queued
}

// TipReceived queues "a new tip on desk".
func (q *Queue) TipReceived(ctx context.Context, desk string) {
	q.queue(ctx, KindNewTip, desk)
}

// SourceWrote queues "a message from a source on desk".
func (q *Queue) SourceWrote(ctx context.Context, desk string) {
	q.queue(ctx, KindSourceMessage, desk)
}

func (q *Queue) queue(ctx context.Context, kind Kind, desk string) {
	now := q.Now().UTC()
	e := Event{Kind: kind, Desk: desk, Day: now.Format(time.DateOnly)}
	hour := now.Truncate(time.Hour)
	q.mu.Lock()
	if q.queued[e].Equal(hour) {
		q.mu.Unlock()
		return
	}
	q.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), queueTimeout)
	defer cancel()
	if err := q.Store.QueueEvent(ctx, e); err != nil {
		q.Logger.Warn("a staff notice could not be queued", "kind", string(kind), "desk", desk, "err", err)
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.queued == nil {
		q.queued = map[Event]time.Time{}
	}
	for k, h := range q.queued { // forget earlier hours
		if !h.Equal(hour) {
			delete(q.queued, k)
		}
	}
	q.queued[e] = hour
}
