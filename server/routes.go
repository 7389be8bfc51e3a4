package server

import (
	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline/casework"
)

// roleSet is who may use a route; empty means any signed-in staff member.
type roleSet []casework.Role

// The role sets of the casework routes, named once.
var (
	anyStaff      = roleSet{}
	auditors      = roleSet{casework.RoleAuditor}
	investigators = roleSet{casework.RoleInvestigator}
	// triageStaff read and triage tips, cases and entities.
	triageStaff = roleSet{casework.RoleAdmin, casework.RoleInvestigator}
	// awardStaff work award claims; the claims service decides who sees which.
	awardStaff = roleSet{casework.RoleAdmin, casework.RoleCounsel, casework.RoleInvestigator}
	// awardCounsel see the awards dashboard.
	awardCounsel = roleSet{casework.RoleAdmin, casework.RoleCounsel}
	// admins manage desks, keys and staff (admin_pages.go).
	admins = roleSet{casework.RoleAdmin}
)

// intakeRoutes lists every route of the intake listener, which sources use.
func (s *Server) intakeRoutes(e *gin.Engine) {
	e.Use(s.onionLocation())
	s.commonRoutes(e)
	small := e.Group("", s.limitBody(s.deps.Config.MaxRequestBytes))
	small.GET("/", s.intakeIndex)
	small.GET("/safety", s.safetyPage)
	small.GET("/desk/:slug", s.deskPage)
	small.GET("/desk/:slug/form.css", s.deskCSS)
	small.GET("/saved", s.saved)
	small.POST("/saved", s.apiSameOrigin(), s.savedForm)
	small.GET("/receipt/:id", s.receipt)
	small.GET("/receipt-key.asc", s.receiptKey)
	// Uploads set their own, larger limits.
	e.POST("/desk/:slug/submit", s.submitForm)
	small.GET("/desk/:slug/submit", s.submitGet)
	// Source mailbox
	small.GET("/mailbox", s.mailboxPage)
	small.POST("/mailbox", s.apiSameOrigin(), s.mailboxLogin)
	small.POST("/mailbox/unlock", jsonErrors(), s.apiSameOrigin(), s.mailboxUnlock)
	small.POST("/mailbox/logout", s.apiSameOrigin(), s.mailboxLogout)
	// Follow-ups, like tips, set their own, larger limits.
	e.POST("/mailbox/messages", s.apiSameOrigin(), s.mailboxMessage)
	// JavaScript path (browser encryption)
	api := e.Group("/api/v1", s.apiSameOrigin())
	api.GET("/desks/:slug", s.apiDesk)
	api.GET("/pow", s.apiPow)
	api.POST("/uploads", s.apiCreateUpload)
	api.GET("/uploads/:id", s.apiUploadState)
	api.PUT("/uploads/:id/chunks/:n", s.apiPutChunk)
	api.POST("/uploads/:id/keep", s.apiKeepUpload)
	api.POST("/submissions", s.apiSubmit)
}

