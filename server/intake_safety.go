package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline/intake"
)

// safetyPage tells sources, before they start, how to report safely: Tor
// Browser at its Safest level, bridges where Tor is blocked, no work
// devices or networks, hidden details in files, the receipt and the
// codename. The onion address is on it when one is configured.
func (s *Server) safetyPage(c *gin.Context) {
	lang := intakeLang(c)
	s.render(c, http.StatusOK, "intake_safety.html", s.intakePage(c, intake.T(lang, "safety_title"), nil))
}
