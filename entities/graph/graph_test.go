package graph

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/entities"
)

// neighbourhood builds a centre entity with n neighbours of every kind,
// labels in English and Chinese, some long, and edges between neighbours.
func neighbourhood(n int) entities.Neighbourhood {
	center := entities.Node{ID: "entity:center", Kind: entities.NodeEntity, EntityKind: entities.Organization,
		Label: "深圳市华芯科技有限公司 Shenzhen Huaxin Technology Co., Ltd.", Flags: []string{entities.FlagCenter, entities.FlagScreened}}
	nb := entities.Neighbourhood{Center: center.ID, Nodes: []entities.Node{center}}
	names := []string{"Golden Dragon Logistics Pte. Ltd.", "王伟", "Wang Wei", "NVIDIA H100 SXM5 80GB", "ECCN 3A090",
		"Gulf Star General Trading FZE", "香港恒达国际贸易有限公司", "A100", "Pacific Rim Freight Forwarding (Hong Kong) Limited and Associates International Holdings"}
	roles := []string{"subject", "exporter", "freight forwarder", "consignee", "end user", "financier"}
	var entityIDs []string
	for i := range n {
		var node entities.Node
		var edge entities.Edge
		switch i % 5 {
		case 0, 1:
			node = entities.Node{ID: fmt.Sprintf("submission:s%03d", i), Kind: entities.NodeSubmission, Label: fmt.Sprintf("2026-%02d-%02d", 1+i%12, 1+i%28)}
			edge = entities.Edge{From: node.ID, To: center.ID, Label: roles[i%len(roles)]}
		case 2:
			node = entities.Node{ID: fmt.Sprintf("case:c%03d", i), Kind: entities.NodeCase, Label: fmt.Sprintf("Operation %d: diversion via Singapore", i)}
			if i%3 == 0 {
				node.Flags = []string{entities.FlagOpenCase}
			}
			edge = entities.Edge{From: node.ID, To: center.ID, Label: roles[i%len(roles)]}
		case 3:
			kinds := []entities.Kind{entities.Organization, entities.Person, entities.Product, entities.Address}
			node = entities.Node{ID: fmt.Sprintf("entity:e%03d", i), Kind: entities.NodeEntity, EntityKind: kinds[i%len(kinds)],
				Label: fmt.Sprintf("%s %d", names[i%len(names)], i)}
			edge = entities.Edge{From: center.ID, To: node.ID, Label: "ships for"}
			entityIDs = append(entityIDs, node.ID)
		case 4:
			node = entities.Node{ID: fmt.Sprintf("screening:EL/%d", i), Kind: entities.NodeScreening, Label: fmt.Sprintf("%s %d", names[i%len(names)], i)}
			edge = entities.Edge{From: center.ID, To: node.ID, Label: "Entity List (EL) - Bureau of Industry and Security"}
		}
		nb.Nodes = append(nb.Nodes, node)
		nb.Edges = append(nb.Edges, edge)
	}
	// Neighbours connect among themselves too: submissions name the
	// related entities.
	for i, id := range entityIDs {
		nb.Edges = append(nb.Edges, entities.Edge{From: fmt.Sprintf("submission:s%03d", i*5), To: id, Label: "distributor"})
	}
	return nb
}

// svgNode is what a test reads back from a drawn node.
type svgNode struct {
	id, kind   string
	x, y, w, h float64
	title      string
	texts      []string
}

