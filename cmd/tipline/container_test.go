package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/tipline/tipline/config"
)

// No container registry is reachable where the tests run, so the image is
// never built here. These tests read the Dockerfile and docker-compose.yml
// the way Docker would and hold them to what the binary expects.

// binaryInImage is where the Dockerfile puts the tipline binary.
const binaryInImage = "/usr/local/bin/tipline"

// dockerfile is what the tests need of a Dockerfile's final stage.
type dockerfile struct {
	env         map[string]string
	user        string
	copies      []string // the arguments of each COPY
	healthcheck []string // the exec form of HEALTHCHECK CMD
}

// readDockerfile parses the instructions of the final stage of the
// Dockerfile at path: lines joined at a trailing backslash, comments
// skipped, ENV in its KEY=VALUE form.
func readDockerfile(t *testing.T, path string) dockerfile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d dockerfile
	var line string
	for _, raw := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(raw)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && line == "") {
			continue
		}
		if cont, ok := strings.CutSuffix(trimmed, `\`); ok {
			line += cont + " "
			continue
		}
		line += trimmed
		instruction, args, _ := strings.Cut(line, " ")
		args = strings.TrimSpace(args)
		line = ""
		switch strings.ToUpper(instruction) {
		case "FROM":
			d = dockerfile{env: map[string]string{}}
		case "ENV":
			for _, pair := range strings.Fields(args) {
				k, v, ok := strings.Cut(pair, "=")
				if !ok {
					t.Fatalf("%s: ENV %q is not in the KEY=VALUE form", path, args)
				}
				d.env[k] = v
			}
		case "USER":
			d.user = args
		case "COPY":
			d.copies = append(d.copies, args)
		case "HEALTHCHECK":
			_, cmd, ok := strings.Cut(args, "CMD ")
			if !ok || json.Unmarshal([]byte(cmd), &d.healthcheck) != nil {
				t.Fatalf("%s: HEALTHCHECK %q is not CMD in the exec form", path, args)
			}
		}
	}
	return d
}

// compose is what the tests need of docker-compose.yml.
type compose struct {
	Services map[string]composeService
	Networks map[string]struct {
		Internal bool
	}
	Secrets map[string]struct {
		File        string
		Environment string
	}
}

type composeService struct {
	Image       string
	Environment map[string]string
	Secrets     []composeSecretRef
	Ports       []string
	Volumes     []string
	Networks    []string
	Healthcheck struct {
		Test []string
	}
}

// composeSecretRef is a service's secret: a name, or source and target.
type composeSecretRef struct {
	Source, Target string
}

func (r *composeSecretRef) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		r.Source = n.Value
		return nil
	}
	type plain composeSecretRef
	return n.Decode((*plain)(r))
}

// mountedAt is where the secret appears in the container.
func (r composeSecretRef) mountedAt() string {
	if strings.HasPrefix(r.Target, "/") {
		return r.Target
	}
	if r.Target != "" {
		return "/run/secrets/" + r.Target
	}
	return "/run/secrets/" + r.Source
}

func readCompose(t *testing.T, path string) compose {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c
}

// settingsTable returns every setting's environment variable and whether
// it is a secret (one that has a _FILE twin), as `tipline serve --help`
// lists them.
func settingsTable(t *testing.T) map[string]bool {
	t.Helper()
	var usage bytes.Buffer
	config.Usage(&usage)
	row := regexp.MustCompile(`(?m)^  --[a-z0-9-]+, (TIPLINE_[A-Z0-9_]+)( \(secret\))?$`)
	table := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(usage.String(), -1) {
		table[m[1]] = m[2] != ""
	}
	if len(table) < 20 {
		t.Fatalf("read only %d settings from the usage text:\n%s", len(table), usage.String())
	}
	return table
}

// problems collects what is wrong with the container files.
type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// settingName notes a TIPLINE_* variable Tipline does not read, or a
// secret set inline instead of through its _FILE twin.
func (p *problems) settingName(where, name string, table map[string]bool) {
	if !strings.HasPrefix(name, "TIPLINE_") {
		return
	}
	if base, ok := strings.CutSuffix(name, "_FILE"); ok {
		if secret, known := table[base]; !known || !secret {
			p.add("%s sets %s, but %s is not a secret setting with a _FILE twin", where, name, base)
		}
		return
	}
	secret, known := table[name]
	switch {
	case !known:
		p.add("%s sets %s, which is not a setting", where, name)
	case secret:
		p.add("%s sets the secret %s inline; use %s_FILE", where, name, name)
	}
}

// inlineSecret matches values that look like a secret: a long hex string
// (a pepper) or a URL with a password.
var inlineSecret = regexp.MustCompile(`(?i)^[0-9a-f]{32,}$|://[^/@\s]*:[^/@\s]+@`)

// inlineSecretValue notes a variable that carries a password, pepper or
// other secret as its value rather than the path of a file.
func (p *problems) inlineSecretValue(where, name, value string) {
	if strings.HasSuffix(name, "_FILE") {
		return
	}
	upper := strings.ToUpper(name)
	for _, word := range []string{"PASSWORD", "PEPPER", "SECRET", "TOKEN"} {
		if strings.Contains(upper, word) {
			p.add("%s sets %s inline; give it as a file (%s_FILE)", where, name, name)
			return
		}
	}
	if inlineSecret.MatchString(value) {
		p.add("%s: %s looks like a secret written inline", where, name)
	}
}

// dockerfileProblems holds the image to the binary: every TIPLINE_* it
// sets is a setting and no secret, it runs as a non-root user, and its
// health check is `tipline healthcheck` at the binary it copies.
func dockerfileProblems(d dockerfile, table map[string]bool) problems {
	var p problems
	for name, value := range d.env {
		p.settingName("Dockerfile", name, table)
		p.inlineSecretValue("Dockerfile", name, value)
	}
	if d.env["TIPLINE_DATA_DIR"] == "" {
		p.add("the Dockerfile sets no TIPLINE_DATA_DIR for its volume")
	}
	if d.user == "" || d.user == "root" || strings.HasPrefix(d.user, "0") {
		p.add("the image runs as USER %q, want a non-root user", d.user)
	}
	if !slices.ContainsFunc(d.copies, func(c string) bool { return strings.HasSuffix(c, " "+binaryInImage) }) {
		p.add("the final stage copies no binary to %s: %q", binaryInImage, d.copies)
	}
	if want := []string{binaryInImage, "healthcheck"}; !slices.Equal(d.healthcheck, want) {
		p.add("HEALTHCHECK CMD %q, want %q", d.healthcheck, want)
	}
	return p
}

// composeProblems holds the example deployment to what Tipline needs:
// settings that exist, secrets only from files that the top-level secrets
// define, the pepper among them and outside every data folder, ports on
// loopback only, the health check, and award reports printed by a
// Chromium that only a network with no way out reaches.
func composeProblems(c compose, image dockerfile, table map[string]bool) problems {
	var p problems
	for name, s := range c.Services {
		where := "service " + name
		mounted := map[string]bool{}
		for _, ref := range s.Secrets {
			if _, ok := c.Secrets[ref.Source]; !ok {
				p.add("%s uses the secret %q, which the top-level secrets do not define", where, ref.Source)
			}
			mounted[ref.mountedAt()] = true
		}
		for key, value := range s.Environment {
			p.settingName(where, key, table)
			p.inlineSecretValue(where, key, value)
			if strings.HasSuffix(key, "_FILE") {
				file := value
				if !strings.HasPrefix(file, "/") {
					file = "/run/secrets/" + file // MinIO reads a bare name there
				}
				if !mounted[file] {
					p.add("%s: %s=%s is none of the service's secrets", where, key, value)
				}
			}
		}
		for _, port := range s.Ports {
			if !strings.HasPrefix(port, "127.0.0.1:") && !strings.HasPrefix(port, "[::1]:") {
				p.add("%s publishes port %q beyond loopback", where, port)
			}
		}
		for _, n := range s.Networks {
			if _, ok := c.Networks[n]; !ok && n != "default" {
				p.add("%s joins the network %q, which is not defined", where, n)
			}
		}
	}
	for name, secret := range c.Secrets {
		if !strings.HasPrefix(secret.File, "./secrets/") || secret.Environment != "" {
			p.add("the secret %q does not come from a file under ./secrets/", name)
		}
	}

	tipline, ok := c.Services["tipline"]
	if !ok {
		p.add("there is no tipline service")
		return p
	}
	if want := []string{"CMD", binaryInImage, "healthcheck"}; !slices.Equal(tipline.Healthcheck.Test, want) {
		p.add("the tipline service's healthcheck is %q, want %q", tipline.Healthcheck.Test, want)
	}

	// The environment serve gets: the image's, then the service's.
	env := maps.Clone(image.env)
	maps.Copy(env, tipline.Environment)

	pepper := env["TIPLINE_PEPPER_FILE"]
	if pepper == "" {
		p.add("the tipline service gets no TIPLINE_PEPPER_FILE: with PostgreSQL, serve refuses the pepper made in the data folder")
	}
	placement := config.Config{DatabaseURL: "postgres://tipline@postgres:5432/tipline", DataDir: env["TIPLINE_DATA_DIR"], Pepper: "from the file", PepperFile: pepper}
	if err := placement.CheckPepperPlacement(); pepper != "" && err != nil {
		p.add("serve would refuse the pepper: %v", err)
	}
	for _, v := range tipline.Volumes {
		_, target, _ := strings.Cut(v, ":")
		target, _, _ = strings.Cut(target, ":")
		if pepper != "" && (target == "/" || strings.HasPrefix(pepper, strings.TrimSuffix(target, "/")+"/")) {
			p.add("the pepper %s lies in the volume %q, where a backup of the volume would hold it", pepper, v)
		}
	}

	// Every setting that is not a file must be valid as serve reads it.
	plain := map[string]string{}
	for k, v := range env {
		if !strings.HasSuffix(k, "_FILE") {
			plain[k] = v
		}
	}
	cfg, err := config.Load("serve", nil, func(k string) string { return plain[k] }, &bytes.Buffer{})
	if err != nil {
		p.add("serve would refuse the settings: %v", err)
		return p
	}

	// Award reports: the image has no browser.
	if cfg.ChromiumURL == "" {
		p.add("the tipline service gets no TIPLINE_CHROMIUM_URL: the image has no browser to print award reports")
		return p
	}
	u, err := url.Parse(cfg.ChromiumURL)
	if err != nil {
		p.add("TIPLINE_CHROMIUM_URL: %v", err)
		return p
	}
	name := u.Hostname()
	browser, ok := c.Services[name]
	if !ok {
		p.add("TIPLINE_CHROMIUM_URL %s names no service", cfg.ChromiumURL)
		return p
	}
	if !strings.Contains(browser.Image, "chrom") {
		p.add("the service %s runs %q, not a headless Chromium", name, browser.Image)
	}
	if len(browser.Ports) > 0 {
		p.add("the service %s publishes %q: the DevTools protocol has no authentication", name, browser.Ports)
	}
	if len(browser.Networks) == 0 {
		p.add("the service %s is on the default network, which has a way out", name)
	}
	for _, n := range browser.Networks {
		if !c.Networks[n].Internal {
			p.add("the service %s joins the network %q, which is not internal (it has a way out)", name, n)
		}
		if !slices.Contains(tipline.Networks, n) {
			p.add("the tipline service does not join %q, the network of the service %s", n, name)
		}
	}
	return p
}

// TestDockerfile: the Dockerfile has none of the problems
// dockerfileProblems looks for, and each of them, put into it, is found.
func TestDockerfile(t *testing.T) {
	table := settingsTable(t)
	if !slices.ContainsFunc(commands(), func(c command) bool { return c.name == "healthcheck" }) {
		t.Error("the health check runs `tipline healthcheck`, which is not a command")
	}
	for _, tc := range []struct {
		name   string
		change func(d *dockerfile)
		want   string // "" for no problem
	}{
		{"as it is", func(*dockerfile) {}, ""},
		{"unknown setting", func(d *dockerfile) { d.env["TIPLINE_CHROME"] = "/usr/bin/chromium" }, "TIPLINE_CHROME, which is not a setting"},
		{"inline pepper", func(d *dockerfile) { d.env["TIPLINE_PEPPER"] = strings.Repeat("ab", 32) }, "secret TIPLINE_PEPPER inline"},
		{"root", func(d *dockerfile) { d.user = "root" }, "non-root user"},
		{"health check by curl", func(d *dockerfile) { d.healthcheck = []string{"curl", "-f", "http://127.0.0.1:8081/readyz"} }, "HEALTHCHECK CMD"},
		{"no health check", func(d *dockerfile) { d.healthcheck = nil }, "HEALTHCHECK CMD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := readDockerfile(t, "../../Dockerfile")
			tc.change(&d)
			checkProblems(t, dockerfileProblems(d, table), tc.want)
		})
	}
}