// caseworkRoutes lists every route of the casework listener, for staff.
func (s *Server) caseworkRoutes(e *gin.Engine) {
	s.commonRoutes(e)
	small := e.Group("", s.limitBody(s.deps.Config.MaxRequestBytes))
	small.GET("/", s.caseworkIndex)
	// Forms with a file get a body limit of their own: the file's and room
	// for the other fields.
	keyForms := e.Group("", s.limitBody(keyFormLimit))
	questionnaireForms := e.Group("", s.limitBody(questionnaireFormLimit))
	// Single-use links: the first admin's setup, invitations (setup.go).
	for kind, path := range linkPath {
		small.GET(path+":token", s.formSameOrigin(), s.linkPage(kind))
		keyForms.POST(path+":token", s.formSameOrigin(), s.linkForm(kind))
		keyForms.POST(path+":token/confirm", s.formSameOrigin(), s.linkConfirm(kind))
	}
	// Administration (admin_pages.go)
	admin := small.Group("/admin", s.requireStaff(admins))
	admin.GET("", s.adminPage)
	admin.POST("/desks", s.createDeskForm)
	admin.GET("/desks/:slug", s.adminDeskPage)
	admin.POST("/desks/:slug/deadlines", s.deskDeadlinesForm)
	admin.POST("/desks/:slug/retention", s.deskRetentionForm)
	questionnaireForms.POST("/admin/desks/:slug/questionnaire", s.requireStaff(admins), s.deskQuestionnaireForm)
	admin.GET("/keys", s.adminKeysPage)
	keyForms.POST("/admin/keys", s.requireStaff(admins), s.addKeyForm)
	admin.POST("/keys/remove", s.removeKeyForm)
	admin.GET("/staff", s.adminStaffPage)
	admin.POST("/staff/invite", s.inviteForm)
	admin.POST("/staff/access", s.accessForm)
	admin.POST("/staff/disable", s.disableForm)
	admin.POST("/staff/reset-totp", s.resetTOTPForm)
	// Staff pages
	small.GET("/login", s.formSameOrigin(), s.loginPage)
	small.POST("/login", s.formSameOrigin(), s.loginForm)
	small.GET("/home", s.requireStaff(anyStaff), s.home)
	small.POST("/logout", s.requireStaff(anyStaff), s.logoutForm)
	small.GET("/audit", s.requireStaff(auditors), s.auditLogPage)
	small.GET("/queue", s.requireStaff(triageStaff), s.queuePage)
	// Award claims: list, reports (HTML and PDF) and the dashboard.
	small.GET("/claims", s.requireStaff(awardStaff), s.claimsPage)
	small.GET("/claims/:id/report", s.requireStaff(awardStaff), s.claimReportPage)
	// Claim and action pages with plain HTML forms (claims_forms*.go).
	// A source's signed receipt, pasted to attach its submission to a
	// claim, may be larger than an ordinary form (claims_receipts.go).
	receipts := e.Group("", s.limitBody(maxReceiptBytes))
	receipts.POST("/claims/:id/receipts", s.requireStaff(awardStaff), s.claimReceiptForm)
	receipts.POST("/api/v1/claims/:id/receipts", s.apiSameOrigin(), s.requireStaff(awardStaff), s.apiAttachReceipt)
	claimPages := small.Group("", s.requireStaff(awardStaff))
	claimPages.POST("/claims", s.createClaimForm)
	claimPages.GET("/claims/:id", s.claimPage)
	claimPages.POST("/claims/:id", s.updateClaimForm)
	claimPages.POST("/claims/:id/status", s.claimStatusForm)
	claimPages.POST("/claims/:id/submissions", s.claimSubmissionsForm)
	claimPages.POST("/claims/:id/actions", s.claimActionsForm)
	claimPages.POST("/claims/:id/action_terms", s.actionTermsForm)
	claimPages.POST("/claims/:id/checklist", s.checklistForm)
	claimPages.POST("/claims/:id/splits", s.claimSplitsForm)
	claimPages.GET("/actions", s.actionsPage)
	claimPages.POST("/actions", s.createActionForm)
	claimPages.GET("/actions/:id", s.actionPage)
	claimPages.POST("/actions/:id", s.updateActionForm)
	claimPages.POST("/actions/:id/case", s.linkActionCaseForm)
	claimPages.POST("/actions/:id/sanctions", s.sanctionForm)
	claimPages.POST("/actions/:id/collections", s.collectionForm)
	claimPages.POST("/actions/:id/collections/:entry/reversal", s.reverseCollectionForm)
	small.GET("/claims/:id/report.pdf", s.requireStaff(awardStaff), s.claimReportPDF)
	small.GET("/awards", s.requireStaff(awardCounsel), s.awardsPage)
	small.GET("/awards/estimate", s.requireStaff(awardStaff), s.awardsEstimatePage)
	// Qui tam matters (quitam_pages.go); package quitam decides who sees which.
	quitamPages := small.Group("", s.requireStaff(awardCounsel))
	quitamPages.GET("/quitam", s.quitamPage)
	quitamPages.POST("/quitam", s.createQuitamForm)
	quitamPages.GET("/quitam/:id", s.quitamMatter)
	quitamPages.POST("/quitam/:id/facts", s.quitamFactsForm)
	quitamPages.POST("/quitam/:id/extensions", s.quitamExtensionForm)
	quitamPages.POST("/quitam/:id/intervention", s.quitamInterventionForm)
	quitamPages.POST("/quitam/:id/collections", s.quitamCollectionForm)
	pages := small.Group("", s.requireStaff(triageStaff))
	pages.GET("/settings", s.settingsPage)
	pages.POST("/settings", s.settingsForm)
	pages.GET("/submissions/:id", s.submissionPage)
	pages.POST("/submissions/:id", s.updateSubmissionForm)
	pages.POST("/submissions/:id/revoke", s.revokeGrantsForm)
	pages.POST("/submissions/:id/legal-hold", s.legalHoldForm)
	pages.POST("/submissions/:id/legal-hold/release", s.releaseLegalHoldForm)
	pages.GET("/cases", s.casesPage)
	pages.POST("/cases", s.createCaseForm)
	pages.GET("/cases/:id", s.casePage)
	pages.POST("/cases/:id", s.updateCaseForm)
	pages.POST("/cases/:id/notes", s.addCaseNoteForm)
	pages.POST("/cases/:id/submissions", s.linkCaseSubmissionForm)
	pages.GET("/entities", s.entitiesPage)
	pages.GET("/entities/:id", s.entityPage)
	pages.GET("/entities/:id/graph.svg", s.entityGraphSVG)
	pages.POST("/entities/:id", s.updateEntityForm)
	pages.POST("/entities/:id/relations", s.relateEntityForm)
	pages.POST("/entities/:id/relations/:rel/delete", s.unrelateEntityForm)
	pages.POST("/entities/:id/merge", s.mergeEntityForm)
	pages.POST("/entities/:id/merges/:merge/undo", s.undoEntityMergeForm)
	pages.POST("/entities/:id/submission-links/:link/delete", s.unlinkEntitySubmissionForm)
	pages.POST("/entities/:id/case-links/:link/delete", s.unlinkEntityCaseForm)
	// Staff sessions
	sessions := small.Group("/api/v1", s.apiSameOrigin())
	sessions.POST("/session", s.apiLogin)
	sessions.GET("/session", s.requireStaff(anyStaff), s.apiWhoAmI)
	sessions.DELETE("/session", s.requireStaff(anyStaff), s.apiLogout)
	sessions.POST("/password", s.requireStaff(anyStaff), s.apiChangePassword)
	// Triage: metadata and ciphertext only; decryption happens in the
	// investigator's browser or offline.
	triage := sessions.Group("", s.requireStaff(triageStaff))
	triage.GET("/submissions", s.apiListSubmissions)
	triage.GET("/submissions/:id", s.apiGetSubmission)
	triage.PATCH("/submissions/:id", s.apiUpdateSubmission)
	// Cases
	triage.POST("/cases", s.apiCreateCase)
	triage.GET("/cases", s.apiListCases)
	triage.GET("/cases/:id", s.apiGetCase)
	triage.PATCH("/cases/:id", s.apiUpdateCase)
	triage.POST("/cases/:id/submissions", s.apiLinkCaseSubmission)
	triage.POST("/cases/:id/notes", s.apiAddCaseNote)
	triage.GET("/cases/:id/documents", s.apiListDocuments)
	sessions.GET("/documents/:id", s.requireStaff(investigators), s.apiGetDocument)
	// Entities (see entities_api.go)
	triage.GET("/entities", s.apiSearchEntities)
	triage.POST("/entities", s.apiCreateEntity)
	triage.GET("/entities/corroborated", s.apiMostCorroborated)
	triage.GET("/entities/:id", s.apiGetEntity)
	triage.GET("/entities/:id/graph", s.apiEntityGraph)
	triage.PATCH("/entities/:id", s.apiUpdateEntity)
	triage.DELETE("/entities/:id/submission-links/:link", s.apiUnlinkEntitySubmission)
	triage.DELETE("/entities/:id/case-links/:link", s.apiUnlinkEntityCase)
	triage.POST("/entities/:id/relations", s.apiRelateEntity)
	triage.DELETE("/entities/:id/relations/:rel", s.apiUnrelateEntity)
	triage.POST("/entities/:id/merges", s.apiMergeEntity)
	triage.POST("/entities/:id/merges/:merge/undo", s.apiUndoEntityMerge)
	triage.GET("/submissions/:id/entities", s.apiSubmissionEntities)
	triage.POST("/submissions/:id/entities", s.apiLinkSubmissionEntity)
	triage.POST("/submissions/:id/entity-suggestions", s.apiEntitySuggestions)
	triage.POST("/cases/:id/entities", s.apiLinkCaseEntity)
	// Award claims, enforcement actions and the collections ledger
	// (claims_api.go); package claims decides who sees what.
	awards := sessions.Group("", s.requireStaff(awardStaff))
	awards.GET("/claims", s.apiListClaims)
	awards.POST("/claims", s.apiCreateClaim)
	awards.GET("/claims/:id", s.apiGetClaim)
	awards.PUT("/claims/:id", s.apiUpdateClaim)
	awards.PUT("/claims/:id/status", s.apiSetClaimStatus)
	awards.PUT("/claims/:id/submissions", s.apiSetClaimSubmissions)
	awards.PUT("/claims/:id/actions", s.apiSetClaimActions)
	awards.PUT("/claims/:id/action_terms", s.apiSetActionTerms)
	awards.PUT("/claims/:id/checklist/:item", s.apiSetChecklistItem)
	awards.PUT("/claims/:id/splits", s.apiSetSplits)
	awards.GET("/claims/:id/estimate", s.apiClaimEstimate)
	awards.GET("/actions", s.apiListActions)
	awards.POST("/actions", s.apiCreateAction)
	awards.GET("/actions/:id", s.apiGetAction)
	awards.PUT("/actions/:id", s.apiUpdateAction)
	awards.PUT("/actions/:id/case", s.apiLinkActionCase)
	awards.PUT("/actions/:id/sanctions/:kind", s.apiSetSanction)
	awards.POST("/actions/:id/collections", s.apiRecordCollection)
	awards.POST("/collections/:id/reversal", s.apiReverseCollection)
	sessions.GET("/audit", s.requireStaff(auditors), s.apiAudit)
	// Ciphertext goes to investigators only, who hold keys to read it.
	sessions.GET("/objects/:id", s.requireStaff(investigators), s.apiGetObject)
	// Access grants: one extra key packet per grantee, wrapped in the
	// granting investigator's browser; investigators of the desk only.
	sessions.POST("/objects/:id/grants", s.requireStaff(investigators), s.apiCreateGrant)
	sessions.DELETE("/objects/:id/grants/:email", s.requireStaff(investigators), s.apiRevokeGrant)
	sessions.GET("/staff/:email/key", s.requireStaff(investigators), s.apiStaffKey)
	triage.GET("/submissions/:id/grants", s.apiListGrants)
	// Replies to sources
	sessions.GET("/submissions/:id/reply-key", s.requireStaff(investigators), s.apiReplyKey)
	sessions.GET("/desks/:slug/keys", s.requireStaff(investigators), s.apiDeskKeys)
	// Case documents set their own, larger limit.
	e.POST("/api/v1/cases/:id/documents", s.apiSameOrigin(), s.requireStaff(investigators), s.apiAddDocument)
	e.POST("/api/v1/submissions/:id/replies", s.limitBody(maxReplyRequest), s.apiSameOrigin(), s.requireStaff(investigators), s.apiPostReply)
	// Prometheus, unless it has a listener of its own (metrics.go).
	if s.deps.Config.MetricsAddr == "" {
		e.GET("/metrics", s.serveMetrics())
	}
}

// commonRoutes are served identically on both listeners.
func (s *Server) commonRoutes(e *gin.Engine) {
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/static/*path", s.assets.serve)
	e.HEAD("/static/*path", s.assets.serve)
}
