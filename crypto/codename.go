package crypto

// Codenames: a source's secret receipt, and the two slow, peppered
// derivations the server stores or uses in place of it.
//
// Derivation scheme (version 1). H(label, data) is HMAC-SHA256 keyed with the
// pepper over label || 0x00 || data; labels contain no NUL byte, so the four
// uses below never share an HMAC input.
//
//	lookup key = H("tipline codename lookup key v1",
//	               argon2id(codename, H("tipline codename lookup salt v1", "")[:16], params))
//	reply KEK  = H("tipline codename reply-kek key v1",
//	               argon2id(codename, H("tipline codename reply-kek salt v1", rowSalt)[:16], params))
//
// where codename is the canonical form (lowercase words, or groups of four
// digits, joined by single spaces) and argon2id produces 32 bytes.

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/sethvargo/go-diceware/diceware"
	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// Codename is a source's secret receipt in one of two forms: CodenameWords
// words of the EFF large wordlist (7776 words), lowercase and separated by
// single spaces, or CodenameDigitGroups groups of four decimal digits
// separated by single spaces (easier to copy for a source who does not
// read English). The two canonical forms never overlap. It is the
// only credential a source has, so it is redacted wherever it could be
// printed by accident: String, GoString, Format (every fmt verb), LogValue
// (log/slog) and MarshalText (encoding/json and friends) all give
// "[codename]". Reveal returns the words, for the one page that shows them.
//
// Obtain a Codename only from NewCodename, NewNumericCodename or
// ParseCodename: the derivations
// require the canonical form. fmt cannot call methods on unexported struct
// fields, so a Codename kept in an unexported field of a printed struct, or
// converted with string(c), is not redacted; don't do either.
type Codename string

// CodenameWords is the number of words in a codename. Each word is drawn
// uniformly from 7776 = 6^5, so 7 words carry 7 × log2(7776) ≈ 90.5 bits
// (go-diceware never repeats a word within one codename, which costs under
// 0.01 bit).
const CodenameWords = 7

// CodenameDigitGroups is the number of four-digit groups of a numeric
// codename: 28 uniformly random digits carry 28 × log2(10) ≈ 93 bits.
const CodenameDigitGroups = 7

// codenameDigits is the number of digits of a numeric codename.
const codenameDigits = 4 * CodenameDigitGroups

// CodenameSaltSize is the size in bytes of the per-source random salt passed
// to Codename.ReplyKeyKEK (see NewCodenameSalt).
const CodenameSaltSize = 16

// MinPepperSize is the minimum size in bytes of a Pepper.
const MinPepperSize = 32

// codenameMaxInput bounds what ParseCodename reads: a codename is at most
// 7 × 9 letters + 6 separators, so this leaves plenty of room for
// full-width characters and stray whitespace.
const codenameMaxInput = 1024

const codenameRedacted = "[codename]"

// ErrInvalidCodename is the error ParseCodename returns, wrapped in a
// *CodenameError, for input that is not a codename.
var ErrInvalidCodename = errors.New("crypto: invalid codename")

// CodenameProblem says what is wrong with a string given to ParseCodename.
type CodenameProblem int

// The problems ParseCodename reports in a CodenameError.
const (
	// CodenameTooLong: the input is longer than any codename could be.
	CodenameTooLong CodenameProblem = iota + 1
	// CodenameNotUTF8: the input is not valid UTF-8.
	CodenameNotUTF8
	// CodenameWrongCount: the input has Words words, not CodenameWords
	// (0 for empty or blank input).
	CodenameWrongCount
	// CodenameBadCharacter: word number Word has characters other than
	// a–z (letters of other scripts, digits).
	CodenameBadCharacter
	// CodenameUnknownWord: word number Word is not on the EFF large list.
	CodenameUnknownWord
	// CodenameWrongDigits: the input is digits only, Words of them, not
	// the 28 of a numeric codename.
	CodenameWrongDigits
)

// CodenameError is the error ParseCodename returns. It holds numbers only,
// never any part of the input, so it is safe to log and to show; the intake
// UI can translate it from Problem, Word and Words. errors.Is(err,
// ErrInvalidCodename) reports true for it.
type CodenameError struct {
	Problem CodenameProblem
	Words   int // number of words found (CodenameWrongCount, CodenameBadCharacter, CodenameUnknownWord), or of digits (CodenameWrongDigits)
	Word    int // 1-based position of the first bad word (CodenameBadCharacter, CodenameUnknownWord)
}