// parseSVG parses a picture as XML, fails on any element or attribute a
// static picture must not hold, and returns the drawn nodes.
func parseSVG(t *testing.T, data []byte) (root xml.StartElement, nodes []svgNode) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	var cur *svgNode
	var stack []string
	nodeDepth := -1
	inTitle := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the SVG does not parse as XML: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			name := el.Name.Local
			if !slices.Contains([]string{"svg", "title", "defs", "marker", "path", "rect", "g", "line", "text"}, name) {
				t.Errorf("element <%s> in the picture", name)
			}
			for _, a := range el.Attr {
				v := strings.ToLower(a.Value)
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") || a.Name.Local == "href" || a.Name.Local == "style" ||
					strings.Contains(v, "javascript:") || (strings.Contains(v, "url(") && v != "url(#arrow)") {
					t.Errorf("attribute %s=%q on <%s>", a.Name.Local, a.Value, name)
				}
			}
			attr := func(n string) string {
				for _, a := range el.Attr {
					if a.Name.Local == n {
						return a.Value
					}
				}
				return ""
			}
			f := func(n string) float64 {
				v, err := strconv.ParseFloat(attr(n), 64)
				if err != nil {
					t.Fatalf("<%s %s=%q>: %v", name, n, attr(n), err)
				}
				return v
			}
			switch {
			case name == "svg" && len(stack) == 0:
				root = el
			case name == "g" && attr("data-id") != "":
				nodes = append(nodes, svgNode{id: attr("data-id"), kind: strings.TrimPrefix(strings.Fields(attr("class"))[1], "node-"), w: -1})
				cur, nodeDepth = &nodes[len(nodes)-1], len(stack)
			case name == "rect" && cur != nil && cur.w < 0:
				cur.x, cur.y, cur.w, cur.h = f("x"), f("y"), f("width"), f("height")
			case name == "title" && cur != nil:
				inTitle = true
			}
			stack = append(stack, name)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			if el.Name.Local == "title" {
				inTitle = false
			}
			if len(stack) == nodeDepth {
				cur, nodeDepth = nil, -1
			}
		case xml.CharData:
			switch {
			case cur != nil && inTitle:
				cur.title += string(el)
			case cur != nil && len(stack) > 0 && stack[len(stack)-1] == "text":
				cur.texts = append(cur.texts, string(el))
			}
		case xml.ProcInst, xml.Comment, xml.Directive:
			if _, ok := el.(xml.ProcInst); !ok {
				t.Errorf("unexpected %T in the picture", el)
			}
		}
	}
	return root, nodes
}

func render(t *testing.T, n entities.Neighbourhood) (*Picture, []byte) {
	t.Helper()
	p, err := Layout(n)
	if err != nil {
		t.Fatalf("Layout: %v", err)
	}
	var buf bytes.Buffer
	if err := p.WriteSVG(&buf); err != nil {
		t.Fatalf("WriteSVG: %v", err)
	}
	return p, buf.Bytes()
}

func TestLayoutTwoHundredNeighbours(t *testing.T) {
	nb := neighbourhood(200)
	p, svg := render(t, nb)
	root, nodes := parseSVG(t, svg)

	attr := func(n string) string {
		for _, a := range root.Attr {
			if a.Name.Local == n {
				return a.Value
			}
		}
		return ""
	}
	if got, want := attr("viewBox"), fmt.Sprintf("0 0 %s %s", num(p.Width), num(p.Height)); got != want {
		t.Errorf("viewBox = %q, want %q", got, want)
	}
	if len(nodes) != len(nb.Nodes) {
		t.Fatalf("drew %d nodes, want %d", len(nodes), len(nb.Nodes))
	}
	want := make(map[string]entities.Node)
	for _, n := range nb.Nodes {
		want[n.ID] = n
	}
	for _, n := range nodes {
		in, ok := want[n.id]
		if !ok {
			t.Fatalf("drew node %q twice or out of nowhere", n.id)
		}
		delete(want, n.id)
		if n.kind != string(in.Kind) {
			t.Errorf("node %q drawn as %q, want %q", n.id, n.kind, in.Kind)
		}
		if !strings.HasPrefix(n.title, in.Label+" (") {
			t.Errorf("node %q title = %q, want the full label %q", n.id, n.title, in.Label)
		}
		if n.x < 0 || n.y < legendH || n.x+n.w > p.Width || n.y+n.h > p.Height {
			t.Errorf("node %q at (%v,%v,%v,%v) leaves the %vx%v picture or enters the legend", n.id, n.x, n.y, n.w, n.h, p.Width, p.Height)
		}
	}
	for i, a := range nodes {
		for _, b := range nodes[i+1:] {
			if a.x < b.x+b.w && b.x < a.x+a.w && a.y < b.y+b.h && b.y < a.y+a.h {
				t.Errorf("boxes of %q (%v,%v %vx%v) and %q (%v,%v %vx%v) overlap", a.id, a.x, a.y, a.w, a.h, b.id, b.x, b.y, b.w, b.h)
			}
		}
	}
	if nodes[0].id != nb.Center {
		t.Errorf("first node = %q, want the centre %q", nodes[0].id, nb.Center)
	}
	c := nodes[0]
	if cx, mid := c.x+c.w/2, p.Width/2; cx < mid-p.Width/4 || cx > mid+p.Width/4 {
		t.Errorf("centre drawn at x=%v in a picture %v wide", cx, p.Width)
	}
	if len(p.Edges) != len(nb.Edges) {
		t.Errorf("%d edges, want %d", len(p.Edges), len(nb.Edges))
	}
	shown := 0
	for _, e := range p.Edges {
		if e.LabelText != "" {
			shown++
		}
	}
	if shown == 0 {
		t.Error("no edge label fits anywhere in a picture of 200 neighbours")
	}
	t.Logf("%d nodes, %d edges, %d edge labels drawn, %vx%v px, %d bytes", len(nodes), len(p.Edges), shown, p.Width, p.Height, len(svg))
}

