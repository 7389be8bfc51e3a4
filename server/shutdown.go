package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
)

// A shutdown drains: the listeners close at once (no new connections; a
// load balancer that still asks /readyz on an open connection hears 503),
// and the requests in flight, uploads included, get the shutdown timeout
// to finish. What still runs then is cut: its context ends with
// errRestarting, so that its database transaction rolls back and its blob
// write stops, and it answers 503 with Retry-After. A browser's upload
// session sends the chunk again (to another node behind the balancer, or
// to this one once it is back); the chunk was not recorded. A form sent
// without JavaScript is told to send again; nothing of it was committed.

// errRestarting is the answer of every request that a shutdown cut.
var errRestarting = &tipline.Error{Code: tipline.Unavailable, RetryAfter: time.Second,
	Message: "This server is restarting, and nothing of this request was kept. Please send it again."}

// cutGrace is how long cut requests get to answer before their
// connections are closed, and then how long the server waits for their
// handlers to return.
const cutGrace = 5 * time.Second

// lifecycle tracks the requests in flight and ends them when a shutdown
// runs out of time.
type lifecycle struct {
	draining atomic.Bool
	inFlight atomic.Int64
	requests context.Context // every request's context derives from it
	cut      context.CancelCauseFunc
}

func newLifecycle() *lifecycle {
	l := &lifecycle{}
	l.requests, l.cut = context.WithCancelCause(context.Background())
	return l
}

// track counts a request while its handlers run. A cut also ends a read
// of the request's body that waits for the client: it moves the read
// deadline of the request's connection (net/http's own writer, not gin's,
// which gin reuses for the next request) to now, unless the request is
// over already.
func (l *lifecycle) track() gin.HandlerFunc {
	return func(c *gin.Context) {
		l.inFlight.Add(1)
		defer l.inFlight.Add(-1)
		rc := http.NewResponseController(c.Writer.(interface{ Unwrap() http.ResponseWriter }).Unwrap())
		var mu sync.Mutex
		over := false
		stop := context.AfterFunc(l.requests, func() {
			mu.Lock()
			defer mu.Unlock()
			if !over {
				rc.SetReadDeadline(time.Now())
			}
		})
		defer func() {
			if !stop() {
				mu.Lock()
				over = true
				mu.Unlock()
			}
		}()
		c.Next()
	}
}

// wait waits up to d for every tracked request to end; it reports whether
// they did.
func (l *lifecycle) wait(d time.Duration) bool {
	for deadline := time.Now().Add(d); l.inFlight.Load() > 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// drain shuts every listener down as the comment at the top of this file
// describes.
func (s *Server) drain() error {
	s.life.draining.Store(true)
	timeout := s.deps.Config.ShutdownTimeout
	s.log.Info("shutting down: draining the requests in flight", "timeout", timeout.String())
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, l := range s.listeners {
		wg.Go(func() { l.http.Shutdown(ctx) }) // its only error is the timeout, handled below
	}
	wg.Wait()
	if s.life.wait(0) {
		s.log.Info("shut down: every request finished")
		return nil
	}

	s.life.cut(errRestarting)
	answered := s.life.wait(cutGrace)
	for _, l := range s.listeners {
		l.http.Close()
	}
	if !answered && !s.life.wait(cutGrace) {
		return fmt.Errorf("server: %d requests still running after the shutdown cut them", s.life.inFlight.Load())
	}
	s.log.Warn(fmt.Sprintf("shut down: the requests still running after %s were cut and told to send again", timeout))
	return nil
}

// restartingAnswer is the error a request answers with: errRestarting once
// a shutdown has cut it, whatever failed in it because of that.
func restartingAnswer(c *gin.Context, err error) error {
	if errors.Is(context.Cause(c.Request.Context()), errRestarting) {
		c.Header("Connection", "close")
		return errRestarting
	}
	return err
}

// readyzDraining answers /readyz while a shutdown drains: 503, so that a
// load balancer sends no more.
func (s *Server) readyzDraining(c *gin.Context) bool {
	if !s.life.draining.Load() {
		return false
	}
	c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "failing": []string{"shutting down"}})
	return true
}