// Error returns "crypto: invalid codename: " and the reason. Its wording uses
// no word of the EFF large list, so it can never echo part of a codename.
func (e *CodenameError) Error() string {
	var reason string
	switch e.Problem {
	case CodenameTooLong:
		reason = "is longer than " + strconv.Itoa(codenameMaxInput) + " bytes"
	case CodenameNotUTF8:
		reason = "is not utf-8"
	case CodenameWrongCount:
		reason = "has " + strconv.Itoa(e.Words) + " words, want " + strconv.Itoa(CodenameWords)
	case CodenameBadCharacter:
		reason = "entry " + strconv.Itoa(e.Word) + " has characters outside a-z"
	case CodenameUnknownWord:
		reason = "entry " + strconv.Itoa(e.Word) + " is not in the EFF wordlist"
	case CodenameWrongDigits:
		reason = "has " + strconv.Itoa(e.Words) + " digits, want " + strconv.Itoa(codenameDigits)
	default:
		reason = "code " + strconv.Itoa(int(e.Problem))
	}
	return ErrInvalidCodename.Error() + ": " + reason
}

// Unwrap returns ErrInvalidCodename.
func (e *CodenameError) Unwrap() error { return ErrInvalidCodename }

// codenameWordSet is the EFF large wordlist as a set.
var codenameWordSet = sync.OnceValue(func() map[string]struct{} {
	list := diceware.WordListEffLarge()
	set := make(map[string]struct{}, 7776)
	var walk func(prefix, digits int)
	walk = func(prefix, digits int) {
		if digits == 0 {
			if w := list.WordAt(prefix); w != "" {
				set[w] = struct{}{}
			}
			return
		}
		for d := 1; d <= 6; d++ {
			walk(prefix*10+d, digits-1)
		}
	}
	walk(0, list.Digits())
	return set
})

func codenameIsWord(w string) bool {
	_, ok := codenameWordSet()[w]
	return ok
}

// NewCodename draws a new codename: CodenameWords words of the EFF large
// wordlist, each chosen with crypto/rand by go-diceware.
func NewCodename() (Codename, error) {
	return newCodename(rand.Reader)
}

func newCodename(r io.Reader) (Codename, error) {
	g, err := diceware.NewGenerator(&diceware.GeneratorInput{
		WordList:   diceware.WordListEffLarge(),
		RandReader: r,
	})
	if err != nil {
		return "", fmt.Errorf("crypto: new codename: %w", err)
	}
	words, err := g.Generate(CodenameWords)
	if err != nil {
		return "", fmt.Errorf("crypto: new codename: %w", err)
	}
	c := Codename(strings.Join(words, " "))
	if !c.canonical() {
		return "", errors.New("crypto: new codename: generator returned words that are not on the list")
	}
	return c, nil
}

// NewNumericCodename draws a new numeric codename: CodenameDigitGroups
// groups of four digits, each digit chosen uniformly with crypto/rand.
func NewNumericCodename() (Codename, error) {
	return newNumericCodename(rand.Reader)
}

func newNumericCodename(r io.Reader) (Codename, error) {
	digits := make([]byte, 0, codenameDigits)
	var b [1]byte
	for len(digits) < codenameDigits {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", fmt.Errorf("crypto: new numeric codename: %w", err)
		}
		if b[0] < 250 { // 250 = 25 × 10: no bias
			digits = append(digits, '0'+b[0]%10)
		}
	}
	return groupDigits(string(digits)), nil
}

// groupDigits writes codenameDigits digits as groups of four separated by
// single spaces.
func groupDigits(digits string) Codename {
	groups := make([]string, 0, CodenameDigitGroups)
	for i := 0; i < len(digits); i += 4 {
		groups = append(groups, digits[i:i+4])
	}
	return Codename(strings.Join(groups, " "))
}

