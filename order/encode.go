package order

import (
	"strconv"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// A hand-written encoder for the canonical order. Every pipeline stage
// encodes every order, and reflection-driven encoders (encoding/json,
// goccy/go-json) spent most of their time on the decimals (big.Int to text)
// and on reflection itself. It writes exactly what encoding/json writes for
// these types: same field order, omitempty rules, string escaping (HTML
// characters and U+2028/2029 escaped, invalid UTF-8 replaced), sorted map
// keys. TestMarshalMatchesEncodingJSON, TestEncoderCoversEveryField and the
// fuzz target hold it to that.

// Marshal encodes an order as canonical JSON, byte for byte what
// encoding/json writes.
func Marshal(o *Order) ([]byte, error) {
	return o.AppendJSON(make([]byte, 0, 4096)), nil
}

// AppendJSON appends the order's canonical JSON to b.
func (o *Order) AppendJSON(b []byte) []byte {
	if o == nil {
		return append(b, "null"...)
	}
	w := objWriter{b: append(b, '{')}
	w.str("id", o.ID, true)
	w.str("partner", o.Partner, true)
	w.str("po_number", o.PONumber, false)
	w.str("purpose", o.Purpose, true)
	w.str("order_type", o.OrderType, true)
	w.str("order_date", o.OrderDate, true)
	w.str("currency", o.Currency, true)
	w.str("requested_delivery_date", o.RequestedDeliveryDate, true)
	w.str("requested_ship_date", o.RequestedShipDate, true)
	w.str("cancel_after", o.CancelAfter, true)
	w.str("fob", o.FOB, true)
	object(&w, "payment_terms", o.PaymentTerms, appendPaymentTerms)
	object(&w, "carrier", o.Carrier, appendCarrier)
	objects(&w, "references", o.References, appendReference)
	objects(&w, "contacts", o.Contacts, appendContact)
	objects(&w, "parties", o.Parties, appendParty)
	w.strs("notes", o.Notes)
	objects(&w, "charges", o.Charges, appendCharge)
	w.decPtr("total_amount", o.TotalAmount)
	w.key("lines")
	if o.Lines == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.b = appendSlice(w.b, o.Lines, appendLine)
	}
	object(&w, "source", o.Source, appendSource)
	w.str("status", o.Status, true)
	objects(&w, "problems", o.Problems, appendProblem)
	objects(&w, "allocations", o.Allocations, appendAllocation)
	objects(&w, "backorders", o.Backorders, appendBackorder)
	objects(&w, "outcomes", o.Outcomes, appendOutcome)
	object(&w, "pricing", o.Pricing, appendPricing)
	objects(&w, "holds", o.Holds, appendHold)
	object(&w, "route", o.Route, appendRoute)
	objects(&w, "routes", o.Routes, appendRoute)
	object(&w, "applied", o.Applied, appendApplied)
	return append(w.b, '}')
}

// objWriter writes the members of one JSON object.
type objWriter struct {
	b    []byte
	more bool
}

func (w *objWriter) key(k string) {
	if w.more {
		w.b = append(w.b, ',')
	}
	w.more = true
	w.b = append(w.b, '"')
	w.b = append(w.b, k...) // keys are plain ASCII
	w.b = append(w.b, '"', ':')
}

func (w *objWriter) str(k, v string, omitEmpty bool) {
	if omitEmpty && v == "" {
		return
	}
	w.key(k)
	w.b = appendString(w.b, v)
}

// strs writes a list of strings, left out when empty.
func (w *objWriter) strs(k string, v []string) {
	if len(v) == 0 {
		return
	}
	w.key(k)
	w.b = append(w.b, '[')
	for i, s := range v {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = appendString(w.b, s)
	}
	w.b = append(w.b, ']')
}

func (w *objWriter) decPtr(k string, d *decimal.Decimal) {
	if d != nil {
		w.dec(k, *d)
	}
}

// decOmitZero writes d, left out when zero (omitzero).
func (w *objWriter) decOmitZero(k string, d decimal.Decimal) {
	if !d.IsZero() {
		w.dec(k, d)
	}
}

func (w *objWriter) int(k string, v int) {
	if v == 0 {
		return
	}
	w.key(k)
	w.b = strconv.AppendInt(w.b, int64(v), 10)
}

func (w *objWriter) dec(k string, d decimal.Decimal) {
	w.key(k)
	w.b = appendDecimal(w.b, d)
}

// object writes *v under k, left out when v is nil.
func object[T any](w *objWriter, k string, v *T, one func([]byte, *T) []byte) {
	if v == nil {
		return
	}
	w.key(k)
	w.b = one(w.b, v)
}

// objects writes a list under k, left out when empty.
func objects[T any](w *objWriter, k string, items []T, one func([]byte, *T) []byte) {
	if len(items) == 0 {
		return
	}
	w.key(k)
	w.b = appendSlice(w.b, items, one)
}

func appendSlice[T any](b []byte, items []T, one func([]byte, *T) []byte) []byte {
	b = append(b, '[')
	for i := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = one(b, &items[i])
	}
	return append(b, ']')
}

