package screening_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/screening"
)

// readAll reads every entry of a CSL file.
func readAll(t testing.TB, csv string) ([]screening.Entry, string, error) {
	t.Helper()
	r, err := screening.NewCSLReader(strings.NewReader(csv))
	if err != nil {
		return nil, "", err
	}
	var es []screening.Entry
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) {
			return es, r.Checksum(), nil
		}
		if err != nil {
			return es, "", err
		}
		es = append(es, e)
	}
}

func TestCSLFixture(t *testing.T) {
	b, err := os.ReadFile("testdata/csl.csv")
	if err != nil {
		t.Fatal(err)
	}
	es, sum, err := readAll(t, string(b))
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(b)
	if sum != hex.EncodeToString(want[:]) {
		t.Errorf("checksum %s, want %x", sum, want)
	}
	if len(es) != 9 {
		t.Fatalf("%d entries, want 9", len(es))
	}
	kunlun := es[2]
	if kunlun.Line != 4 || es[3].Line != 6 {
		t.Errorf("lines %d and %d, want 4 and 6 (a two-line address)", kunlun.Line, es[3].Line)
	}
	if !reflect.DeepEqual(kunlun.Aliases, []string{"深圳市昆仑信达电子有限公司", "Kunlun Xinda (HK) Limited", "昆仑信达"}) {
		t.Errorf("aliases %q", kunlun.Aliases)
	}
	if kunlun.Details["license_policy"] != "Presumption of denial." || kunlun.Details["federal_register_notice"] != "89 FR 51644 6/18/24" ||
		!strings.Contains(kunlun.Details["addresses"], "Futian District") {
		t.Errorf("details %v", kunlun.Details)
	}
	if _, ok := kunlun.Details["name"]; ok {
		t.Errorf("details repeat the name: %v", kunlun.Details)
	}
	smic := es[1]
	if !reflect.DeepEqual(smic.Countries, []string{"CN"}) || smic.EntryID != "b7e2d3f4a5c6b7d8e9f0a1b2c3d4e5f60718293a" {
		t.Errorf("SMIC %+v", smic)
	}
	wang := es[4]
	if wang.Type != "Individual" || !reflect.DeepEqual(wang.Programs, []string{"CYBER2", "NPWMD"}) || wang.Name != "WANG, Jianguo" {
		t.Errorf("SDN entry %+v", wang)
	}
}

func TestCSLReader(t *testing.T) {
	const header = "source,name,alt_names,addresses,entity_number\n"
	for _, tc := range []struct {
		name, csv string
		want      []screening.Entry
	}{
		{"minimal columns, any order, BOM, CRLF", "\ufeffname,source\r\nAcme,Entity List\r\n",
			[]screening.Entry{{Line: 2, List: "Entity List", Name: "Acme", EntryID: "-", Details: map[string]string{}}}},
		{"aliases trimmed, deduplicated, without the name", header + `Entity List,Acme Ltd.," ACME LTD ; Acme Co;;Acme Co.; 阿克米 ",,` + "\n",
			[]screening.Entry{{Line: 2, List: "Entity List", Name: "Acme Ltd.", EntryID: "-", Aliases: []string{"Acme Co", "阿克米"}, Details: map[string]string{}}}},
		{"countries from addresses", header + `Entity List,Acme,,"1 Road, Shenzhen, CN; 2 Street, Singapore, SG; 3 Lane, CN; somewhere",E1` + "\n",
			[]screening.Entry{{Line: 2, List: "Entity List", Name: "Acme", EntryID: "E1", Countries: []string{"CN", "SG"},
				Details: map[string]string{"addresses": "1 Road, Shenzhen, CN; 2 Street, Singapore, SG; 3 Lane, CN; somewhere"}}}},
		{"header only", header, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := readAll(t, tc.csv)
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if i < len(tc.want) && tc.want[i].EntryID == "-" {
					// Derived from list and name: check it is stable instead.
					again, _, _ := readAll(t, tc.csv)
					if len(got[i].EntryID) != 20 || again[i].EntryID != got[i].EntryID {
						t.Errorf("derived entry id %q", got[i].EntryID)
					}
					got[i].EntryID = "-"
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestCSLReaderErrors(t *testing.T) {
	for _, tc := range []struct{ name, csv, want string }{
		{"empty file", "", "The file is empty."},
		{"no name column", "source,title\nEL,x\n", `Line 1: no "name" column`},
		{"duplicate column", "source,name,Name\nEL,x,y\n", `Line 1: the column "name" appears twice.`},
		{"wrong number of fields", "source,name\nEL,Acme\nEL\n", "Line 3, column 1: wrong number of fields."},
		{"bare quote", "source,name\nEL,Acme\nEL,Ac\"me\n", "Line 3, column 6:"},
		{"unterminated quote", "source,name\nEL,Acme\nEL,\"Acme\n", "Line 3"},
		{"empty name", "source,name\nEL,Acme\nEL,  ;; \n", "Line 3: the name is empty."},
		{"empty source", "source,name\nEL,Acme\n,Acme\n", "Line 3: the source (list) is empty."},
		{"not UTF-8", "source,name\nEL,Acme\nEL,\xff\xfe\n", `Line 3: the "name" field is not UTF-8.`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := readAll(t, tc.csv)
			if tipline.ErrorCode(err) != tipline.Invalid || !strings.Contains(tipline.ErrorMessage(err), tc.want) {
				t.Errorf("error %v (message %q), want Invalid with %q", err, tipline.ErrorMessage(err), tc.want)
			}
		})
	}
}

// FuzzCSLReader: any input yields entries or an Invalid error, never a
// panic, and every entry has a list, a name and an id.
func FuzzCSLReader(f *testing.F) {
	b, err := os.ReadFile("testdata/csl.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(b))
	f.Add("source,name,alt_names\nEL,\"a\nb\",c;d\n")
	f.Add("\ufeffname,source\r\n,\r\n")
	f.Fuzz(func(t *testing.T, csv string) {
		es, _, err := readAll(t, csv)
		if err != nil {
			if tipline.ErrorCode(err) != tipline.Invalid {
				t.Fatalf("error %v is not Invalid", err)
			}
			return
		}
		for _, e := range es {
			if e.List == "" || strings.TrimSpace(e.Name) == "" || e.EntryID == "" || e.Line < 2 {
				t.Fatalf("entry %+v", e)
			}
		}
	})
}