// ParseCodename turns what a source typed into a canonical Codename, or
// reports why it cannot, with a *CodenameError wrapping ErrInvalidCodename
// whose message never contains the input or any word of it.
//
// It applies Unicode NFKC (full-width letters and the ideographic space
// U+3000 become ASCII), lowercases A–Z and splits into words at any run of
// whitespace, punctuation or symbols: ASCII or ideographic commas (、，),
// full stops (。), middle dots, slashes and so on. Dashes of any kind
// (-, ‐, –, —, －, …) are kept inside a hyphenated list word (drop-down,
// felt-tip, t-shirt, yo-yo) and separate words everywhere else; the two
// readings never compete, since "drop", "felt", "t" and "yo" are not list
// words. Invisible format characters (zero-width joiners, soft hyphens,
// byte-order marks, bidi marks) are dropped, except the zero-width space,
// which separates. Letters of other scripts and digits stay inside their
// word, which is then rejected.
//
// Input made of digits only (full-width ０-９ included, in any grouping,
// with any spaces, dashes or punctuation between them) is a numeric
// codename when it has exactly 28 digits, and CodenameWrongDigits
// otherwise.
func ParseCodename(s string) (Codename, error) {
	if len(s) > codenameMaxInput {
		return "", &CodenameError{Problem: CodenameTooLong}
	}
	if !utf8.ValidString(s) {
		return "", &CodenameError{Problem: CodenameNotUTF8}
	}
	s = norm.NFKC.String(s)

	var words []string
	cur := make([]byte, 0, 16)
	flush := func() {
		if len(cur) == 0 {
			return
		}
		w := codenameCollapseDashes(cur)
		cur = cur[:0]
		if w == "" {
			return
		}
		if strings.IndexByte(w, '-') < 0 || codenameIsWord(w) {
			words = append(words, w)
			return
		}
		for part := range strings.SplitSeq(w, "-") {
			words = append(words, part) // never empty after collapsing
		}
	}
	for _, r := range s {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			cur = append(cur, byte(r))
		case 'A' <= r && r <= 'Z':
			cur = append(cur, byte(r-'A'+'a'))
		case r == '\u00AD': // soft hyphen: invisible, dropped
		case r == '\u200B': // zero-width space
			flush()
		case unicode.Is(unicode.Dash, r) || unicode.Is(unicode.Hyphen, r):
			cur = append(cur, '-')
		case unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsControl(r):
			flush()
		case unicode.Is(unicode.Cf, r): // other invisible format characters
		default:
			cur = utf8.AppendRune(cur, r)
		}
	}
	flush()

	if digits, ok := codenameOnlyDigits(words); ok {
		if len(digits) != codenameDigits {
			return "", &CodenameError{Problem: CodenameWrongDigits, Words: len(digits)}
		}
		return groupDigits(digits), nil
	}
	if len(words) != CodenameWords {
		return "", &CodenameError{Problem: CodenameWrongCount, Words: len(words)}
	}
	for i, w := range words {
		for j := 0; j < len(w); j++ {
			if b := w[j]; b >= utf8.RuneSelf || !('a' <= b && b <= 'z' || b == '-') {
				return "", &CodenameError{Problem: CodenameBadCharacter, Words: len(words), Word: i + 1}
			}
		}
		if !codenameIsWord(w) {
			return "", &CodenameError{Problem: CodenameUnknownWord, Words: len(words), Word: i + 1}
		}
	}
	return Codename(strings.Join(words, " ")), nil
}

// codenameOnlyDigits returns the words joined when there is at least one
// and every one is made of ASCII digits only.
func codenameOnlyDigits(words []string) (string, bool) {
	if len(words) == 0 {
		return "", false
	}
	for _, w := range words {
		if strings.Trim(w, "0123456789") != "" {
			return "", false
		}
	}
	return strings.Join(words, ""), true
}

// codenameCollapseDashes turns every run of '-' into one and trims '-' at
// both ends.
func codenameCollapseDashes(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	dash := false
	for _, c := range b {
		if c == '-' {
			dash = true
			continue
		}
		if dash && sb.Len() > 0 {
			sb.WriteByte('-')
		}
		dash = false
		sb.WriteByte(c)
	}
	return sb.String()
}

// canonical reports whether c is exactly CodenameWords list words, or
// CodenameDigitGroups groups of four digits, joined by single spaces, as
// NewCodename, NewNumericCodename and ParseCodename return.
func (c Codename) canonical() bool {
	if c.Numeric() {
		return true
	}
	n := 0
	for w := range strings.SplitSeq(string(c), " ") {
		n++
		if n > CodenameWords || !codenameIsWord(w) {
			return false
		}
	}
	return n == CodenameWords
}

