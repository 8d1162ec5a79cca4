package order

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math/big"
	"strconv"

	"github.com/shopspring/decimal"
)

// contentHashVersion starts the hashed content: change it whenever the
// encoding below changes, so old and new hashes never compare equal by
// accident.
const contentHashVersion = "orderhub/order-content/v2"

// ContentHash returns the hex SHA-256 of the order's business content, what
// the dedupe stage compares to spot a partner sending the same order twice
// (under another file name, through another transport, or re-numbered).
//
// It covers the partner, the PO number and everything the partner wrote;
// it leaves out what orderhub added: id, source, status, problems,
// allocations, backorders, outcomes, pricing, holds, route(s) and applied. It depends on values only:
// decimals count by value ("24.0" is "24"), item_ids in any order, and an
// empty value is the same as an absent one.
//
// The encoding is written out field by field rather than through
// encoding/json so that no global setting of the decimal package (trailing
// zeros, quoting) can change a stored hash.
func ContentHash(o *Order) string {
	h := hasher{b: make([]byte, 0, 1024)}
	h.raw(contentHashVersion)
	if o != nil {
		h.str("partner", o.Partner)
		h.str("po_number", o.PONumber)
		h.str("purpose", o.Purpose)
		h.str("order_type", o.OrderType)
		h.str("order_date", o.OrderDate)
		h.str("currency", o.Currency)
		h.str("requested_delivery_date", o.RequestedDeliveryDate)
		h.str("requested_ship_date", o.RequestedShipDate)
		h.str("cancel_after", o.CancelAfter)
		h.str("fob", o.FOB)
		if t := o.PaymentTerms; t != nil {
			h.obj("payment_terms")
			h.str("type", t.Type)
			h.decPtr("discount_percent", t.DiscountPercent)
			h.int("discount_days", t.DiscountDays)
			h.int("net_days", t.NetDays)
			h.str("description", t.Description)
		}
		if c := o.Carrier; c != nil {
			h.obj("carrier")
			h.str("scac", c.SCAC)
			h.str("name", c.Name)
			h.str("method", c.Method)
			h.str("service_level", c.ServiceLevel)
		}
		h.list("references", len(o.References))
		for _, r := range o.References {
			h.elem()
			h.str("qualifier", r.Qualifier)
			h.str("value", r.Value)
		}
		h.contacts(o.Contacts)
		h.parties(o.Parties)
		h.strs("notes", o.Notes)
		h.charges(o.Charges)
		h.decPtr("total_amount", o.TotalAmount)
		h.list("lines", len(o.Lines))
		for i := range o.Lines {
			l := &o.Lines[i]
			h.elem()
			h.str("line_no", l.LineNo)
			h.str("sku", l.SKU)
			h.str("gtin", l.GTIN)
			h.str("buyer_item", l.BuyerItem)
			if len(l.ItemIDs) > 0 {
				ids := l.ItemIDs.Sorted()
				n := 0
				for _, id := range ids {
					if id.ID != "" {
						n++
					}
				}
				h.list("item_ids", n)
				for _, id := range ids {
					if id.ID != "" {
						h.elem()
						h.raw(id.Qualifier)
						h.raw(id.ID)
					}
				}
			}
			h.str("description", l.Description)
			h.dec("quantity", l.Quantity)
			h.str("uom", l.UOM)
			// A price of 0 is a price (free goods); no price is not.
			h.decPtr("unit_price", l.UnitPrice)
			if p := l.Pack; p != nil {
				h.obj("pack")
				h.decPtr("pack", p.Pack)
				h.decPtr("size", p.Size)
				h.str("uom", p.UOM)
			}
			h.charges(l.Charges)
			h.parties(l.Parties)
			h.strs("notes", l.Notes)
			h.str("change", l.Change)
			// Set by orderhub on free goods only, which dedupe never sees
			// (they are added after it); hashed so that no field escapes.
			h.str("promotion", l.Promotion)
			h.strs("free_of", l.FreeOf)
		}
	}
	sum := sha256.Sum256(h.b)
	return hex.EncodeToString(sum[:])
}

