package match

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Score is how well a candidate name matches a query, with the reasons.
type Score struct {
	Value       float64  // 0 (unrelated) to 1 (the same name after normalization)
	Explanation []string // human-readable: which words matched and how, what did not, the parts of the score
}

// How much each kind of word match counts (1 is the same word).
const (
	simJoined      = 0.97 // "hua wei" = "huawei"
	simTranslit    = 0.95 // Иванов = "Ivanov", times the weight of the spellings
	simReading     = 0.90 // 深圳 = "shenzhen", 黄 = "Wong", times the weight of the readings
	simSurnameLast = 0.88 // 王伟 = "Wei Wang", times the weight of the readings
	simSamePinyin  = 0.85 // homophones in Han characters
	simFuzzy       = 0.90 // times the edit similarity: "huawai" ≈ "huawei"
	simPinyinFuzzy = 0.80 // times the edit similarity: 深圳 ≈ "shenzen"
	minEditSim     = 0.80 // below this, two words do not match at all
	maxSpan        = 4    // a word may match up to this many words joined
)

// Weights of the parts of the score.
const (
	weightTokens   = 0.80 // strong words matched, on both sides (Dice)
	weightTrigrams = 0.20 // trigram similarity of the strong words' Latin forms
	weightWeak     = 0.10 // share of the token part that the weak words decide
)

// Compare scores how well candidate matches query: 1 when both normalize to
// the same text, near 1 when their strong words match exactly, high for
// matches across scripts through pinyin, middling for partial matches and
// near 0 for unrelated names. Weak words (legal forms, generic business
// words) move the score by at most a tenth of its token part.
func Compare(query, candidate string) Score {
	return Parse(query).Compare(Parse(candidate))
}

// Compare scores how well c matches n (see the function Compare).
func (n *Name) Compare(c *Name) Score {
	if n.norm == "" || c.norm == "" {
		return Score{Value: 0, Explanation: []string{"empty name"}}
	}
	if n.norm == c.norm {
		return Score{Value: 1, Explanation: []string{fmt.Sprintf("identical after normalization: %q", n.norm)}}
	}
	var why []string
	ms := align(n, c)
	var matchedQ, matchedC float64
	usedQ := make([]bool, len(n.strong))
	usedC := make([]bool, len(c.strong))
	for _, m := range ms {
		matchedQ += m.sim * float64(m.qn)
		matchedC += m.sim * float64(m.cn)
		for k := m.qi; k < m.qi+m.qn; k++ {
			usedQ[k] = true
		}
		for k := m.ci; k < m.ci+m.cn; k++ {
			usedC[k] = true
		}
		why = append(why, m.how)
	}
	if miss := unmatched(n, n.strong, usedQ); miss != "" {
		why = append(why, "not in the candidate: "+miss)
	}
	if miss := unmatched(c, c.strong, usedC); miss != "" {
		why = append(why, "not in the query: "+miss)
	}
	strong := (matchedQ + matchedC) / float64(len(n.strong)+len(c.strong))

	weak, weakWhy := weakSimilarity(n, c)
	if weakWhy != "" {
		why = append(why, weakWhy)
	}
	tri := dice(n.grams, c.grams)
	if qs, cs, ok := respelled(n, c, ms); ok {
		// Compare the Latin forms as the candidate spells the words it
		// matched: 黄国雄 as "wongkwokhung", not as its pinyin.
		tri = dice(trigrams(qs), trigrams(cs))
	}
	tokens := strong * (1 - weightWeak + weightWeak*weak)
	v := weightTokens*tokens + weightTrigrams*tri
	// Only identical names score 1.
	v = math.Min(math.Round(v*1000)/1000, 0.999)
	why = append(why, fmt.Sprintf("score %.3f = %.2f × words %.2f (strong %.2f, weak %.2f) + %.2f × trigram similarity %.2f",
		v, weightTokens, tokens, strong, weak, weightTrigrams, tri))
	return Score{Value: v, Explanation: why}
}

// unmatched lists the strong words of n that matched nothing.
func unmatched(n *Name, idx []int, used []bool) string {
	var miss []string
	for k, i := range idx {
		if !used[k] {
			miss = append(miss, fmt.Sprintf("%q", n.terms[i].shown()))
		}
	}
	return strings.Join(miss, ", ")
}

