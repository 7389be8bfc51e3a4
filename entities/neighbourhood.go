package entities

import (
	"context"

	"github.com/tipline/tipline/casework"
)

// Node limits of a Neighbourhood.
const (
	DefaultNodes = 300
	MaxNodes     = 2000
)

// Neighbourhood returns the entity id and what connects to it, breadth
// first, up to limit nodes (DefaultNodes when 0, at most MaxNodes). Links
// and relations stay within a desk, so whoever sees the entity sees the
// whole neighbourhood. A merged entity is drawn as its own record. The
// view is audited.
func (s *Service) Neighbourhood(ctx context.Context, p casework.Principal, id string, limit int) (Neighbourhood, error) {
	n, err := s.neighbourhood(ctx, p, id, limit)
	if err != nil {
		return Neighbourhood{}, err
	}
	if err := s.audit(ctx, p, ActionGraph, entityTarget(id)); err != nil {
		return Neighbourhood{}, err
	}
	return n, nil
}

func (s *Service) neighbourhood(ctx context.Context, p casework.Principal, id string, limit int) (Neighbourhood, error) {
	if _, err := s.visible(ctx, p, id); err != nil {
		return Neighbourhood{}, err
	}
	if limit <= 0 {
		limit = DefaultNodes
	}
	limit = min(limit, MaxNodes)
	g := graphBuilder{n: Neighbourhood{Center: entityNode(id), Nodes: []Node{}, Edges: []Edge{}}, seen: map[string]int{}, edges: map[Edge]bool{}, limit: limit}
	frontier := []string{id}
	for len(frontier) > 0 && !g.n.Truncated {
		// Each link or relation brings at most one new node, so a few
		// times the nodes still free are read (twice: room for a second
		// role of each submission or case), not a most named entity's
		// thousands of links.
		conn, err := s.Store.EntityConnections(ctx, frontier, 2*(limit-len(g.n.Nodes)))
		if err != nil {
			return Neighbourhood{}, err
		}
		g.n.Truncated = conn.More
		if len(g.n.Nodes) == 0 {
			ref := conn.Entities[id]
			g.add(Node{ID: entityNode(id), Kind: NodeEntity, EntityKind: ref.Kind, Label: ref.Name, Flags: entityFlags(ref, FlagCenter)})
		}
		var next []string
		for _, r := range conn.Relations {
			for _, end := range []string{r.From, r.To} {
				if _, ok := g.seen[entityNode(end)]; ok {
					continue
				}
				ref := conn.Entities[end]
				if g.add(Node{ID: entityNode(end), Kind: NodeEntity, EntityKind: ref.Kind, Label: ref.Name, Flags: entityFlags(ref)}) {
					next = append(next, end)
				}
			}
			g.edge(entityNode(r.From), entityNode(r.To), string(r.Type))
		}
		for _, eid := range frontier {
			for _, f := range conn.Screening[eid] {
				nid := "screening:" + f.List + "/" + f.EntryID
				g.add(Node{ID: nid, Kind: NodeScreening, Label: f.ListedName, Flags: []string{f.List}})
				g.edge(entityNode(eid), nid, f.List)
			}
		}
		for _, l := range conn.Cases {
			flags := []string(nil)
			if l.CaseStatus == casework.CaseOpen {
				flags = []string{FlagOpenCase}
				g.flag(entityNode(l.Entity), FlagOpenCase)
			}
			g.add(Node{ID: "case:" + l.Case, Kind: NodeCase, Label: l.CaseTitle, Flags: flags})
			g.edge("case:"+l.Case, entityNode(l.Entity), string(l.Role))
		}
		for _, l := range conn.Submissions {
			g.add(Node{ID: "submission:" + l.Submission, Kind: NodeSubmission, Label: "Submission " + l.ReceivedDay})
			g.edge("submission:"+l.Submission, entityNode(l.Entity), string(l.Role))
		}
		frontier = next
	}
	return g.n, nil
}

func entityNode(id string) string { return "entity:" + id }

func entityFlags(ref EntityRef, more ...string) []string {
	if ref.Screened {
		more = append(more, FlagScreened)
	}
	return more
}

// graphBuilder adds nodes up to a limit and edges between nodes it holds.
type graphBuilder struct {
	n     Neighbourhood
	seen  map[string]int // node id → index in n.Nodes
	edges map[Edge]bool
	limit int
}

// add adds a node unless it is there already or the limit is reached,
// which truncates the graph; it reports whether the node is new.
func (g *graphBuilder) add(n Node) bool {
	if _, ok := g.seen[n.ID]; ok {
		return false
	}
	if len(g.n.Nodes) >= g.limit {
		g.n.Truncated = true
		return false
	}
	g.seen[n.ID] = len(g.n.Nodes)
	g.n.Nodes = append(g.n.Nodes, n)
	return true
}

// edge adds an edge between two nodes the graph holds.
func (g *graphBuilder) edge(from, to, label string) {
	_, okFrom := g.seen[from]
	_, okTo := g.seen[to]
	e := Edge{From: from, To: to, Label: label}
	if okFrom && okTo && !g.edges[e] {
		g.edges[e] = true
		g.n.Edges = append(g.n.Edges, e)
	}
}

// flag adds a flag to a node the graph holds, once.
func (g *graphBuilder) flag(id, flag string) {
	i, ok := g.seen[id]
	if !ok {
		return
	}
	for _, f := range g.n.Nodes[i].Flags {
		if f == flag {
			return
		}
	}
	g.n.Nodes[i].Flags = append(g.n.Nodes[i].Flags, flag)
}
