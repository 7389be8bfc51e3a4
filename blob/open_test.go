package blob_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tipline/tipline/blob"
)

// secret is a secret key that no error may repeat.
const secret = "s3cr3tK3Y"

func TestParseS3URL(t *testing.T) {
	for _, tt := range []struct {
		name, url string
		want      blob.S3Config // zero when an error is wanted
	}{
		{"OK", "s3://ak:" + secret + "@minio.example:9000/tips",
			blob.S3Config{Endpoint: "minio.example:9000", AccessKey: "ak", SecretKey: secret, Bucket: "tips", Region: "us-east-1", TLS: true, PartSize: blob.DefaultPartSize}},
		{"AllParameters", "s3://ak:" + secret + "@127.0.0.1:9000/tips?tls=false&region=eu-west-1&part_size=8388608",
			blob.S3Config{Endpoint: "127.0.0.1:9000", AccessKey: "ak", SecretKey: secret, Bucket: "tips", Region: "eu-west-1", TLS: false, PartSize: 8 << 20}},
		{"PercentEncodedKeys", "s3://a%40k:s%2Fe%3Ac%25r@s3.amazonaws.com/tips/",
			blob.S3Config{Endpoint: "s3.amazonaws.com", AccessKey: "a@k", SecretKey: "s/e:c%r", Bucket: "tips", Region: "us-east-1", TLS: true, PartSize: blob.DefaultPartSize}},
		{"UpperCaseScheme", "S3://ak:" + secret + "@host/tips",
			blob.S3Config{Endpoint: "host", AccessKey: "ak", SecretKey: secret, Bucket: "tips", Region: "us-east-1", TLS: true, PartSize: blob.DefaultPartSize}},
		{"NoBucket", "s3://ak:" + secret + "@host:9000/?tls=false", blob.S3Config{}},
		{"NoPath", "s3://ak:" + secret + "@host:9000", blob.S3Config{}},
		{"TwoSegments", "s3://ak:" + secret + "@host/tips/more", blob.S3Config{}},
		{"BadBucket", "s3://ak:" + secret + "@host/Tips_", blob.S3Config{}},
		{"BadTLS", "s3://ak:" + secret + "@host/tips?tls=yes", blob.S3Config{}},
		{"TLSTwice", "s3://ak:" + secret + "@host/tips?tls=true&tls=false", blob.S3Config{}},
		{"UnknownParameter", "s3://ak:" + secret + "@host/tips?tsl=false", blob.S3Config{}},
		{"EmptyRegion", "s3://ak:" + secret + "@host/tips?region=", blob.S3Config{}},
		{"SmallPartSize", "s3://ak:" + secret + "@host/tips?part_size=1048576", blob.S3Config{}},
		{"BadPartSize", "s3://ak:" + secret + "@host/tips?part_size=16MiB", blob.S3Config{}},
		{"NoSecret", "s3://ak@host/tips", blob.S3Config{}},
		{"EmptySecret", "s3://ak:@host/tips", blob.S3Config{}},
		{"NoUser", "s3://host/tips", blob.S3Config{}},
		{"NoHost", "s3://ak:" + secret + "@/tips", blob.S3Config{}},
		{"Fragment", "s3://ak:" + secret + "@host/tips#x", blob.S3Config{}},
		{"UnencodedSlashInSecret", "s3://ak:" + secret + "/x@host/tips", blob.S3Config{}},
		{"BadEscapeInSecret", "s3://ak:" + secret + "%zz@host/tips", blob.S3Config{}},
		{"BadQuery", "s3://ak:" + secret + "@host/tips?tls=%zz", blob.S3Config{}},
		{"OtherScheme", "https://ak:" + secret + "@host/tips", blob.S3Config{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := blob.ParseS3URL(tt.url)
			if tt.want == (blob.S3Config{}) {
				if err == nil {
					t.Fatalf("ParseS3URL succeeded with %+v, want an error", got)
				}
				checkSafeError(t, err)
				return
			}
			if err != nil {
				t.Fatalf("ParseS3URL: %v", err)
			}
			if got != tt.want {
				t.Errorf("ParseS3URL = %#v, want %#v", got, tt.want)
			}
		})
	}
}

// checkSafeError checks that err has the package prefix and no secret.
func checkSafeError(t *testing.T, err error) {
	t.Helper()
	if msg := err.Error(); !strings.HasPrefix(msg, "blob: ") || strings.Contains(msg, secret) {
		t.Errorf("error %q must start with %q and must not contain the secret key", msg, "blob: ")
	}
}

func TestS3ConfigString(t *testing.T) {
	cfg := blob.S3Config{Endpoint: "host", AccessKey: "ak", SecretKey: secret, Bucket: "tips"}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), cfg.String()} {
		if strings.Contains(s, secret) || !strings.Contains(s, "tips") {
			t.Errorf("formatted S3Config %q shows the secret key or hides the bucket", s)
		}
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, url string
		want      string // "dir", "s3" or "" for an error
	}{
		{"Directory", filepath.Join(dir, "a"), "dir"},
		{"FileURL", "file://" + filepath.ToSlash(filepath.Join(dir, "b")), "dir"},
		{"FileURLLocalhost", "file://localhost" + filepath.ToSlash(filepath.Join(dir, "c")), "dir"},
		{"FileURLRelative", "file://relative/path", ""},
		{"FileURLQuery", "file://" + filepath.ToSlash(dir) + "?x=1", ""},
		// Open sends no request, so an S3 server need not be listening.
		{"S3", "s3://ak:" + secret + "@127.0.0.1:1/tips?tls=false", "s3"},
		{"S3Invalid", "s3://ak:" + secret + "@127.0.0.1:1/tips?tls=no", ""},
		{"S3Malformed", "s3://ak:" + secret + "/@127.0.0.1:1/tips", ""},
		{"HTTP", "http://ak:" + secret + "@127.0.0.1:1/tips", ""},
		{"Empty", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := blob.Open(tt.url)
			var got string
			switch s.(type) {
			case *blob.Dir:
				got = "dir"
			case *blob.S3:
				got = "s3"
			}
			if got != tt.want {
				t.Fatalf("Open(%q) = %T, %v; want %s", tt.url, s, err, tt.want)
			}
			if tt.want == "" {
				if s != nil || err == nil {
					t.Fatalf("Open(%q) = %#v, %v; want nil and an error", tt.url, s, err)
				}
				checkSafeError(t, err)
				return
			}
			if err != nil {
				t.Fatalf("Open(%q): %v", tt.url, err)
			}
			if tt.want == "dir" {
				if err := s.Ping(t.Context()); err != nil {
					t.Errorf("Ping: %v", err)
				}
			}
		})
	}
}

func TestOpenRelativeDirectory(t *testing.T) {
	t.Chdir(t.TempDir())
	s, err := blob.Open("blobs")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, err := s.Put(t.Context(), "a", strings.NewReader("x")); err != nil {
		t.Fatalf("Put: %v", err)
	}
	// The store keeps its absolute path when the working directory changes.
	t.Chdir(t.TempDir())
	if _, err := s.Stat(t.Context(), "a"); err != nil {
		t.Errorf("Stat after chdir: %v", err)
	}
}
