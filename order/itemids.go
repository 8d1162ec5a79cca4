package order

import (
	"bytes"
	"cmp"
	"slices"

	gojson "github.com/goccy/go-json"
)

// ItemIDs are a line's item identifiers by qualifier (X12 UP, VN, IN ...;
// EDIFACT SA, IN ...), sorted by qualifier, one per qualifier. In JSON they
// are an object: {"IN": "88001", "UP": "012345678905"}.
//
// A sorted slice rather than a map: a line holds two or three, and a map
// costs two allocations and a few hundred bytes each, which on a large
// X12 file was a fifth of the mapping time.
type ItemIDs []ItemID

// ItemID is one identifier and its qualifier.
type ItemID struct {
	Qualifier, ID string
}

// byQualifier orders identifiers by qualifier.
func byQualifier(a, b ItemID) int { return cmp.Compare(a.Qualifier, b.Qualifier) }

func (ids ItemIDs) find(q string) (int, bool) {
	return slices.BinarySearchFunc(ids, q, func(id ItemID, q string) int { return cmp.Compare(id.Qualifier, q) })
}

// Get returns the first identifier with qualifier q, or "". A line holds
// two or three: a scan is as quick as a search, sorted or not.
func (ids ItemIDs) Get(q string) string {
	for _, id := range ids {
		if id.Qualifier == q {
			return id.ID
		}
	}
	return ""
}

// Has tells whether there is an identifier with qualifier q.
func (ids ItemIDs) Has(q string) bool {
	for _, id := range ids {
		if id.Qualifier == q {
			return true
		}
	}
	return false
}

// Set sets the identifier with qualifier q, keeping the order.
func (ids *ItemIDs) Set(q, id string) {
	s := ids.Sorted()
	i, ok := s.find(q)
	if ok {
		s[i].ID = id
	} else {
		s = slices.Insert(s, i, ItemID{q, id})
	}
	*ids = s
}

func (ids ItemIDs) sorted() bool {
	return slices.IsSortedFunc(ids, byQualifier)
}

// Sorted returns ids sorted by qualifier, with the last of any repeated
// qualifier: ids itself when it already is (as everything Set and the JSON
// decoder make is), else a sorted copy.
func (ids ItemIDs) Sorted() ItemIDs {
	if ids.sorted() && !ids.repeats() {
		return ids
	}
	c := slices.Clone(ids)
	slices.SortStableFunc(c, byQualifier)
	out := c[:0]
	for i, id := range c {
		if i+1 < len(c) && c[i+1].Qualifier == id.Qualifier {
			continue // the last one wins, as in a JSON object
		}
		out = append(out, id)
	}
	return out
}

func (ids ItemIDs) repeats() bool {
	for i := 1; i < len(ids); i++ {
		if ids[i].Qualifier == ids[i-1].Qualifier {
			return true
		}
	}
	return false
}

// MarshalJSON writes the object form, sorted by qualifier.
func (ids ItemIDs) MarshalJSON() ([]byte, error) {
	return appendItemIDs(nil, ids), nil
}

func appendItemIDs(b []byte, ids ItemIDs) []byte {
	b = append(b, '{')
	for i, id := range ids.Sorted() {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, id.Qualifier)
		b = append(b, ':')
		b = appendString(b, id.ID)
	}
	return append(b, '}')
}

// UnmarshalJSON reads the object form. null leaves ids as they are.
func (ids *ItemIDs) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		return nil
	}
	var m map[string]string
	if err := gojson.Unmarshal(b, &m); err != nil {
		return err
	}
	s := make(ItemIDs, 0, len(m))
	for q, id := range m {
		s = append(s, ItemID{q, id})
	}
	slices.SortFunc(s, byQualifier)
	*ids = s
	return nil
}
