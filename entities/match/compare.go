package match

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Score is how well a candidate name matches a query, with the reasons.
type Score struct {
	Value       float64  // 0 (unrelated) to 1 (the same name after normalization)
	Explanation []string // human-readable: which words matched and how, what did not, the parts of the score
}

// How much each kind of word match counts (1 is the same word).
const (
	simJoined      = 0.97 // "hua wei" = "huawei"
	simPinyin      = 0.90 // 深圳 = "shenzhen"
	simSurnameLast = 0.88 // 王伟 = "Wei Wang"
	simSamePinyin  = 0.85 // 華為 = 华为 (traditional and simplified), or homophones
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
			miss = append(miss, fmt.Sprintf("%q", n.terms[i].text))
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
			if sim, how := wordSim(q[i], d[j]); sim > 0 {
				cands = append(cands, pair{qi: i, qn: 1, ci: j, cn: 1, sim: sim,
					how: fmt.Sprintf("%q ↔ %q: %s", q[i].text, d[j].text, how)})
			}
			for k := 2; k <= maxSpan && j+k <= len(d); k++ {
				if sim, how := spanSim(q[i], d[j:j+k]); sim > 0 {
					cands = append(cands, pair{qi: i, qn: 1, ci: j, cn: k, sim: sim,
						how: fmt.Sprintf("%q ↔ %q: %s", q[i].text, texts(d[j:j+k]), how)})
				}
			}
			for k := 2; k <= maxSpan && i+k <= len(q); k++ {
				if sim, how := spanSim(d[j], q[i:i+k]); sim > 0 {
					cands = append(cands, pair{qi: i, qn: k, ci: j, cn: 1, sim: sim,
						how: fmt.Sprintf("%q ↔ %q: %s", texts(q[i:i+k]), d[j].text, how)})
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
		s[i] = t.text
	}
	return strings.Join(s, " ")
}

func anyUsed(used []bool, from, n int) bool {
	return slices.Contains(used[from:from+n], true)
}

// wordSim compares two words.
func wordSim(a, b term) (float64, string) {
	if a.text == b.text {
		if a.expanded != "" || b.expanded != "" {
			return 1, "same word, abbreviation expanded"
		}
		return 1, "same word"
	}
	switch {
	case a.han && b.han:
		if a.latin == b.latin || readsAs(a.readings, b.latin) || readsAs(b.readings, a.latin) {
			return simSamePinyin, fmt.Sprintf("same pinyin (%s)", a.latin)
		}
		return 0, ""
	case a.han:
		return hanLatin(a, b.latin)
	case b.han:
		return hanLatin(b, a.latin)
	}
	if e := editSim(a.latin, b.latin); e >= minEditSim {
		return simFuzzy * e, fmt.Sprintf("similar spelling (edit similarity %.2f)", e)
	}
	return 0, ""
}

// spanSim compares one word with several words of the other name joined:
// "huawei" = "hua wei", 深圳 = "shen zhen".
func spanSim(w term, span []term) (float64, string) {
	var text, latin strings.Builder
	allHan, anyHan := true, false
	for _, t := range span {
		text.WriteString(t.text)
		latin.WriteString(t.latin)
		allHan = allHan && t.han
		anyHan = anyHan || t.han
	}
	switch {
	case w.han && allHan:
		if w.text == text.String() {
			return 1, "same characters"
		}
		return 0, ""
	case w.han && !anyHan:
		sim, how := hanLatin(w, latin.String())
		if sim > 0 {
			how += ", syllables written apart"
		}
		return sim, how
	case !w.han && !anyHan:
		if w.latin == latin.String() {
			return simJoined, "same letters, written joined and apart"
		}
		if e := editSim(w.latin, latin.String()); e >= minEditSim {
			return simJoined * simFuzzy * e, fmt.Sprintf("similar spelling written joined and apart (edit similarity %.2f)", e)
		}
	}
	return 0, ""
}

// hanLatin compares a Han word with a Latin spelling through pinyin.
func hanLatin(h term, latin string) (float64, string) {
	if slices.Contains(h.exonyms, latin) {
		return simPinyin, "English name of the place"
	}
	if readsAs(h.readings, latin) {
		return simPinyin, "via pinyin"
	}
	if n := len(h.readings); n >= 2 && n <= 3 {
		// Chinese personal names written given name first: 王伟 = "Wei Wang".
		rot := append(slices.Clone(h.readings[1:]), h.readings[0])
		if readsAs(rot, latin) {
			return simSurnameLast, "via pinyin, surname last"
		}
	}
	if e := editSim(h.latin, latin); e >= minEditSim {
		return simPinyinFuzzy * e, fmt.Sprintf("via pinyin %q, similar spelling (edit similarity %.2f)", h.latin, e)
	}
	return 0, ""
}

// readsAs reports whether s is one reading of each character in turn.
func readsAs(rs [][]string, s string) bool {
	if len(rs) == 0 || s == "" {
		return false
	}
	// at[k]: the first k characters can spell some prefix ending at each
	// position marked.
	at := make([]bool, len(s)+1)
	at[0] = true
	for _, alts := range rs {
		next := make([]bool, len(s)+1)
		any := false
		for p, ok := range at {
			if !ok {
				continue
			}
			for _, r := range alts {
				if strings.HasPrefix(s[p:], r) {
					next[p+len(r)] = true
					any = true
				}
			}
		}
		if !any {
			return false
		}
		at = next
	}
	return at[len(s)]
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
