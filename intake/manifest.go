package intake

// ManifestVersion is the version of the manifest format.
const ManifestVersion = 1

// Manifest is what a submission's first encrypted message holds: the
// answers and the list of files. It describes itself in English, so that an
// investigator reads it without the questionnaire, and it holds no time
// finer than what the server records elsewhere (none at all).
//
// As JSON:
//
//	{"version": 1, "desk": "export-controls", "lang": "zh", "questionnaire_version": 1,
//	 "answers": [{"id": "models", "label": "Which chips or servers are involved?",
//	              "type": "multiple_choice", "values": ["h100"], "value_labels": ["NVIDIA H100"]},
//	             {"id": "quantity", "label": "About how many chips or servers?",
//	              "type": "number", "values": ["200"], "raw": "大约200台"},
//	             {"id": "started", "label": "When did it start?",
//	              "type": "date", "values": [], "raw": "去年夏天"}, …],
//	 "parties": [{"field": "parties", "name": "…", "role": "freight_forwarder",
//	              "role_label": "Freight forwarder", "country": "HK", "country_name": "Hong Kong",
//	              "identifiers": "…"}],
//	 "files": [{"name": "invoice.pdf", "type": "application/pdf", "size": 12345, "sha256": "…"}]}
type Manifest struct {
	Version       int              `json:"version"`
	Desk          string           `json:"desk"`
	Lang          Lang             `json:"lang"`
	Questionnaire int              `json:"questionnaire_version"`
	Answers       []ManifestAnswer `json:"answers"` // in questionnaire order
	Parties       []PartyAnswer    `json:"parties"`
	Files         []ManifestFile   `json:"files"`
}

// ManifestAnswer is the answer to one field. ValueLabels holds the English
// labels of chosen options, or the English name of a country.
//
// A date or number answer holds the value read from the source's words:
// a number in plain digits ("2500") or a range ("200-300"), a date in ISO
// 8601 to the precision given ("2024", "2024-03", "2024-03-15"); Values is
// empty when nothing could be read. Raw holds the source's words whenever
// they differ from that value.
type ManifestAnswer struct {
	ID          string    `json:"id"`
	Label       string    `json:"label"`
	Type        FieldType `json:"type"`
	Values      []string  `json:"values"`
	ValueLabels []string  `json:"value_labels,omitempty"`
	Raw         string    `json:"raw,omitempty"`
}

// PartyAnswer is one row of a party field. Country is an ISO 3166-1 code
// when the source's entry matched a country (CountryName then holds its
// English name), or the source's own words otherwise.
type PartyAnswer struct {
	Field       string `json:"field"`
	Name        string `json:"name,omitempty"`
	Role        string `json:"role,omitempty"`
	RoleLabel   string `json:"role_label,omitempty"`
	Country     string `json:"country,omitempty"`
	CountryName string `json:"country_name,omitempty"`
	Identifiers string `json:"identifiers,omitempty"`
}

// ManifestFile describes one evidence file: as the source's browser named
// and typed it, its size in bytes and the hex SHA-256 of its plaintext.
type ManifestFile struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// NewManifest builds the manifest of answers cleaned by Check. Files is
// empty: the caller adds the files.
func (q *Questionnaire) NewManifest(desk string, lang Lang, a Answers) *Manifest {
	m := &Manifest{
		Version:       ManifestVersion,
		Desk:          desk,
		Lang:          lang,
		Questionnaire: q.Version,
		Answers:       []ManifestAnswer{},
		Parties:       []PartyAnswer{},
		Files:         []ManifestFile{},
	}
	for _, f := range q.Fields {
		switch f.Type {
		case Files:
			continue
		case Party:
			m.Parties = append(m.Parties, partyAnswers(f, a)...)
			continue
		}
		values, raw := a[f.ID], a[RawKey(f.ID)]
		if len(values) == 0 && len(raw) == 0 {
			continue
		}
		ans := ManifestAnswer{ID: f.ID, Label: f.Label.In(EN), Type: f.Type, Values: append([]string{}, values...)}
		if len(raw) > 0 {
			ans.Raw = raw[0]
		}
		for _, v := range values {
			switch f.Type {
			case SingleChoice, MultipleChoice:
				o, _ := f.option(v)
				ans.ValueLabels = append(ans.ValueLabels, o.Label.In(EN))
			case Country:
				ans.ValueLabels = append(ans.ValueLabels, countryByCode[v].Name.In(EN))
			}
		}
		m.Answers = append(m.Answers, ans)
	}
	return m
}

// partyAnswers returns the rows of a party field in cleaned answers.
func partyAnswers(f Field, a Answers) []PartyAnswer {
	var out []PartyAnswer
	for n := range f.RowCount() {
		get := func(part string) string {
			if v := a[PartyKey(f.ID, n, part)]; len(v) > 0 {
				return v[0]
			}
			return ""
		}
		p := PartyAnswer{Field: f.ID, Name: get(partName), Role: get(partRole), Country: get(partCountry), Identifiers: get(partIdentifiers)}
		if p == (PartyAnswer{Field: f.ID}) {
			continue
		}
		if o, ok := f.option(p.Role); ok {
			p.RoleLabel = o.Label.In(EN)
		}
		if c, ok := countryByCode[p.Country]; ok {
			p.CountryName = c.Name.In(EN)
		}
		out = append(out, p)
	}
	return out
}
