package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/notify"
)

// A staff member's own settings, on the casework listener (admins and
// investigators, who work desks):
//
//	GET  /settings  notices: what to hear of, how and when
//	POST /settings  save them; a refused webhook address shows the form again

// settingsView is the data of the settings page.
type settingsView struct {
	Settings   notify.Settings
	Email      string
	EmailOn    bool
	DigestHour int
	Saved      bool
}

// settingsPage answers GET /settings.
func (s *Server) settingsPage(c *gin.Context) {
	p := s.staff(c)
	set, err := s.deps.Notify.Settings(c.Request.Context(), p)
	if err != nil {
		s.respond(c, err)
		return
	}
	s.renderSettings(c, http.StatusOK, "", set, c.Query("saved") != "")
}

// settingsForm answers POST /settings.
func (s *Server) settingsForm(c *gin.Context) {
	in := notify.Settings{
		NewTips: c.PostForm("new_tips") != "", Messages: c.PostForm("messages") != "", Deadlines: c.PostForm("deadlines") != "",
		ByEmail: c.PostForm("email") != "", Digest: c.PostForm("digest") == "1",
		Webhook: notify.Webhook{URL: c.PostForm("webhook"), Secret: c.PostForm("webhook_secret")},
	}
	err := s.deps.Notify.Update(c.Request.Context(), s.staff(c), in, c.PostForm("clear_secret") != "")
	if tipline.ErrorCode(err) == tipline.Invalid {
		in.Webhook.Secret = "" // never sent back into a page
		s.renderSettings(c, http.StatusUnprocessableEntity, tipline.ErrorMessage(err), in, false)
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/settings?saved=1")
}

func (s *Server) renderSettings(c *gin.Context, status int, message string, set notify.Settings, saved bool) {
	s.render(c, status, "casework_settings.html", pageData{Title: "Notifications", Message: message, Data: settingsView{
		Settings: set, Email: s.staff(c).Email, EmailOn: s.deps.Notify.EmailOn,
		DigestHour: s.deps.Config.Notify.DigestHour, Saved: saved,
	}})
}
