// Package drill is Tipline's flood drill: the proof of "the door stays
// open" (DESIGN.md, non-negotiable 7). Its test builds the real tipline
// binary and an attacker (internal/drill/attacker), serves on loopback,
// and lets the attacker flood the server from its own process with junk,
// invalid and abusive requests while real users act: sources submit with
// and without JavaScript (the one with in headless Chromium), an
// investigator logs in and replies, and a source reads the reply in the
// mailbox. Every real user must succeed; GET / must stay fast; storage
// may grow only within the configured budgets; the server's memory must
// stay bounded; and nothing the server must refuse may be taken. The test
// prints a results table that says which promise held and which broke.
//
// `make drill` runs the full drill (TIPLINE_DRILL_SCALE=full: 20 s of flood
// before the users start, at least 60 s in all, more attackers) on SQLite
// with a blob directory and on PostgreSQL with MinIO; its results are in
// BENCHMARKS.md. TIPLINE_DRILL_SCALE=small runs a shorter one, which
// `make test` runs on its own after every other package. The clients
// (attacker and browser) run at nice 10, since they would be on other
// machines; a drill whose only broken promise is GET /'s latency runs once
// more on a fresh backend, and the second run is judged.
// TIPLINE_DRILL_ATTACKER_ARGS adds flags to the attacker's, to find which
// attack breaks a promise ('-logins 0 -slow 0').
package drill