// weakSimilarity compares what the weak words mean (Dice over concepts);
// 1 when neither name has any, ½ when only one has.
func weakSimilarity(n, c *Name) (float64, string) {
	var a, b []string
	for _, i := range n.weak {
		a = append(a, n.terms[i].concepts...)
	}
	for _, i := range c.weak {
		b = append(b, c.terms[i].concepts...)
	}
	switch {
	case len(a)+len(b) == 0:
		return 1, ""
	case len(a) == 0 || len(b) == 0:
		// A name written without its legal form: unknown, not different.
		return 0.5, "weak words on one side only"
	}
	slices.Sort(a)
	slices.Sort(b)
	var shared []string
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			shared = append(shared, a[i])
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	sim := 2 * float64(len(shared)) / float64(len(a)+len(b))
	if len(shared) == 0 {
		return sim, "no weak words in common"
	}
	return sim, "weak words in common (little weight): " + strings.Join(slices.Compact(shared), ", ")
}

// pair is a match of the strong words n.strong[qi:qi+qn] with
// c.strong[ci:ci+cn]; one side is a single word.
type pair struct {
	qi, qn, ci, cn int
	sim            float64
	how            string
}

// align matches the strong words of n and c greedily, best matches first.
func align(n, c *Name) []pair {
	q := terms(n, n.strong)
	d := terms(c, c.strong)
	var cands []pair
	for i := range q {
		for j := range d {
			if sim, _ := wordSim(q[i], d[j], false); sim > 0 {
				cands = append(cands, pair{qi: i, qn: 1, ci: j, cn: 1, sim: sim})
			}
			for k := 2; k <= maxSpan && j+k <= len(d); k++ {
				if sim, _ := spanSim(q[i], d[j:j+k], false); sim > 0 {
					cands = append(cands, pair{qi: i, qn: 1, ci: j, cn: k, sim: sim})
				}
			}
			for k := 2; k <= maxSpan && i+k <= len(q); k++ {
				if sim, _ := spanSim(d[j], q[i:i+k], false); sim > 0 {
					cands = append(cands, pair{qi: i, qn: k, ci: j, cn: 1, sim: sim})
				}
			}
		}
	}
	slices.SortStableFunc(cands, func(a, b pair) int {
		if c := cmp.Compare(b.sim, a.sim); c != 0 {
			return c
		}
		return cmp.Compare(b.qn+b.cn, a.qn+a.cn)
	})
	usedQ := make([]bool, len(q))
	usedC := make([]bool, len(d))
	var out []pair
	for _, p := range cands {
		if anyUsed(usedQ, p.qi, p.qn) || anyUsed(usedC, p.ci, p.cn) {
			continue
		}
		for k := p.qi; k < p.qi+p.qn; k++ {
			usedQ[k] = true
		}
		for k := p.ci; k < p.ci+p.cn; k++ {
			usedC[k] = true
		}
		// Explained once chosen: explanations cost more than scores.
		var how string
		switch {
		case p.qn == 1 && p.cn == 1:
			_, how = wordSim(q[p.qi], d[p.ci], true)
		case p.qn == 1:
			_, how = spanSim(q[p.qi], d[p.ci:p.ci+p.cn], true)
		default:
			_, how = spanSim(d[p.ci], q[p.qi:p.qi+p.qn], true)
		}
		p.how = fmt.Sprintf("%q ↔ %q: %s", texts(q[p.qi:p.qi+p.qn]), texts(d[p.ci:p.ci+p.cn]), how)
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b pair) int { return cmp.Compare(a.qi, b.qi) })
	return out
}

func terms(n *Name, idx []int) []term {
	ts := make([]term, len(idx))
	for k, i := range idx {
		ts[k] = n.terms[i]
	}
	return ts
}

func texts(ts []term) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.shown()
	}
	return strings.Join(s, " ")
}

func anyUsed(used []bool, from, n int) bool {
	return slices.Contains(used[from:from+n], true)
}