// TestLayoutSmall checks what a reader sees in a small picture: every edge
// label drawn clear of every node box and of the other labels, long labels
// cut with an ellipsis, the kinds present in the legend.
func TestLayoutSmall(t *testing.T) {
	nb := neighbourhood(10)
	p, svg := render(t, nb)
	boxes := make([]box, 0, len(p.Nodes))
	for _, n := range p.Nodes {
		boxes = append(boxes, box{n.X + n.W/2, n.Y + n.H/2, n.W / 2, n.H / 2})
		if textWidth(n.Text, labelSize) > maxCenterW*1.2 {
			t.Errorf("node %q text %q is %v px wide", n.ID, n.Text, textWidth(n.Text, labelSize))
		}
		if full := clean(n.Label); n.Text != full && !strings.HasSuffix(n.Text, "…") {
			t.Errorf("node %q shows %q of %q without an ellipsis", n.ID, n.Text, full)
		}
	}
	var labels []box
	for _, e := range p.Edges {
		if e.LabelText == "" {
			continue
		}
		lb := box{e.LabelX, e.LabelY, textWidth(e.LabelText, edgeLabelSize) / 2, edgeLabelH / 2}
		for i, b := range boxes {
			if lb.overlaps(b, 0) {
				t.Errorf("label %q overlaps node %q", e.LabelText, p.Nodes[i].ID)
			}
		}
		for _, o := range labels {
			if lb.overlaps(o, 0) {
				t.Errorf("label %q overlaps another label", e.LabelText)
			}
		}
		labels = append(labels, lb)
	}
	// One edge runs behind the centre box and another edge's label.
	if len(labels) < len(p.Edges)-1 {
		t.Errorf("drew %d of %d edge labels in a picture of 10 neighbours", len(labels), len(p.Edges))
	}
	long := slices.IndexFunc(p.Nodes, func(n PlacedNode) bool { return strings.HasPrefix(n.Label, "Pacific Rim") })
	if long < 0 || !strings.HasSuffix(p.Nodes[long].Text, "…") {
		t.Errorf("the long label is not cut: %+v", p.Nodes[long])
	}
	for _, s := range []string{">Centre<", ">Submission<", ">Case<", ">Related entity<", ">Screening-list party<", ">On a screening list<"} {
		if !bytes.Contains(svg, []byte(s)) {
			t.Errorf("legend lacks %s", s)
		}
	}
	if bytes.Contains(svg, []byte("Cut at the node limit")) {
		t.Error("legend says the graph was cut; it was not")
	}
	nb.Truncated = true
	if _, svg := render(t, nb); !bytes.Contains(svg, []byte("Cut at the node limit")) {
		t.Error("legend does not say the graph was cut")
	}
}

// TestLayoutStable checks that the same neighbourhood, in any order, gives
// the same bytes.
func TestLayoutStable(t *testing.T) {
	nb := neighbourhood(120)
	p1, svg1 := render(t, nb)
	j1, err := json.Marshal(p1)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 3 {
		shuffled := nb
		shuffled.Nodes = slices.Clone(nb.Nodes)
		shuffled.Edges = slices.Clone(nb.Edges)
		r.Shuffle(len(shuffled.Nodes), func(i, j int) { shuffled.Nodes[i], shuffled.Nodes[j] = shuffled.Nodes[j], shuffled.Nodes[i] })
		r.Shuffle(len(shuffled.Edges), func(i, j int) { shuffled.Edges[i], shuffled.Edges[j] = shuffled.Edges[j], shuffled.Edges[i] })
		p2, svg2 := render(t, shuffled)
		if !bytes.Equal(svg1, svg2) {
			t.Fatal("the SVG differs for the same neighbourhood in another order")
		}
		j2, _ := json.Marshal(p2)
		if !bytes.Equal(j1, j2) {
			t.Fatal("the JSON differs for the same neighbourhood in another order")
		}
	}
}