func appendReference(b []byte, r *Reference) []byte {
	w := objWriter{b: append(b, '{')}
	w.str("qualifier", r.Qualifier, false)
	w.str("value", r.Value, false)
	return append(w.b, '}')
}

func appendParty(b []byte, p *Party) []byte {
	w := objWriter{b: append(b, '{')}
	w.str("role", p.Role, false)
	w.str("id", p.ID, true)
	w.str("id_qualifier", p.IDQualifier, true)
	w.str("name", p.Name, true)
	w.strs("address", p.Address)
	w.str("city", p.City, true)
	w.str("region", p.Region, true)
	w.str("postal_code", p.PostalCode, true)
	w.str("country", p.Country, true)
	objects(&w, "contacts", p.Contacts, appendContact)
	return append(w.b, '}')
}

func appendContact(b []byte, c *Contact) []byte {
	w := objWriter{b: append(b, '{')}
	w.str("function", c.Function, true)
	w.str("name", c.Name, true)
	w.str("phone", c.Phone, true)
	w.str("email", c.Email, true)
	w.str("fax", c.Fax, true)
	return append(w.b, '}')
}

func appendPaymentTerms(b []byte, t *PaymentTerms) []byte {
	w := objWriter{b: append(b, '{')}
	w.str("type", t.Type, true)
	w.decPtr("discount_percent", t.DiscountPercent)
	w.int("discount_days", t.DiscountDays)
	w.int("net_days", t.NetDays)
	w.str("description", t.Description, true)
	return append(w.b, '}')
}

func appendCarrier(b []byte, c *Carrier) []byte {
	w := objWriter{b: append(b, '{')}
	w.str("scac", c.SCAC, true)
	w.str("name", c.Name, true)
	w.str("method", c.Method, true)
	w.str("service_level", c.ServiceLevel, true)
	return append(w.b, '}')
}

func appendCharge(b []byte, c *Charge) []byte {
	w := objWriter{b: append(b, '{')}
	w.str("kind", c.Kind, false)
	w.str("code", c.Code, true)
	w.decPtr("amount", c.Amount)
	w.decPtr("percent", c.Percent)
	w.str("description", c.Description, true)
	return append(w.b, '}')
}

func appendPack(b []byte, p *Pack) []byte {
	w := objWriter{b: append(b, '{')}
	w.decPtr("pack", p.Pack)
	w.decPtr("size", p.Size)
	w.str("uom", p.UOM, true)
	return append(w.b, '}')
}

func appendLine(b []byte, l *Line) []byte {
	w := objWriter{b: append(b, '{')}
	w.str("line_no", l.LineNo, false)
	w.str("sku", l.SKU, true)
	w.str("gtin", l.GTIN, true)
	w.str("buyer_item", l.BuyerItem, true)
	if len(l.ItemIDs) > 0 {
		w.key("item_ids")
		w.b = appendItemIDs(w.b, l.ItemIDs)
	}
	w.str("description", l.Description, true)
	w.dec("quantity", l.Quantity)
	w.str("uom", l.UOM, true)
	w.decPtr("unit_price", l.UnitPrice)
	object(&w, "pack", l.Pack, appendPack)
	objects(&w, "charges", l.Charges, appendCharge)
	objects(&w, "parties", l.Parties, appendParty)
	w.strs("notes", l.Notes)
	w.str("change", l.Change, true)
	w.str("promotion", l.Promotion, true)
	w.strs("free_of", l.FreeOf)
	return append(w.b, '}')
}

func appendSource(b []byte, s *Source) []byte {
	w := objWriter{b: append(b, '{')}
	w.str("format", s.Format, true)
	w.str("transport", s.Transport, true)
	w.str("document", s.Document, true)
	w.str("document_id", s.DocumentID, true)
	w.str("sha256", s.SHA256, true)
	w.str("interchange", s.Interchange, true)
	w.str("group", s.Group, true)
	w.str("transaction", s.Transaction, true)
	w.str("position", s.Position, true)
	w.str("syntax", s.Syntax, true)
	w.str("service_chars", s.ServiceChars, true)
	w.str("message_version", s.MessageVersion, true)
	w.str("sender", s.Sender, true)
	w.str("recipient", s.Recipient, true)
	return append(w.b, '}')
}

func appendProblem(b []byte, p *Problem) []byte {
	w := objWriter{b: append(b, '{')}
	w.str("path", p.Path, true)
	w.str("message", p.Message, false)
	return append(w.b, '}')
}

func appendAllocation(b []byte, a *Allocation) []byte {
	w := objWriter{b: append(b, '{')}
	w.str("line_no", a.LineNo, false)
	w.str("warehouse", a.Warehouse, false)
	w.dec("quantity", a.Quantity)
	return append(w.b, '}')
}

func appendBackorder(b []byte, a *Backorder) []byte {
	w := objWriter{b: append(b, '{')}
	w.str("line_no", a.LineNo, false)
	w.dec("quantity", a.Quantity)
	return append(w.b, '}')
}

