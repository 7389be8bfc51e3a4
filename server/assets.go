package server

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline/static"
)

// assets serves the embedded static files under content-hashed URLs
// (/static/css/tipline.3f9c2a1b7d4e.css), so they can be cached for a year
// and a new release never meets a stale copy.
type assets struct {
	urls  map[string]string // logical path → hashed URL
	files map[string]asset  // hashed URL path (without /static/) → file
}

type asset struct {
	body        []byte
	contentType string
	integrity   string // Subresource Integrity value: sha384-BASE64
	policy      string // Content-Security-Policy of the file, when not the default
}

// A worker runs under the policy of its own script's response, not of the
// page that starts it: the workers (static/js/*-worker.js) get the policy
// of the pages that run scripts, so that they may import and fetch from
// this origin.
func assetPolicy(logical string) string {
	if strings.HasPrefix(logical, "js/") && strings.HasSuffix(logical, "-worker.js") {
		return scriptCSP
	}
	return ""
}

func newAssets() (*assets, error) {
	a := &assets{urls: map[string]string{}, files: map[string]asset{}}
	err := fs.WalkDir(static.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(static.FS, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ext := path.Ext(p)
		hashed := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		sri := sha512.Sum384(body)
		a.urls[p] = "/static/" + hashed
		a.files[hashed] = asset{body: body, contentType: ctype, integrity: "sha384-" + base64.StdEncoding.EncodeToString(sri[:]), policy: assetPolicy(p)}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("server: static files: %w", err)
	}
	return a, nil
}

// url returns the hashed URL of a static file; templates call it as asset.
func (a *assets) url(logical string) (string, error) {
	u, ok := a.urls[logical]
	if !ok {
		return "", fmt.Errorf("no static file %q", logical)
	}
	return u, nil
}

// integrity returns the Subresource Integrity value of a static file;
// templates call it as integrity, beside asset.
func (a *assets) integrity(logical string) (string, error) {
	u, err := a.url(logical)
	if err != nil {
		return "", err
	}
	return a.files[strings.TrimPrefix(u, "/static/")].integrity, nil
}

// serve answers GET /static/*path with an immutable, year-long cacheable file.
func (a *assets) serve(c *gin.Context) {
	f, ok := a.files[strings.TrimPrefix(c.Param("path"), "/")]
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	if f.policy != "" {
		c.Header("Content-Security-Policy", f.policy)
	}
	c.Data(http.StatusOK, f.contentType, f.body)
}