// TestDockerCompose: docker-compose.yml has none of the problems
// composeProblems looks for, and each of them, put into it, is found.
// The compose file before the container deployment was completed had
// several: no pepper, no browser for award reports, no health check.
func TestDockerCompose(t *testing.T) {
	table := settingsTable(t)
	image := readDockerfile(t, "../../Dockerfile")
	for _, tc := range []struct {
		name   string
		change func(c *compose)
		want   string // "" for no problem
	}{
		{"as it is", func(*compose) {}, ""},
		{"no pepper", func(c *compose) { delete(c.Services["tipline"].Environment, "TIPLINE_PEPPER_FILE") }, "no TIPLINE_PEPPER_FILE"},
		{"pepper in the data folder", func(c *compose) { c.Services["tipline"].Environment["TIPLINE_PEPPER_FILE"] = "/data/pepper" }, "serve would refuse the pepper"},
		{"pepper in a volume", func(c *compose) {
			s := c.Services["tipline"]
			s.Volumes = append(s.Volumes, "tipline-secrets:/run/secrets")
			c.Services["tipline"] = s
		}, "lies in the volume"},
		{"inline pepper", func(c *compose) { c.Services["tipline"].Environment["TIPLINE_PEPPER"] = strings.Repeat("ab", 32) }, "secret TIPLINE_PEPPER inline"},
		{"inline password", func(c *compose) { c.Services["postgres"].Environment["POSTGRES_PASSWORD"] = "hunter2" }, "POSTGRES_PASSWORD inline"},
		{"password in a URL", func(c *compose) {
			c.Services["tipline"].Environment["TIPLINE_CASEWORK_URL"] = "https://staff:hunter2@casework.example.org"
		}, "looks like a secret"},
		{"unknown setting", func(c *compose) { c.Services["tipline"].Environment["TIPLINE_CHROME_URL"] = "http://chromium:9222" }, "TIPLINE_CHROME_URL, which is not a setting"},
		{"file twin of no secret", func(c *compose) { c.Services["tipline"].Environment["TIPLINE_LOG_LEVEL_FILE"] = "/run/secrets/pepper" }, "not a secret setting"},
		{"file that is no secret of the service", func(c *compose) { c.Services["tipline"].Environment["TIPLINE_PEPPER_FILE"] = "/run/secrets/other" }, "none of the service's secrets"},
		{"undefined secret", func(c *compose) { delete(c.Secrets, "pepper") }, `the secret "pepper", which the top-level secrets do not define`},
		{"port on every interface", func(c *compose) {
			s := c.Services["tipline"]
			s.Ports = append(s.Ports, "8080:8080")
			c.Services["tipline"] = s
		}, "beyond loopback"},
		{"health check by curl", func(c *compose) {
			s := c.Services["tipline"]
			s.Healthcheck.Test = []string{"CMD", "curl", "-f", "http://127.0.0.1:8081/readyz"}
			c.Services["tipline"] = s
		}, "healthcheck"},
		{"invalid setting", func(c *compose) { c.Services["tipline"].Environment["TIPLINE_CHROMIUM_URL"] = "chromium" }, "serve would refuse the settings"},
		{"no browser", func(c *compose) { delete(c.Services["tipline"].Environment, "TIPLINE_CHROMIUM_URL") }, "no TIPLINE_CHROMIUM_URL"},
		{"browser published", func(c *compose) {
			s := c.Services["chromium"]
			s.Ports = []string{"127.0.0.1:9222:9222"}
			c.Services["chromium"] = s
		}, "no authentication"},
		{"browser with a way out", func(c *compose) { c.Networks["printing"] = struct{ Internal bool }{false} }, "not internal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := readCompose(t, "../../docker-compose.yml")
			tc.change(&c)
			checkProblems(t, composeProblems(c, image, table), tc.want)
		})
	}
}

// checkProblems fails unless want is "" and there is no problem, or one
// problem says want.
func checkProblems(t *testing.T, got problems, want string) {
	t.Helper()
	if want == "" {
		for _, p := range got {
			t.Error(p)
		}
		return
	}
	if !slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, want) }) {
		t.Errorf("no problem says %q; found %q", want, got)
	}
}