// TestJSONMatchesSVG checks that the export carries the drawn positions.
func TestJSONMatchesSVG(t *testing.T) {
	p, svg := render(t, neighbourhood(40))
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Center string `json:"center"`
		Nodes  []struct {
			ID         string   `json:"id"`
			Kind       string   `json:"kind"`
			Label      string   `json:"label"`
			Flags      []string `json:"flags"`
			X, Y, W, H float64
		} `json:"nodes"`
		Edges []struct {
			From, To, Label string
			X1, Y1, X2, Y2  float64
		} `json:"edges"`
	}
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	_, drawn := parseSVG(t, svg)
	if back.Center != "entity:center" || len(back.Nodes) != len(drawn) || len(back.Edges) != len(p.Edges) {
		t.Fatalf("export: centre %q, %d nodes, %d edges; drawn %d nodes, %d edges", back.Center, len(back.Nodes), len(back.Edges), len(drawn), len(p.Edges))
	}
	for i, n := range back.Nodes {
		d := drawn[i]
		if n.ID != d.id || n.X != d.x || n.Y != d.y || n.W != d.w || n.H != d.h {
			t.Errorf("export %s at (%v,%v %vx%v), drawn %s at (%v,%v %vx%v)", n.ID, n.X, n.Y, n.W, n.H, d.id, d.x, d.y, d.w, d.h)
		}
	}
	if !slices.Contains(back.Nodes[0].Flags, entities.FlagScreened) {
		t.Errorf("centre flags %v lost in the export", back.Nodes[0].Flags)
	}
}

func TestLayoutEscapesLabels(t *testing.T) {
	hostile := []string{
		`</text><script>alert(1)</script>`,
		`"><foreignObject><iframe src="https://evil.example/"></iframe></foreignObject><text a="`,
		`<a href="javascript:alert(1)">x</a>`,
		`]]><!ENTITY x SYSTEM "file:///etc/passwd"><?xml-stylesheet href="x"?>`,
		"bell\x07 nul\x00 esc\x1b[31m tab\tnewline\nend",
		"\u202Egnp.exe\u202C and \u2066isolate\u2069",
		"\xff\xfe invalid UTF-8",
		`<style>*{background:url(https://evil.example/)}</style>`,
	}
	nb := entities.Neighbourhood{Center: "entity:c", Nodes: []entities.Node{{ID: "entity:c", Kind: entities.NodeEntity, Label: hostile[0]}}}
	for i, h := range hostile {
		id := fmt.Sprintf(`entity:"<%d>`, i)
		nb.Nodes = append(nb.Nodes, entities.Node{ID: id, Kind: entities.NodeEntity, EntityKind: entities.Kind(h), Label: h, Flags: []string{h}})
		nb.Edges = append(nb.Edges, entities.Edge{From: "entity:c", To: id, Label: h})
	}
	p, svg := render(t, nb)
	_, nodes := parseSVG(t, svg)
	if len(nodes) != len(nb.Nodes) {
		t.Fatalf("drew %d nodes, want %d", len(nodes), len(nb.Nodes))
	}
	for _, n := range nodes {
		if strings.ContainsFunc(n.title+strings.Join(n.texts, ""), func(r rune) bool { return r < ' ' || isBidiControl(r) }) {
			t.Errorf("node %q keeps control or bidi characters: %q %q", n.id, n.title, n.texts)
		}
	}
	for _, n := range nodes {
		if n.id == `entity:"<2>` {
			if got, want := n.title, clean(hostile[2])+" ("; !strings.HasPrefix(got, want) {
				t.Errorf("title = %q, want the label as text %q", got, want)
			}
		}
	}
	for _, bad := range []string{"<script", "<foreignObject", "<iframe", "<a ", "<!ENTITY", "<?xml-stylesheet", "<style"} {
		if bytes.Contains(svg, []byte(bad)) {
			t.Errorf("the SVG holds %q unescaped", bad)
		}
	}
	if _, err := json.Marshal(p); err != nil {
		t.Errorf("export: %v", err)
	}
}

