package order

import (
	"encoding/json"
	"testing"
)

func TestItemIDs(t *testing.T) {
	var ids ItemIDs
	ids.Set("VN", "SKU-1")
	ids.Set("UP", "012345678905")
	ids.Set("IN", "88001")
	ids.Set("VN", "SKU-2")
	if got, _ := ids.MarshalJSON(); string(got) != `{"IN":"88001","UP":"012345678905","VN":"SKU-2"}` {
		t.Errorf("marshal %s", got)
	}
	if ids.Get("UP") != "012345678905" || ids.Get("EN") != "" || !ids.Has("IN") || ids.Has("EN") {
		t.Errorf("get/has %v", ids)
	}

	// Written by hand, unsorted and repeated: read as a JSON object would be.
	lit := ItemIDs{{"VN", "a"}, {"IN", "b"}, {"VN", "c"}}
	if lit.Get("VN") != "a" {
		t.Errorf("unsorted get %q", lit.Get("VN"))
	}
	if got, _ := json.Marshal(lit); string(got) != `{"IN":"b","VN":"c"}` {
		t.Errorf("unsorted marshal %s", got)
	}

	var back struct {
		IDs ItemIDs `json:"ids"`
	}
	if err := json.Unmarshal([]byte(`{"ids":{"VN":"x","UP":"y","VN":"z"}}`), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.IDs) != 2 || back.IDs[0] != (ItemID{"UP", "y"}) || back.IDs[1] != (ItemID{"VN", "z"}) {
		t.Errorf("unmarshal %v", back.IDs)
	}
	if err := json.Unmarshal([]byte(`{"ids":["VN"]}`), &back); err == nil {
		t.Error("an array taken for item ids")
	}
}