// wordSim compares two words, and explains the match when explain is set.
func wordSim(a, b term, explain bool) (float64, string) {
	if a.text == b.text {
		switch {
		case a.expanded != "" || b.expanded != "":
			return 1, "same word, abbreviation expanded"
		case a.written != b.written && a.han:
			return 1, "same characters, traditional and simplified"
		}
		return 1, "same word"
	}
	switch {
	case a.han && b.han:
		if a.latin == b.latin || sameReadings(a.readings, b.latin) || sameReadings(b.readings, a.latin) {
			return simSamePinyin, fmt.Sprintf("same pinyin (%s)", a.latin)
		}
		return 0, ""
	case a.readable() && !b.readable():
		return readingSim(a, b.latin, explain)
	case b.readable() && !a.readable():
		return readingSim(b, a.latin, explain)
	}
	if e := editSim(a.latin, b.latin); e >= minEditSim {
		return simFuzzy * e, fmt.Sprintf("similar spelling (edit similarity %.2f)", e)
	}
	return 0, ""
}

// sameReadings reports whether the Han characters read as the pinyin s.
func sameReadings(rs [][]reading, s string) bool {
	_, path := readsAs(rs, s, systemPinyin)
	return path != nil
}

// spanSim compares one word with several words of the other name joined,
// "huawei" = "hua wei", 深圳 = "shen zhen", and explains the match when
// explain is set.
func spanSim(w term, span []term, explain bool) (float64, string) {
	var text, latin strings.Builder
	allHan, anyReadable := true, false
	for _, t := range span {
		text.WriteString(t.text)
		latin.WriteString(t.latin)
		allHan = allHan && t.han
		anyReadable = anyReadable || t.readable()
	}
	switch {
	case w.han && allHan:
		if w.text == text.String() {
			return 1, "same characters"
		}
		return 0, ""
	case w.readable() && !anyReadable:
		sim, how := readingSim(w, latin.String(), explain)
		if sim > 0 {
			how += ", syllables written apart"
		}
		return sim, how
	case !w.readable() && !anyReadable:
		if w.latin == latin.String() {
			return simJoined, "same letters, written joined and apart"
		}
		if e := editSim(w.latin, latin.String()); e >= minEditSim {
			return simJoined * simFuzzy * e, fmt.Sprintf("similar spelling written joined and apart (edit similarity %.2f)", e)
		}
	}
	return 0, ""
}

// readingSim compares a Han or Cyrillic word with a Latin spelling through
// the readings of its characters or letters and, when explain is set,
// explains which readings matched: "黃 → Wong (Cantonese), 國 → Kwok
// (Cantonese)".
func readingSim(h term, latin string, explain bool) (float64, string) {
	if slices.Contains(h.exonyms, latin) {
		return simReading, "English name of the place"
	}
	sim := simReading
	if h.cyrillic {
		sim = simTranslit
	}
	if w, path := readsAs(h.readings, latin, ""); path != nil {
		if !explain {
			return sim * w, ""
		}
		return sim * w, explainReadings(h, h.units, h.readings, path)
	}
	if n := len(h.readings); h.han && n >= 2 && n <= 3 && startsWithReading(h.readings[1], latin) {
		// Chinese personal names written given name first: 王伟 = "Wei Wang".
		rot := append(slices.Clone(h.readings[1:]), h.readings[0])
		if w, path := readsAs(rot, latin, ""); path != nil {
			if !explain {
				return simSurnameLast * w, ""
			}
			units := append(slices.Clone(h.units[1:]), h.units[0])
			return simSurnameLast * w, explainReadings(h, units, rot, path) + ", surname last"
		}
	}
	if e := editSim(h.latin, latin); e >= minEditSim {
		via := "pinyin"
		if h.cyrillic {
			via = "transliteration"
		}
		return simPinyinFuzzy * e, fmt.Sprintf("via %s %q, similar spelling (edit similarity %.2f)", via, h.latin, e)
	}
	return 0, ""
}

// explainReadings names the reading each unit matched in, and its system:
// the system most of the name's readings share when a spelling is in
// several (明 → Ming is pinyin, Wade-Giles and Cantonese). A Cyrillic word
// is explained as a whole: Сергей → Sergei (Cyrillic transliteration).
func explainReadings(h term, units []string, rs [][]reading, path []int) string {
	if h.cyrillic {
		var b strings.Builder
		for k, i := range path {
			b.WriteString(rs[k][i].latin)
		}
		return fmt.Sprintf("%s → %s (%s)", title(h.written), title(b.String()), systemCyrillic)
	}
	count := map[string]int{}
	for k, i := range path {
		for _, sys := range rs[k][i].systems {
			count[sys]++
		}
	}
	parts := make([]string, len(path))
	for k, i := range path {
		r := rs[k][i]
		sys := r.systems[0]
		for _, s := range r.systems[1:] {
			if count[s] > count[sys] {
				sys = s
			}
		}
		parts[k] = fmt.Sprintf("%s → %s (%s)", units[k], title(r.latin), sys)
	}
	return strings.Join(parts, ", ")
}