// Reveal returns the codename's words (or digit groups) separated by single
// spaces. Call it only where the source is shown the codename.
func (c Codename) Reveal() string { return string(c) }

// Numeric reports whether c is a numeric codename in canonical form.
func (c Codename) Numeric() bool {
	if len(c) != codenameDigits+CodenameDigitGroups-1 {
		return false
	}
	for i := 0; i < len(c); i++ {
		if i%5 == 4 {
			if c[i] != ' ' {
				return false
			}
		} else if c[i] < '0' || c[i] > '9' {
			return false
		}
	}
	return true
}

// Groups returns the words, or the digit groups, of a codename in order,
// for the one page that shows them numbered.
func (c Codename) Groups() []string { return strings.Split(string(c), " ") }

// GroupMatches reports whether typed is group number n (1-based) of c, as a
// source would type it back: NFKC (full-width digits and letters become
// ASCII), case, surrounding spaces and, in a digit group, inner spaces and
// dashes are forgiven. The comparison takes constant time.
func (c Codename) GroupMatches(n int, typed string) bool {
	groups := c.Groups()
	if n < 1 || n > len(groups) || len(typed) > codenameMaxInput {
		return false
	}
	t := strings.ToLower(strings.TrimSpace(norm.NFKC.String(typed)))
	if c.Numeric() {
		t = strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || unicode.Is(unicode.Dash, r) || unicode.Is(unicode.Hyphen, r) {
				return -1
			}
			return r
		}, t)
	}
	return subtle.ConstantTimeCompare([]byte(t), []byte(groups[n-1])) == 1
}

// String returns "[codename]", never the words; see Reveal.
func (c Codename) String() string { return codenameRedacted }

// GoString returns "crypto.Codename([codename])", never the words.
func (c Codename) GoString() string { return "crypto.Codename(" + codenameRedacted + ")" }

// Format implements fmt.Formatter so that every verb (%v, %+v, %s, %q, %x,
// %d, ...) prints "[codename]" and %#v prints GoString.
func (c Codename) Format(f fmt.State, verb rune) {
	codenameFormatRedacted(f, verb, codenameRedacted, c.GoString())
}

// LogValue implements slog.LogValuer: the codename logs as "[codename]".
func (c Codename) LogValue() slog.Value { return slog.StringValue(codenameRedacted) }

// MarshalText implements encoding.TextMarshaler, so encoding/json and others
// write "[codename]": a codename is never serialized. Use Reveal to show it.
func (c Codename) MarshalText() ([]byte, error) { return []byte(codenameRedacted), nil }

