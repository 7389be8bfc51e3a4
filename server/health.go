package server

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// readinessTimeout bounds each dependency check of /readyz.
const readinessTimeout = 3 * time.Second

// healthz answers 200 while the process is up.
func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz answers 200 when the database and the blob store are reachable
// and, with the embedded default, the disk under the blob folder and the
// SQLite database has TIPLINE_DISK_MIN_FREE free; 503 naming each failing
// component otherwise ("disk", with a "reason"). The checks run concurrently,
// so a hung component costs one timeout, not one per component.
//
// An exhausted storage budget does not make the service unready (staff
// work on, sources are told plainly): it is a detail of the 200 answer,
// "storage_full": true with "alerts": ["storage budget"]. The casework
// listener adds the budget's numbers ("budget"); the public intake
// listener does not, since bytes committed this hour would tell anyone
// when tips arrive.
func (s *Server) readyz(c *gin.Context) {
	if s.readyzDraining(c) {
		return
	}
	checks := []struct {
		name string
		ping func(context.Context) error
	}{
		{"database", s.deps.DB.Ping},
		{"blob store", s.deps.Blobs.Ping},
	}
	failing := make([]string, 0, len(checks))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, check := range checks {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(c.Request.Context(), readinessTimeout)
			defer cancel()
			if err := check.ping(ctx); err != nil {
				s.logger(c).Warn("readiness check failed", "component", check.name, "err", err)
				mu.Lock()
				failing = append(failing, check.name)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	disk, _ := s.disk(c.Request.Context())
	if disk.Low {
		failing = append(failing, "disk")
	}
	if len(failing) > 0 {
		slices.Sort(failing)
		answer := gin.H{"status": "unavailable", "failing": failing}
		if disk.Low {
			answer["reason"] = diskReason(c, disk)
		}
		c.JSON(http.StatusServiceUnavailable, answer)
		return
	}
	answer := gin.H{"status": "ok"}
	if s.deps.Intake != nil {
		ctx, cancel := context.WithTimeout(c.Request.Context(), readinessTimeout)
		budget, err := s.deps.Intake.Budget(ctx)
		cancel()
		switch {
		case err != nil:
			s.logger(c).Warn("cannot read the storage budget", "err", err)
		case budget.Full():
			answer["storage_full"] = true
			answer["alerts"] = []string{"storage budget"}
		default:
			answer["storage_full"] = false
		}
		if err == nil && listenerName(c) == "casework" {
			answer["budget"] = budget
		}
	}
	c.JSON(http.StatusOK, answer)
}

// diskReason says why the disk fails readiness: with the free space on
// the casework listener; without it on the public intake listener, where
// free space shrinking as tips are stored would tell anyone when they
// arrive.
func diskReason(c *gin.Context, d diskSpace) string {
	if listenerName(c) == "casework" {
		return d.warning()
	}
	return "disk nearly full"
}