// title capitalizes the first letter of s.
func title(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// readsAs finds how s spells one reading of each unit in turn (of system
// only, unless system is ""): the readings with the greatest product of
// weights, as the index of each unit's reading, and that weight. path is
// nil when s is no such spelling.
func readsAs(rs [][]reading, s, system string) (weight float64, path []int) {
	if len(rs) == 0 || s == "" || !startsWithReading(rs[0], s) {
		return 0, nil
	}
	// best[k*w+p]: the greatest weight with which the first k units spell
	// s[:p], or 0; from[k*w+p]: the reading of unit k-1 and where it began.
	w := len(s) + 1
	type step struct{ reading, at int }
	var bestBuf [256]float64 // on the stack for most names
	var fromBuf [256]step
	var best []float64
	var from []step
	if size := (len(rs) + 1) * w; size <= len(bestBuf) {
		best, from = bestBuf[:size], fromBuf[:size]
	} else {
		best, from = make([]float64, size), make([]step, size)
	}
	best[0] = 1
	for k, alts := range rs {
		any := false
		for p := range w {
			cur := best[k*w+p]
			if cur == 0 {
				continue
			}
			for i, r := range alts {
				if system != "" && !slices.Contains(r.systems, system) {
					continue
				}
				next := (k+1)*w + p + len(r.latin)
				if strings.HasPrefix(s[p:], r.latin) && cur*r.weight > best[next] {
					best[next] = cur * r.weight
					from[next] = step{i, p}
					any = true
				}
			}
		}
		if !any {
			return 0, nil
		}
	}
	if best[len(rs)*w+len(s)] == 0 {
		return 0, nil
	}
	path = make([]int, len(rs))
	for k, p := len(rs), len(s); k > 0; k-- {
		f := from[k*w+p]
		path[k-1], p = f.reading, f.at
	}
	return best[len(rs)*w+len(s)], path
}

// startsWithReading reports whether s starts with one of the readings.
func startsWithReading(rs []reading, s string) bool {
	return slices.ContainsFunc(rs, func(r reading) bool { return strings.HasPrefix(s, r.latin) })
}

// respelled returns the Latin forms of the strong words of n and c joined,
// with each Han or Cyrillic word that matched Latin words of the other
// name written as those words; ok is false when no word was.
func respelled(n, c *Name, ms []pair) (qs, cs string, ok bool) {
	q := latins(n)
	d := latins(c)
	for _, m := range ms {
		qt, ct := n.terms[n.strong[m.qi]], c.terms[c.strong[m.ci]]
		switch {
		case m.qn == 1 && qt.readable() && !anyReadable(c, m.ci, m.cn):
			q[m.qi] = strings.Join(d[m.ci:m.ci+m.cn], "")
			ok = true
		case m.cn == 1 && ct.readable() && !anyReadable(n, m.qi, m.qn):
			d[m.ci] = strings.Join(q[m.qi:m.qi+m.qn], "")
			ok = true
		}
	}
	return strings.Join(q, ""), strings.Join(d, ""), ok
}

// latins returns the Latin forms of the strong words of n.
func latins(n *Name) []string {
	l := make([]string, len(n.strong))
	for k, i := range n.strong {
		l[k] = n.terms[i].latin
	}
	return l
}

// anyReadable reports whether one of the strong words n.strong[from:from+k]
// is Han or Cyrillic.
func anyReadable(n *Name, from, k int) bool {
	for _, i := range n.strong[from : from+k] {
		if n.terms[i].readable() {
			return true
		}
	}
	return false
}

// editSim is 1 − Levenshtein distance / longer length, over runes; words
// shorter than four letters only ever match exactly.
func editSim(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	la, lb := len(ra), len(rb)
	if la < 4 || lb < 4 {
		return 0
	}
	longer := max(la, lb)
	if float64(abs(la-lb)) > (1-minEditSim)*float64(longer) {
		return 0
	}
	prev := make([]int, lb+1)
	cur := make([]int, lb+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		for j := 1; j <= lb; j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return 1 - float64(prev[lb])/float64(longer)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
