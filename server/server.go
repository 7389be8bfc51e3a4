// Package server runs Tipline's two HTTP listeners: intake, which sources
// reach (usually through an onion service), and casework, for staff. They are
// separate gin engines on separate addresses that share middleware, templates
// and static files but never routes or cookies.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
	"github.com/tipline/tipline/config"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/notify"
	"github.com/tipline/tipline/quitam"
)

// Timeouts of both http.Servers. Routes that stream large uploads extend their
// own read deadline with http.ResponseController.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 2 * time.Minute
	writeTimeout      = 2 * time.Minute
	idleTimeout       = 2 * time.Minute
)

// Deps are what the listeners need from the rest of the program.
type Deps struct {
	Config *config.Config
	DB     *database.DB
	Blobs  blob.Store
	Intake *intake.Service
	Staff  *casework.Staff
	Triage *casework.Triage
	Cases  *casework.Cases
	// Entities is the entities service (entities_api.go, entities_pages.go).
	Entities  *entities.Service
	Grants    *casework.Grants
	Documents *casework.Documents
	// Objects hands out submissions' encrypted objects and checks access
	// for grants (casework_api.go, grants_api.go).
	Objects *casework.Objects
	// Replies is investigators' side of the source mailbox (replies_api.go).
	Replies *casework.Replies
	Claims  *claims.Service
	// QuiTam is the qui tam matters service (quitam_pages.go).
	QuiTam *quitam.Service
	// Onboarding makes accounts from setup and invitation links (setup.go).
	Onboarding *casework.Onboarding
	// Admin is the administration pages' service (admin_*.go).
	Admin *casework.Admin
	// Retention is desks' retention policies and legal holds (retention_pages.go).
	Retention *casework.Retention
	// Notify is staff members' own notice settings (settings_pages.go).
	Notify  *notify.Service
	Logger  *slog.Logger
	Version string
}

// Server holds both listeners.
type Server struct {
	deps      Deps
	log       *slog.Logger
	pages     *renderer
	assets    *assets
	metrics   *metrics
	listeners []*listener
	life      *lifecycle // requests in flight, and their end in a shutdown
}

// listener is one named http.Server and, once bound, its socket.
type listener struct {
	name string // "intake", "casework" or "metrics"
	addr string
	http *http.Server
	ln   net.Listener
}

// New builds both engines; nothing is bound until Listen.
func New(deps Deps) (*Server, error) {
	gin.SetMode(gin.ReleaseMode)
	a, err := newAssets()
	if err != nil {
		return nil, err
	}
	r, err := newRenderer(a, deps.Version)
	if err != nil {
		return nil, err
	}
	s := &Server{deps: deps, log: deps.Logger, pages: r, assets: a, metrics: newMetrics(deps, intakeClock(deps)), life: newLifecycle()}
	s.listeners = []*listener{
		{name: "intake", addr: deps.Config.IntakeAddr},
		{name: "casework", addr: deps.Config.CaseworkAddr},
	}
	if deps.Config.MetricsAddr != "" {
		s.listeners = append(s.listeners, &listener{name: "metrics", addr: deps.Config.MetricsAddr})
	}
	for _, l := range s.listeners {
		engine := s.newEngine(l.name)
		switch l.name {
		case "intake":
			s.intakeRoutes(engine)
		case "casework":
			s.caseworkRoutes(engine)
		default:
			s.metricsRoutes(engine)
		}
		l.http = &http.Server{
			Handler:           engine,
			ReadHeaderTimeout: readHeaderTimeout,
			ReadTimeout:       readTimeout,
			WriteTimeout:      writeTimeout,
			IdleTimeout:       idleTimeout,
			MaxHeaderBytes:    64 << 10,
			BaseContext:       func(net.Listener) context.Context { return s.life.requests },
			ErrorLog:          slog.NewLogLogger(s.listenerLog(l.name).Handler(), slog.LevelWarn),
		}
	}
	return s, nil
}

// newEngine returns a gin engine with the middleware every route shares.
func (s *Server) newEngine(name string) *gin.Engine {
	e := gin.New()
	// Tipline never looks at client addresses: no proxy is trusted and
	// forwarding headers are ignored.
	e.ForwardedByClientIP = false
	if err := e.SetTrustedProxies(nil); err != nil {
		panic(err) // nil is always accepted
	}
	e.HandleMethodNotAllowed = true
	e.Use(
		s.life.track(),
		headAsGet(e),
		func(c *gin.Context) { c.Set(listenerKey, name) },
		requestID(),
		s.requestLog(name),
		s.countRequests(name),
		s.recoverPanic(),
		securityHeaders(),
	)
	e.NoRoute(s.notFound)
	e.NoMethod(s.methodNotAllowed)
	return e
}

// Listen binds both listeners. With port 0 the system picks a free port;
// Addr reports it.
func (s *Server) Listen() error {
	for _, l := range s.listeners {
		ln, err := net.Listen("tcp", l.addr)
		if err != nil {
			s.Close()
			return fmt.Errorf("server: %s listener on %s: %w", l.name, l.addr, err)
		}
		l.ln = ln
	}
	return nil
}

// Addr returns the bound address of the named listener ("intake" or
// "casework"), or "" before Listen.
func (s *Server) Addr(name string) string {
	for _, l := range s.listeners {
		if l.name == name && l.ln != nil {
			return l.ln.Addr().String()
		}
	}
	return ""
}

// Serve answers requests on both bound listeners until ctx is cancelled,
// then drains (shutdown.go): in-flight requests get the configured shutdown
// timeout to finish, and what still runs then is cut and told to resume.
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, len(s.listeners))
	for _, l := range s.listeners {
		s.log.Info("listening", "listener", l.name, "addr", l.ln.Addr().String())
		go func() {
			if err := l.http.Serve(l.ln); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("server: %s listener: %w", l.name, err)
				return
			}
			errc <- nil
		}()
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	return errors.Join(serveErr, s.drain())
}

// Close closes any bound sockets without waiting for requests.
func (s *Server) Close() {
	for _, l := range s.listeners {
		if l.ln != nil {
			l.ln.Close()
		}
	}
}
