package server

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
)

// headRequestKey marks, in a request's context, a HEAD request that is
// answered by its GET route (see headAsGet).
type headRequestKey struct{}

// isHead reports whether r is a HEAD request answered by its GET route.
func isHead(r *http.Request) bool {
	return r.Method == http.MethodHead || r.Context().Value(headRequestKey{}) != nil
}

// headAsGet answers HEAD wherever GET is answered, on the engine it is the
// first middleware of: a HEAD request that no route of its own matches is
// served again by e as a GET, with the same headers and status and no
// body. Routes that register HEAD themselves (static files) answer it
// directly.
func headAsGet(e *gin.Engine) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Method != http.MethodHead || c.FullPath() != "" {
			c.Next()
			return
		}
		get := c.Request.Clone(context.WithValue(c.Request.Context(), headRequestKey{}, true))
		get.Method = http.MethodGet
		e.ServeHTTP(headWriter{c.Writer}, get)
		c.Abort()
	}
}

// headWriter passes on headers and the status, and drops the body.
type headWriter struct {
	w gin.ResponseWriter
}

func (h headWriter) Header() http.Header { return h.w.Header() }

func (h headWriter) WriteHeader(status int) {
	h.w.WriteHeader(status)
	h.w.WriteHeaderNow()
}

func (h headWriter) Write(p []byte) (int, error) {
	h.w.WriteHeaderNow()
	return len(p), nil
}