func appendOutcome(b []byte, a *LineOutcome) []byte {
	w := objWriter{b: append(b, '{')}
	w.str("line_no", a.LineNo, false)
	w.str("outcome", a.Outcome, false)
	w.dec("quantity", a.Quantity)
	w.str("uom", a.UOM, true)
	w.decOmitZero("short", a.Short)
	w.str("reason", a.Reason, true)
	w.str("rule", a.Rule, true)
	w.decOmitZero("pack_size", a.PackSize)
	return append(w.b, '}')
}

func appendHold(b []byte, h *Hold) []byte {
	w := objWriter{b: append(b, '{')}
	w.str("rule", h.Rule, false)
	w.str("reason", h.Reason, false)
	return append(w.b, '}')
}

func appendPriceCheck(b []byte, c *PriceCheck) []byte {
	w := objWriter{b: append(b, '{')}
	w.str("rule", c.Rule, false)
	w.dec("po_price", c.POPrice)
	w.dec("our_price", c.OurPrice)
	w.str("uom", c.UOM, true)
	w.dec("difference", c.Difference)
	w.str("tolerance", c.Tolerance, false)
	w.str("result", c.Result, false)
	return append(w.b, '}')
}

func appendPricing(b []byte, p *Pricing) []byte {
	w := objWriter{b: append(b, '{')}
	w.key("lines")
	if p.Lines == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.b = appendSlice(w.b, p.Lines, appendPricedLine)
	}
	objects(&w, "adjustments", p.Adjustments, appendAdjustment)
	w.dec("subtotal", p.Subtotal)
	w.dec("discount_total", p.DiscountTotal)
	w.dec("total", p.Total)
	w.decPtr("tax_total", p.TaxTotal)
	w.decPtr("total_with_tax", p.TotalWithTax)
	return append(w.b, '}')
}

func appendPricedLine(b []byte, l *PricedLine) []byte {
	w := objWriter{b: append(b, '{')}
	w.str("line_no", l.LineNo, false)
	w.dec("unit_price", l.UnitPrice)
	w.dec("list_price", l.ListPrice)
	w.str("price_list", l.PriceList, true)
	objects(&w, "adjustments", l.Adjustments, appendAdjustment)
	w.key("po_price_mismatch")
	w.b = strconv.AppendBool(w.b, l.POPriceMismatch)
	w.decPtr("tax_base", l.TaxBase)
	w.decPtr("tax_rate", l.TaxRate)
	w.decPtr("tax", l.Tax)
	w.str("tax_rule", l.TaxRule, true)
	object(&w, "price_check", l.PriceCheck, appendPriceCheck)
	return append(w.b, '}')
}

func appendAdjustment(b []byte, a *Adjustment) []byte {
	w := objWriter{b: append(b, '{')}
	w.str("kind", a.Kind, false)
	w.str("rule", a.Rule, false)
	w.dec("amount", a.Amount)
	return append(w.b, '}')
}

func appendRoute(b []byte, r *Route) []byte {
	w := objWriter{b: append(b, '{')}
	w.str("warehouse", r.Warehouse, false)
	w.str("topic", r.Topic, false)
	w.str("carrier", r.Carrier, true)
	w.str("service", r.Service, true)
	w.str("ship_date", r.ShipDate, true)
	w.str("carrier_rule", r.CarrierRule, true)
	return append(w.b, '}')
}

// appendDecimal writes d as decimal.Decimal's MarshalJSON does: its
// String() in quotes. Coefficients that fit in 18 digits are formatted
// without big.Int; anything else, or the package's global formatting
// switches changed from their defaults, goes through the package.
func appendDecimal(b []byte, d decimal.Decimal) []byte {
	if decimal.MarshalJSONWithoutQuotes || !decimal.TrimTrailingZeros || decimal.UseScientificNotation || d.NumDigits() > 18 {
		s, _ := d.MarshalJSON()
		return append(b, s...)
	}
	b = append(b, '"')
	c, exp := d.CoefficientInt64(), int(d.Exponent())
	if exp >= 0 {
		if c == 0 {
			b = append(b, '0')
		} else {
			b = strconv.AppendInt(b, c, 10)
			for range exp {
				b = append(b, '0')
			}
		}
		return append(b, '"')
	}
	if c < 0 {
		b = append(b, '-')
		c = -c
	}
	var digits [20]byte
	ds := strconv.AppendUint(digits[:0], uint64(c), 10)
	n := len(ds)
	places := -exp
	var intPart, frac []byte
	zeros := 0
	if n > places {
		intPart, frac = ds[:n-places], ds[n-places:]
	} else {
		intPart, frac, zeros = []byte("0"), ds, places-n
	}
	i := len(frac)
	for i > 0 && frac[i-1] == '0' {
		i--
	}
	frac = frac[:i]
	b = append(b, intPart...)
	if len(frac) > 0 {
		b = append(b, '.')
		for range zeros {
			b = append(b, '0')
		}
		b = append(b, frac...)
	}
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string the way encoding/json does with
// HTML escaping on.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
