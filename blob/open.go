package blob

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Open opens the store that rawURL names, in the TIPLINE_BLOB_URL forms of the
// package documentation: an s3:// URL, a file:// URL or a directory path. It
// sends no request to an S3 server; call Ping to check it and
// (*S3).EnsureBucket to create the bucket.
func Open(rawURL string) (Store, error) {
	if rawURL == "" {
		return nil, errors.New("blob: blob URL is empty")
	}
	scheme, _, ok := strings.Cut(rawURL, "://")
	if !ok || !isScheme(scheme) {
		return openDir(rawURL)
	}
	switch strings.ToLower(scheme) {
	case "s3":
		cfg, err := ParseS3URL(rawURL)
		if err != nil {
			return nil, err
		}
		s, err := OpenS3(cfg)
		if err != nil {
			return nil, err
		}
		return s, nil
	case "file":
		path, err := fileURLPath(rawURL)
		if err != nil {
			return nil, err
		}
		return openDir(path)
	default:
		// Only the scheme: the rest may hold credentials.
		return nil, fmt.Errorf("blob: unsupported URL scheme %q: use s3://…, file:///… or a directory path", scheme)
	}
}

// openDir is OpenDir returning a nil Store, not a nil *Dir, on error.
func openDir(path string) (Store, error) {
	d, err := OpenDir(path)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// isScheme reports whether s is a URL scheme (RFC 3986, section 3.1).
func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// fileURLPath returns the directory that a file:///ABSOLUTE/PATH URL names.
func fileURLPath(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("blob: file URL: %w", err)
	}
	switch {
	case u.Host != "" && u.Host != "localhost":
		return "", errors.New("blob: file URL must be file:///ABSOLUTE/PATH, with three slashes")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return "", errors.New("blob: file URL takes no user, query or fragment")
	case !strings.HasPrefix(u.Path, "/"):
		return "", errors.New("blob: file URL needs an absolute path")
	}
	return u.Path, nil
}

// ParseS3URL parses an S3 blob URL of the form
//
//	s3://ACCESS_KEY:SECRET_KEY@HOST[:PORT]/BUCKET?tls=true|false&region=REGION&part_size=BYTES
//
// where the query parameters are optional (tls=true, region=us-east-1,
// part_size=16777216 by default). The keys are percent-decoded; '/', '@', ':'
// and '%' in them must be percent-encoded. Errors never repeat the URL, so the
// secret key cannot leak into logs.
func ParseS3URL(raw string) (S3Config, error) {
	if !strings.HasPrefix(strings.ToLower(raw), "s3://") {
		return S3Config{}, errors.New("blob: S3 URL must start with s3://")
	}
	// The cause is left out: url.Parse quotes the URL, secret key and all.
	u, err := url.Parse(raw)
	if err != nil {
		return S3Config{}, errors.New("blob: S3 URL is malformed (percent-encode '/', '@', ':' and '%' in the keys)")
	}
	secret, ok := u.User.Password()
	if !ok {
		return S3Config{}, errors.New("blob: S3 URL needs ACCESS_KEY:SECRET_KEY@ before the host")
	}
	cfg := S3Config{
		Endpoint:  u.Host,
		AccessKey: u.User.Username(),
		SecretKey: secret,
		Bucket:    strings.TrimSuffix(strings.TrimPrefix(u.Path, "/"), "/"),
		Region:    defaultRegion,
		TLS:       true,
		PartSize:  DefaultPartSize,
	}
	switch {
	case u.Fragment != "":
		return S3Config{}, errors.New("blob: S3 URL takes no #fragment")
	case cfg.Bucket == "":
		return S3Config{}, errors.New("blob: S3 URL needs a bucket: s3://…@HOST[:PORT]/BUCKET")
	case strings.Contains(cfg.Bucket, "/"):
		return S3Config{}, errors.New("blob: S3 URL path must be just /BUCKET")
	}
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return S3Config{}, errors.New("blob: S3 URL query is malformed")
	}
	for _, name := range slices.Sorted(maps.Keys(query)) {
		values := query[name]
		if len(values) != 1 {
			return S3Config{}, fmt.Errorf("blob: S3 URL sets %s more than once", name)
		}
		v := values[0]
		switch name {
		case "tls":
			if v != "true" && v != "false" {
				return S3Config{}, fmt.Errorf("blob: S3 URL tls=%q must be true or false", v)
			}
			cfg.TLS = v == "true"
		case "region":
			if v == "" {
				return S3Config{}, errors.New("blob: S3 URL region is empty")
			}
			cfg.Region = v
		case "part_size":
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return S3Config{}, fmt.Errorf("blob: S3 URL part_size=%q is not a number of bytes", v)
			}
			if n == 0 {
				return S3Config{}, errors.New("blob: S3 URL part_size is 0")
			}
			cfg.PartSize = n
		default:
			return S3Config{}, fmt.Errorf("blob: S3 URL has unknown parameter %q (known: tls, region, part_size)", name)
		}
	}
	if err := cfg.validate(); err != nil {
		return S3Config{}, err
	}
	return cfg, nil
}
