package server

import "github.com/gin-gonic/gin"

// intakeRoutes lists every route of the intake listener, which sources use.
func (s *Server) intakeRoutes(e *gin.Engine) {
	e.Use(s.onionLocation())
	s.commonRoutes(e)
	small := e.Group("", s.limitBody(s.deps.Config.MaxRequestBytes))
	small.GET("/", s.intakeIndex)
	small.GET("/desk/:slug", s.deskPage)
	small.GET("/desk/:slug/form.css", s.deskCSS)
	small.GET("/saved", s.saved)
	small.GET("/receipt/:id", s.receipt)
	small.GET("/receipt-key.asc", s.receiptKey)
	// Uploads set their own, larger limits.
	e.POST("/desk/:slug/submit", s.submitForm)
	// JavaScript path (browser encryption)
	api := e.Group("/api/v1", s.apiSameOrigin())
	api.GET("/desks/:slug", s.apiDesk)
	api.GET("/pow", s.apiPow)
	api.POST("/uploads", s.apiCreateUpload)
	api.GET("/uploads/:id", s.apiUploadState)
	api.PUT("/uploads/:id/chunks/:n", s.apiPutChunk)
	api.POST("/submissions", s.apiSubmit)
}

// caseworkRoutes lists every route of the casework listener, for staff.
func (s *Server) caseworkRoutes(e *gin.Engine) {
	s.commonRoutes(e)
	small := e.Group("", s.limitBody(s.deps.Config.MaxRequestBytes))
	small.GET("/", s.page("casework_index.html", "Casework"))
}

// commonRoutes are served identically on both listeners.
func (s *Server) commonRoutes(e *gin.Engine) {
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/static/*path", s.assets.serve)
	e.HEAD("/static/*path", s.assets.serve)
}
