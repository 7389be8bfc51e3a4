package server

import "github.com/gin-gonic/gin"

// intakeRoutes lists every route of the intake listener, which sources use.
func (s *Server) intakeRoutes(e *gin.Engine) {
	s.commonRoutes(e)
	e.GET("/", s.page("intake_index.html", "Tipline"))
}

// caseworkRoutes lists every route of the casework listener, for staff.
func (s *Server) caseworkRoutes(e *gin.Engine) {
	s.commonRoutes(e)
	e.GET("/", s.page("casework_index.html", "Casework"))
}

// commonRoutes are served identically on both listeners.
func (s *Server) commonRoutes(e *gin.Engine) {
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/static/*path", s.assets.serve)
	e.HEAD("/static/*path", s.assets.serve)
}
