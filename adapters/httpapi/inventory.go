package httpapi

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/orderhub/orderhub/masterdata"
	"github.com/orderhub/orderhub/store"
)

// operator admits a request carrying the operator token
// (Config.OperatorToken): the calls that change master data or decide
// about orders are the supplier's, never a partner's.
func (s *Server) operator(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := bearerToken(r)
		if token == "" {
			noToken(w, "orderhub-operator", "send the operator token as Authorization: Bearer <token>")
			return
		}
		if s.cfg.OperatorToken == "" {
			writeProblem(w, problem{Status: http.StatusForbidden, Title: "no operator token",
				Detail: "this server has no operator token: set http.operator_token in orderhub.yaml or ORDERHUB_OPERATOR_TOKEN"})
			return
		}
		if !s.isOperator(token) {
			if _, err := s.store.PartnerByToken(r.Context(), token); err == nil {
				writeProblem(w, problem{Status: http.StatusForbidden, Title: "forbidden",
					Detail: "a partner's token cannot do this: it takes the operator token"})
				return
			}
			unknownToken(w, "orderhub-operator")
			return
		}
		h(w, r)
	}
}

// stockRow is one inventory level in a JSON body. Quantities may be
// strings ("120") or numbers (120); either way they are read as decimals.
type stockRow struct {
	Warehouse   string          `json:"warehouse"`
	SKU         string          `json:"sku"`
	OnHand      json.RawMessage `json:"on_hand"`
	SafetyStock json.RawMessage `json:"safety_stock"`
}

// putInventory sets stock levels, as `orderhub load stock` does: on_hand
// (and safety_stock when given) per warehouse and SKU, all rows or none.
// The body is the same CSV (text/csv) or JSON: an array of rows or
// {"levels": [...]}. Backordered orders waiting for the SKUs are filled
// when the levels change (serve's refill), by tier, then age.
func (s *Server) putInventory(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.tooLarge(w)
			return
		}
		writeProblem(w, problem{Status: http.StatusBadRequest, Title: "unreadable body", Detail: err.Error()})
		return
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	name := "inventory.csv"
	csvBody := body
	var fromJSON bool
	switch mt {
	case "text/csv", "application/csv", "text/plain":
	case "application/json", "":
		if mt == "" && !looksJSON(body) {
			break // a CSV sent without a type
		}
		fromJSON, name = true, "inventory"
		if csvBody, err = stockCSV(body); err != nil {
			writeProblem(w, problem{Status: http.StatusBadRequest, Title: "unreadable body",
				Detail: err.Error() + `; want [{"warehouse": "WH-EAST", "sku": "SKU-1", "on_hand": "120", "safety_stock": "10"}, ...] or {"levels": [...]}`})
			return
		}
	default:
		writeProblem(w, problem{Status: http.StatusUnsupportedMediaType, Title: "unsupported media type",
			Detail: fmt.Sprintf("want text/csv (warehouse,sku,on_hand[,safety_stock]) or application/json, got %q", mt)})
		return
	}
	res, err := masterdata.LoadReader(r.Context(), s.store, store.KindStock, name, bytes.NewReader(csvBody))
	var fe *masterdata.FileError
	if errors.As(err, &fe) {
		pr := problem{Status: http.StatusUnprocessableEntity, Title: "inventory refused",
			Detail: fmt.Sprintf("%d problem(s); nothing was changed", len(fe.Problems)+fe.More)}
		for _, p := range fe.Problems {
			fe := fieldError{Message: p.Msg}
			switch {
			case fromJSON && p.Line > 1:
				fe.Path = fmt.Sprintf("levels[%d]", p.Line-2)
				if p.Column != "" {
					fe.Path += "." + p.Column
				}
			case fromJSON:
				fe.Path = p.Column
			default:
				fe.Position = fmt.Sprintf("%s:%d", name, p.Line)
				if p.Column != "" {
					fe.Path = p.Column
				}
			}
			pr.Errors = append(pr.Errors, fe)
		}
		writeProblem(w, pr)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"kind": res.Kind, "rows": res.Rows, "inserted": res.Inserted,
		"updated": res.Updated, "unchanged": res.Unchanged})
}

func looksJSON(b []byte) bool {
	t := bytes.TrimSpace(b)
	return len(t) > 0 && (t[0] == '[' || t[0] == '{')
}

// stockCSV turns a JSON body into the CSV the stock loader reads, row i
// on line i+2, so the loader's problems map back to levels[i].
func stockCSV(body []byte) ([]byte, error) {
	var rows []stockRow
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '{' {
		var wrap struct {
			Levels []stockRow `json:"levels"`
		}
		dec := json.NewDecoder(bytes.NewReader(t))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&wrap); err != nil {
			return nil, err
		}
		rows = wrap.Levels
	} else {
		dec := json.NewDecoder(bytes.NewReader(t))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rows); err != nil {
			return nil, err
		}
	}
	if len(rows) == 0 {
		return nil, errors.New("no levels")
	}
	safety := false
	for _, r := range rows {
		if len(r.SafetyStock) > 0 && string(r.SafetyStock) != "null" {
			safety = true
		}
	}
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	head := []string{"warehouse", "sku", "on_hand"}
	if safety {
		head = append(head, "safety_stock")
	}
	cw.Write(head)
	for i, r := range rows {
		on, err := quantity(r.OnHand)
		if err != nil {
			return nil, fmt.Errorf("levels[%d].on_hand: %w", i, err)
		}
		rec := []string{r.Warehouse, r.SKU, on}
		if safety {
			sf, err := quantity(r.SafetyStock)
			if err != nil {
				return nil, fmt.Errorf("levels[%d].safety_stock: %w", i, err)
			}
			rec = append(rec, sf)
		}
		cw.Write(rec)
	}
	cw.Flush()
	return b.Bytes(), cw.Error()
}

// quantity is a JSON number or string as the loader's text; absent or
// null is empty (the loader says what is missing).
func quantity(raw json.RawMessage) (string, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return "", nil
	}
	if t[0] == '"' {
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return "", err
		}
		return s, nil
	}
	if _, err := strconv.ParseFloat(string(t), 64); err != nil {
		return "", fmt.Errorf("want a quantity, got %s", t)
	}
	return string(t), nil // the text as sent: no float in between
}