// hasher writes an unambiguous encoding: every string is length-prefixed,
// every field is named, every list is counted and every element marked, so
// no two different orders produce the same byte stream. It collects the
// stream and hashes it once: cheaper than many small writes.
type hasher struct {
	b []byte
}

func (h *hasher) raw(s string) {
	h.b = binary.AppendUvarint(h.b, uint64(len(s)))
	h.b = append(h.b, s...)
}

func (h *hasher) str(name, s string) {
	if s == "" {
		return
	}
	h.b = append(h.b, 's')
	h.raw(name)
	h.raw(s)
}

func (h *hasher) list(name string, n int) {
	if n == 0 {
		return
	}
	h.b = append(h.b, 'l')
	h.raw(name)
	h.b = binary.AppendUvarint(h.b, uint64(n))
}

func (h *hasher) elem() { h.b = append(h.b, 'e') }

// obj marks a nested object, so its fields cannot pass for the parent's.
func (h *hasher) obj(name string) {
	h.b = append(h.b, 'o')
	h.raw(name)
}

func (h *hasher) int(name string, v int) {
	if v == 0 {
		return
	}
	h.str(name, strconv.Itoa(v))
}

func (h *hasher) decPtr(name string, d *decimal.Decimal) {
	if d != nil {
		h.dec(name, *d)
	}
}

func (h *hasher) strs(name string, v []string) {
	h.list(name, len(v))
	for _, s := range v {
		h.elem()
		h.raw(s)
	}
}

func (h *hasher) contacts(cs []Contact) {
	h.list("contacts", len(cs))
	for _, c := range cs {
		h.elem()
		h.str("function", c.Function)
		h.str("name", c.Name)
		h.str("phone", c.Phone)
		h.str("email", c.Email)
		h.str("fax", c.Fax)
	}
}

func (h *hasher) parties(ps []Party) {
	h.list("parties", len(ps))
	for _, p := range ps {
		h.elem()
		h.str("role", p.Role)
		h.str("id", p.ID)
		h.str("id_qualifier", p.IDQualifier)
		h.str("name", p.Name)
		h.strs("address", p.Address)
		h.str("city", p.City)
		h.str("region", p.Region)
		h.str("postal_code", p.PostalCode)
		h.str("country", p.Country)
		h.contacts(p.Contacts)
	}
}

func (h *hasher) charges(cs []Charge) {
	h.list("charges", len(cs))
	for _, c := range cs {
		h.elem()
		h.str("kind", c.Kind)
		h.str("code", c.Code)
		h.decPtr("amount", c.Amount)
		h.decPtr("percent", c.Percent)
		h.str("description", c.Description)
	}
}

func (h *hasher) dec(name string, d decimal.Decimal) {
	h.b = append(h.b, 'd')
	h.raw(name)
	c, e := canonicalDecimal(d)
	h.raw(c)
	h.b = binary.AppendVarint(h.b, e)
}

// canonicalDecimal returns d as a coefficient and an exponent with the
// trailing zeros moved into the exponent, so equal values give equal
// results whatever their scale: 24, 24.0 and 2.4e1 are all ("24", 0).
func canonicalDecimal(d decimal.Decimal) (string, int64) {
	e := int64(d.Exponent())
	if d.Sign() == 0 {
		return "0", 0
	}
	if d.NumDigits() <= 18 {
		c := d.CoefficientInt64()
		for c%10 == 0 {
			c /= 10
			e++
		}
		return strconv.FormatInt(c, 10), e
	}
	c := d.Coefficient()
	ten, q, r := big.NewInt(10), new(big.Int), new(big.Int)
	for {
		q.QuoRem(c, ten, r)
		if r.Sign() != 0 {
			break
		}
		c, q = q, c
		e++
	}
	return c.String(), e
}
