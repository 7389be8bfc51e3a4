// Package testenv gives tests the external services and tools that `make test`
// provides: PostgreSQL, MinIO, the MinIO server binary and axe-core. On a
// laptop without those the tests that need them skip; under `make test`
// (TIPLINE_TEST_REQUIRE=1) or in CI (CI=true) a missing one fails the test.
package testenv

import (
	"os"
	"testing"
)

// Names of the environment variables that `make test` exports.
const (
	// DatabaseURL is a PostgreSQL superuser URL, e.g.
	// postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable.
	DatabaseURL = "TIPLINE_TEST_DATABASE_URL"
	// S3URL is a MinIO endpoint in the TIPLINE_BLOB_URL form without a bucket,
	// e.g. s3://ACCESS:SECRET@127.0.0.1:PORT/?tls=false.
	S3URL = "TIPLINE_TEST_S3_URL"
	// MinIOBin is the path of a MinIO server binary, for tests that start and
	// stop a MinIO of their own.
	MinIOBin = "TIPLINE_TEST_MINIO_BIN"
	// Axe is the path of axe-core's axe.min.js, which the accessibility
	// tests inject into the pages they check.
	Axe = "TIPLINE_TEST_AXE"
)

// Required reports whether missing services must fail the run instead of
// skipping: under `make test` and whenever CI=true.
func Required() bool {
	return os.Getenv("TIPLINE_TEST_REQUIRE") == "1" || os.Getenv("CI") == "true"
}

// Get returns the value of the environment variable name. When it is unset the
// test is skipped, or fails when services are required.
func Get(tb testing.TB, name string) string {
	tb.Helper()
	v := os.Getenv(name)
	if v == "" {
		if Required() {
			tb.Fatalf("%s is not set: run the tests with `make test`", name)
		}
		tb.Skipf("%s is not set; skipping (run `make test` for the full suite)", name)
	}
	return v
}

// FilesChecked is a JavaScript expression, for chromedp.Poll, that is true
// once the desk form has shown what it found in the files chosen
// (metadata.js), or at once when the page's script does not run. The
// notice it shows sits under the file field and moves the buttons below
// it down, so a click aimed at one of them before the notice appears can
// land beside it; a person sees the page settle before they click.
const FilesChecked = `!document.querySelector('form[data-encrypt="browser"]') || !document.getElementById("js-metadata").hidden`
