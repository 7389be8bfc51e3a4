// Package claims tracks whistleblower award claims against the enforcement
// actions they rest on and the money those actions collect.
//
// # Actions and the ledger
//
// An enforcement action is covered, or grouped under a covered action as
// aggregated (same nucleus of operative facts) or related (another
// authority acting on the same original information), with the basis for
// the grouping recorded. Each action orders sanctions by kind of money; a
// collections ledger records the payments received, append-only: a
// correction is a reversing entry followed by a new one.
//
// # Claims
//
// A claim ties a claimant (a pseudonym; a legal name only when counsel
// enter one, sealed at rest and shown only when they choose) to the
// submissions the claimant made (by receipt hash and received day, never
// content), to actions and to one award program, with an eligibility
// checklist and the claimants' split. Whenever its inputs change — a
// collection recorded above all — the claim is recomputed with the award
// engine (package awards); each changed result is kept with the ledger
// version it was computed on, and the result's deadlines go into the
// casework deadline engine on the claim's submissions.
//
// # Who sees what
//
// Counsel see and change only the claims assigned to them; admins see and
// change all; investigators read the claims on submissions of their desks
// and keep the actions of their desks' cases; auditors see nothing here.
//
// # Audit
//
// The service writes the audit log, with the Audit… actions of audit.go:
// each change's entry in the change's transaction (a change whose entry
// cannot be written does not happen), each view's entry before anything
// is handed out (a view whose entry cannot be written returns the error).
//
// # Reports and charts
//
// Reports, the dashboard and their charts are data (Report, Dashboard,
// Point, BarChart). Package server draws them as pages, SVG and the
// printable document; a Printer turns a report into a PDF for
// ExportReport.
package claims