func TestLayoutErrors(t *testing.T) {
	c := entities.Node{ID: "entity:c", Kind: entities.NodeEntity, Label: "C"}
	a := entities.Node{ID: "case:a", Kind: entities.NodeCase, Label: "A"}
	many := entities.Neighbourhood{Center: c.ID, Nodes: []entities.Node{c}}
	for i := range MaxNodes {
		many.Nodes = append(many.Nodes, entities.Node{ID: fmt.Sprint("submission:", i), Kind: entities.NodeSubmission})
	}
	tests := []struct {
		name string
		nb   entities.Neighbourhood
		code tipline.Code
	}{
		{"NoCentre", entities.Neighbourhood{Center: "entity:x", Nodes: []entities.Node{c}}, tipline.Internal},
		{"DuplicateNode", entities.Neighbourhood{Center: c.ID, Nodes: []entities.Node{c, a, a}}, tipline.Internal},
		{"UnknownEdgeEnd", entities.Neighbourhood{Center: c.ID, Nodes: []entities.Node{c, a}, Edges: []entities.Edge{{From: a.ID, To: "entity:nobody"}}}, tipline.Internal},
		{"SelfLoop", entities.Neighbourhood{Center: c.ID, Nodes: []entities.Node{c, a}, Edges: []entities.Edge{{From: a.ID, To: a.ID}}}, tipline.Internal},
		{"UnknownKind", entities.Neighbourhood{Center: c.ID, Nodes: []entities.Node{c, {ID: "x:1", Kind: "x"}}}, tipline.Internal},
		{"TooMany", many, tipline.TooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Layout(tt.nb)
			if err == nil {
				t.Fatal("Layout succeeded")
			}
			if got := tipline.ErrorCode(err); got != tt.code {
				t.Errorf("code = %s, want %s (%v)", got, tt.code, err)
			}
		})
	}
	t.Run("CentreAlone", func(t *testing.T) {
		p, svg := render(t, entities.Neighbourhood{Center: c.ID, Nodes: []entities.Node{c}})
		if _, nodes := parseSVG(t, svg); len(nodes) != 1 || len(p.Edges) != 0 {
			t.Errorf("drew %d nodes and %d edges for a lone centre", len(nodes), len(p.Edges))
		}
	})
	t.Run("ParallelEdgesMerge", func(t *testing.T) {
		p, _ := render(t, entities.Neighbourhood{Center: c.ID, Nodes: []entities.Node{c, a},
			Edges: []entities.Edge{{From: a.ID, To: c.ID, Label: "subject"}, {From: a.ID, To: c.ID, Label: "exporter"}, {From: a.ID, To: c.ID, Label: "subject"}}})
		if len(p.Edges) != 1 || p.Edges[0].Label != "exporter, subject" {
			t.Errorf("edges = %+v, want one labelled \"exporter, subject\"", p.Edges)
		}
	})
	var e *tipline.Error
	if _, err := Layout(many); !errors.As(err, &e) || e.Message == "" {
		t.Errorf("TooMany error %v has no safe message", err)
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name, in string
		maxW     float64
		want     string
		cut      bool
	}{
		{"Fits", "Wang Wei", 150, "Wang Wei", false},
		{"Latin", "Pacific Rim Freight Forwarding (Hong Kong) Limited", 150, "Pacific Rim Freight F…", true},
		{"Chinese", "深圳市华芯科技有限公司香港分公司", 120, "深圳市华芯科技有限…", true},
		{"TrailingSpaceDropped", "Golden Dragon Logistics", 100, "Golden Dragon…", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cut := truncate(tt.in, labelSize, tt.maxW)
			if got != tt.want || cut != tt.cut {
				t.Errorf("truncate(%q, %v) = %q, %v; want %q, %v", tt.in, tt.maxW, got, cut, tt.want, tt.cut)
			}
			if w := textWidth(got, labelSize); w > tt.maxW {
				t.Errorf("%q is %v px, over %v", got, w, tt.maxW)
			}
		})
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"Plain", "Huaxin 华芯", "Huaxin 华芯"},
		{"WhiteSpace", "  a\t\n b  ", "a b"},
		{"Controls", "a\x00b\x1bc\u0085d", "abc d"}, // U+0085 is a line break
		{"Bidi", "\u202Eabc\u202C\u2067d\u2069", "abcd"},
		{"InvalidUTF8", "a\xffb", "a\uFFFDb"},
		{"Long", strings.Repeat("x", maxTitleRunes+10), strings.Repeat("x", maxTitleRunes) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := clean(tt.in); got != tt.want {
				t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func BenchmarkLayout(b *testing.B) {
	nb := neighbourhood(300)
	for b.Loop() {
		p, err := Layout(nb)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.WriteSVG(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