// UnmarshalText implements encoding.TextUnmarshaler with ParseCodename, so
// a codename decoded from a request is normalised and checked. It does not
// accept the redacted form MarshalText writes.
func (c *Codename) UnmarshalText(text []byte) error {
	v, err := ParseCodename(string(text))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

func codenameFormatRedacted(f fmt.State, verb rune, redacted, goString string) {
	switch {
	case verb == 'v' && f.Flag('#'):
		io.WriteString(f, goString)
	case verb == 'q':
		io.WriteString(f, strconv.Quote(redacted))
	default:
		io.WriteString(f, redacted)
	}
}

// Pepper is a server secret of at least MinPepperSize bytes mixed, as an
// HMAC-SHA256 key, into every codename derivation, so that a stolen database
// alone does not allow offline guessing: without the pepper the stored
// lookup keys cannot be checked against any guess. Keep it out of the
// database (environment or *_FILE secret, KMS). Losing or changing it makes
// every stored lookup key and wrapped reply key useless. Like Codename it
// prints, logs and marshals as "[pepper]".
type Pepper []byte

const pepperRedacted = "[pepper]"

// NewPepper returns MinPepperSize random bytes from crypto/rand.
func NewPepper() Pepper {
	p := make(Pepper, MinPepperSize)
	rand.Read(p) // never fails (crypto/rand, Go ≥ 1.24)
	return p
}

// Validate reports whether p is usable: at least MinPepperSize bytes and not
// all zero (a sign of a secret that was never set). Check it at startup; the
// derivations panic on an invalid pepper.
func (p Pepper) Validate() error {
	if len(p) < MinPepperSize {
		return fmt.Errorf("crypto: pepper is %d bytes, want at least %d", len(p), MinPepperSize)
	}
	var or byte
	for _, b := range p {
		or |= b
	}
	if or == 0 {
		return errors.New("crypto: pepper is all zero bytes")
	}
	return nil
}

// String returns "[pepper]", never the secret.
func (p Pepper) String() string { return pepperRedacted }

// GoString returns "crypto.Pepper([pepper])", never the secret.
func (p Pepper) GoString() string { return "crypto.Pepper(" + pepperRedacted + ")" }

// Format implements fmt.Formatter: every verb prints "[pepper]", %#v prints
// GoString.
func (p Pepper) Format(f fmt.State, verb rune) {
	codenameFormatRedacted(f, verb, pepperRedacted, p.GoString())
}

// LogValue implements slog.LogValuer: the pepper logs as "[pepper]".
func (p Pepper) LogValue() slog.Value { return slog.StringValue(pepperRedacted) }

// MarshalText implements encoding.TextMarshaler, so encoding/json writes
// "[pepper]" rather than the base64 of the secret.
func (p Pepper) MarshalText() ([]byte, error) { return []byte(pepperRedacted), nil }

// CodenameParams are the argon2id cost parameters of the codename
// derivations. They are part of what is derived: a lookup key made with one
// set of parameters is not found with another, so a deployment that raises
// them must keep the old set to look up existing sources (record which set
// each row used).
type CodenameParams struct {
	Time      uint32 // passes over memory (argon2 t), ≥ 1
	MemoryKiB uint32 // memory in KiB (argon2 m), ≥ 8 × Threads
	Threads   uint8  // lanes (argon2 p), ≥ 1
}

// DefaultCodenameParams are the production argon2id parameters: 3 passes over
// 64 MiB with one lane (RFC 9106's second recommended option, with one lane
// instead of four so a derivation takes one core and 64 MiB).
//
// Measured on the 2-core development machine (AMD EPYC "Turin-like" VM,
// Go 1.26.8, golang.org/x/crypto v0.58.0, BenchmarkLookupKey): about 150 ms
// per derivation when the machine is otherwise idle (145–150 ms/op), 150–340
// ms/op while other processes kept both cores busy; 64 MiB allocated per op.
// For comparison, idle: time=4 took 205 ms, time=2 with 128 MiB 213 ms, and
// threads=2 halves the latency (86 ms) but occupies both cores.
//
// A submission or a source's login costs two derivations (lookup key, then
// reply KEK), about 0.3 s of one core and 64 MiB at a time, so one core
// accepts about three per second: callers should bound concurrent derivations
// (memory) and rate-limit codename logins. An attacker holding both the
// database and the pepper pays the same 150 ms and 64 MiB per guess against
// 2^89.5 expected guesses; without the pepper they cannot test guesses at all.
var DefaultCodenameParams = CodenameParams{Time: 3, MemoryKiB: 64 * 1024, Threads: 1}

// Validate reports whether argon2id accepts p.
func (p CodenameParams) Validate() error {
	switch {
	case p.Time < 1:
		return errors.New("crypto: codename params: time must be at least 1")
	case p.Threads < 1:
		return errors.New("crypto: codename params: threads must be at least 1")
	case p.MemoryKiB < 8*uint32(p.Threads):
		return fmt.Errorf("crypto: codename params: memory must be at least %d KiB for %d threads", 8*uint32(p.Threads), p.Threads)
	}
	return nil
}

// Domain-separation labels (version 1). Changing any of them changes every
// derived value: existing sources could no longer log in.
const (
	codenameLabelLookupSalt = "tipline codename lookup salt v1"
	codenameLabelLookupKey  = "tipline codename lookup key v1"
	codenameLabelKEKSalt    = "tipline codename reply-kek salt v1"
	codenameLabelKEKKey     = "tipline codename reply-kek key v1"
)

// LookupKey returns the value stored (and indexed) to find the source's row.
//
// It must be deterministic across requests, since the server cannot know a
// per-row salt before it has found the row; so argon2id runs with a
// server-wide salt, H(pepper, lookup-salt label)[:16]. The price: one argon2id
// evaluation tests a guess against every row at once, which 90 bits of
// codename entropy make irrelevant. The argon2id output is then keyed with
// the whole pepper, H(pepper, lookup-key label || output): argon2's salt is
// not meant to be a secret key, and this outer HMAC makes the stored value a
// PRF of the 256-bit pepper, so the database alone lets nobody check a guess
// (and the pepper could live in a separate HMAC service). The labels keep it
// independent of ReplyKeyKEK: the stored lookup key reveals nothing about the
// KEK beyond what a correct guess of the codename would.
//
// Comparing lookup keys through a database index is fine: they are
// unpredictable 256-bit values, so timing reveals nothing useful; compare
// them in Go with EqualKeys.
//
// It panics if c is not canonical (from NewCodename or ParseCodename), if
// p is invalid (Pepper.Validate) or if params are (CodenameParams.Validate):
// a zero Codename or an unset pepper must not yield a usable key.
func (c Codename) LookupKey(p Pepper, params CodenameParams) [32]byte {
	c.mustDerive("LookupKey", p, params)
	return c.derive(p, params, codenameLabelLookupSalt, nil, codenameLabelLookupKey)
}

// ReplyKeyKEK returns the key-encryption key that unlocks the source's reply
// private key. The result is never stored; salt is the per-source random
// salt (NewCodenameSalt, CodenameSaltSize bytes) stored beside the row,
// which is found first with LookupKey. argon2id runs with salt
// H(pepper, reply-kek-salt label || salt)[:16] and its output is keyed as
// H(pepper, reply-kek-key label || output); other labels than LookupKey's,
// so even a salt equal to the server-wide lookup salt gives a different key.
//
// It panics like LookupKey, and also if salt is shorter than
// CodenameSaltSize.
func (c Codename) ReplyKeyKEK(p Pepper, salt []byte, params CodenameParams) [32]byte {
	c.mustDerive("ReplyKeyKEK", p, params)
	if len(salt) < CodenameSaltSize {
		panic(fmt.Sprintf("crypto: Codename.ReplyKeyKEK: salt is %d bytes, want at least %d", len(salt), CodenameSaltSize))
	}
	return c.derive(p, params, codenameLabelKEKSalt, salt, codenameLabelKEKKey)
}

// NewCodenameSalt returns CodenameSaltSize random bytes from crypto/rand, the
// per-source salt for ReplyKeyKEK.
func NewCodenameSalt() []byte {
	s := make([]byte, CodenameSaltSize)
	rand.Read(s) // never fails (crypto/rand, Go ≥ 1.24)
	return s
}

// EqualKeys reports whether a and b are equal, in constant time.
func EqualKeys(a, b [32]byte) bool {
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

func (c Codename) mustDerive(fn string, p Pepper, params CodenameParams) {
	if !c.canonical() {
		panic("crypto: Codename." + fn + ": codename is not canonical (use NewCodename or ParseCodename)")
	}
	if err := p.Validate(); err != nil {
		panic("crypto: Codename." + fn + ": " + err.Error())
	}
	if err := params.Validate(); err != nil {
		panic("crypto: Codename." + fn + ": " + err.Error())
	}
}

func (c Codename) derive(p Pepper, params CodenameParams, saltLabel string, rowSalt []byte, keyLabel string) [32]byte {
	salt := codenameMAC(p, saltLabel, rowSalt)
	password := []byte(c)
	out := argon2.IDKey(password, salt[:16], params.Time, params.MemoryKiB, params.Threads, 32)
	key := codenameMAC(p, keyLabel, out)
	// Best effort only: Go may have copied these elsewhere.
	clear(password)
	clear(out)
	return key
}

// codenameMAC returns HMAC-SHA256(p, label || 0x00 || data).
func codenameMAC(p Pepper, label string, data []byte) [32]byte {
	m := hmac.New(sha256.New, p)
	io.WriteString(m, label)
	m.Write([]byte{0})
	m.Write(data)
	var sum [32]byte
	m.Sum(sum[:0])
	return sum
}

// RetryTokenSize is the size in bytes of a submission's retry token: a
// random value that only the source's browser holds, sent with the commit
// so that a retry after a lost answer gets the same codename.
const RetryTokenSize = 32

const codenameLabelRetryKey = "tipline retry token key v1"

// RetryKey returns the keyed hash under which the server remembers, for a
// few minutes, the commit made with a retry token: H(pepper, label ||
// token). Without the pepper the key tells nothing about the token.
func (p Pepper) RetryKey(token []byte) [32]byte {
	return codenameMAC(p, codenameLabelRetryKey, token)
}
