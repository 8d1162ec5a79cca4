package order

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Limits Validate enforces.
const (
	MaxLines         = 10000
	maxPONumber      = 64
	maxPartner       = 64
	maxQuantityScale = 4
	maxPriceScale    = 6
)

// ValidationError lists every problem Validate found, each with its JSON
// path, so a partner can fix a document in one round trip instead of one
// problem at a time.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string { return joinProblems(e.Problems) }

var (
	purposes   = []string{PurposeOriginal, PurposeCancel, PurposeReplace, PurposeChange}
	orderTypes = []string{TypeStandalone, TypeDropship, TypeRelease, TypeBlanket, TypeRush, TypeConsigned}
	roles      = []string{RoleShipTo, RoleBillTo, RoleBuyer, RoleSupplier, RoleSoldTo, RoleShipFrom}
)

// Validate checks the business rules of a decoded order and returns nil or
// a *ValidationError listing every problem. It does not require Partner:
// the intake sets it after decoding, from what the transport knows.
func (o *Order) Validate() error {
	if o == nil {
		return &ValidationError{Problems: []Problem{{Message: "no order"}}}
	}
	var v validator
	v.header(o)
	for i := range o.References {
		r := &o.References[i]
		p := "references[" + strconv.Itoa(i) + "]"
		v.required(p+".qualifier", r.Qualifier)
		v.required(p+".value", r.Value)
	}
	v.parties("", o.Parties)
	v.charges("", o.Charges)
	if t := o.PaymentTerms; t != nil {
		if t.DiscountDays < 0 {
			v.add("payment_terms.discount_days", "must be >= 0, got %d", t.DiscountDays)
		}
		if t.NetDays < 0 {
			v.add("payment_terms.net_days", "must be >= 0, got %d", t.NetDays)
		}
		if d := t.DiscountPercent; d != nil && (d.IsNegative() || d.GreaterThan(decimal.NewFromInt(100))) {
			v.add("payment_terms.discount_percent", "must be 0 to 100, got %q", d.String())
		}
	}
	v.lines(o)
	for i := range o.Lines {
		prefix := "lines[" + strconv.Itoa(i) + "]."
		v.parties(prefix, o.Lines[i].Parties)
		v.charges(prefix, o.Lines[i].Charges)
	}
	if len(v.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: v.problems}
}

type validator struct {
	problems []Problem
}

func (v *validator) add(path, format string, args ...any) {
	v.problems = append(v.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) required(path, s string) bool {
	if strings.TrimSpace(s) == "" {
		if s == "" {
			v.add(path, "required")
		} else {
			v.add(path, "required, got only blanks")
		}
		return false
	}
	return true
}

func (v *validator) header(o *Order) {
	if v.required("po_number", o.PONumber) {
		switch n := utf8.RuneCountInString(o.PONumber); {
		case !utf8.ValidString(o.PONumber):
			v.add("po_number", "not valid UTF-8")
		case n > maxPONumber:
			v.add("po_number", "at most %d characters, got %d", maxPONumber, n)
		default:
			if i, r, ok := controlChar(o.PONumber); ok {
				v.add("po_number", "control character %U at character %d", r, i+1)
			}
		}
	}
	if o.Partner != "" && !plausibleID(o.Partner) {
		v.add("partner", "want 1-%d characters of A-Z a-z 0-9 _ . -, got %s", maxPartner, quote(o.Partner))
	}
	if o.Purpose != "" && !oneOf(o.Purpose, purposes) {
		v.add("purpose", "want one of %s; got %s", strings.Join(purposes, ", "), quote(o.Purpose))
	}
	if o.OrderType != "" && !oneOf(o.OrderType, orderTypes) && !isTypeCode(o.OrderType) {
		v.add("order_type", "want one of %s, or code: and 1-3 letters or digits (code:SA); got %s", strings.Join(orderTypes, ", "), quote(o.OrderType))
	}
	dates := []struct{ path, value string }{
		{"order_date", o.OrderDate},
		{"requested_delivery_date", o.RequestedDeliveryDate},
		{"requested_ship_date", o.RequestedShipDate},
		{"cancel_after", o.CancelAfter},
	}
	valid := map[string]bool{}
	for _, d := range dates {
		if d.value == "" {
			continue
		}
		if !isDate(d.value) {
			v.add(d.path, "want a calendar date YYYY-MM-DD, got %s", quote(d.value))
			continue
		}
		valid[d.path] = true
	}
	// Dates in YYYY-MM-DD compare as strings.
	if valid["cancel_after"] {
		for _, d := range dates[1:3] {
			if valid[d.path] && d.value > o.CancelAfter {
				v.add(d.path, "%s is after cancel_after %s", d.value, o.CancelAfter)
			}
		}
	}
	if o.Currency != "" && !isCurrency(o.Currency) {
		v.add("currency", "want a 3-letter ISO 4217 code such as USD, got %s", quote(o.Currency))
	}
}

func (v *validator) parties(prefix string, parties []Party) {
	first := map[string]int{}
	for i := range parties {
		p := &parties[i]
		path := prefix + "parties[" + strconv.Itoa(i) + "].role"
		switch {
		case p.Role == "":
			v.add(path, "required: one of %s", strings.Join(roles, ", "))
		case !oneOf(p.Role, roles):
			v.add(path, "want one of %s; got %s", strings.Join(roles, ", "), quote(p.Role))
		default:
			if j, dup := first[p.Role]; dup {
				v.add(path, "a second %s party: %sparties[%d] is %s already", p.Role, prefix, j, p.Role)
			} else {
				first[p.Role] = i
			}
		}
	}
}

// charges checks allowances and charges: a kind, and an amount or a
// percent that is not negative (an allowance is a positive amount off).
func (v *validator) charges(prefix string, cs []Charge) {
	for i := range cs {
		c := &cs[i]
		p := prefix + "charges[" + strconv.Itoa(i) + "]"
		if c.Kind != "allowance" && c.Kind != "charge" {
			v.add(p+".kind", "want allowance or charge, got %s", quote(c.Kind))
		}
		if c.Amount != nil && c.Amount.IsNegative() {
			v.add(p+".amount", "must be >= 0, got %q", c.Amount.String())
		}
		if c.Percent != nil && (c.Percent.IsNegative() || c.Percent.GreaterThan(decimal.NewFromInt(100))) {
			v.add(p+".percent", "must be 0 to 100, got %q", c.Percent.String())
		}
	}
}

func (v *validator) lines(o *Order) {
	if len(o.Lines) == 0 && o.Purpose != PurposeCancel {
		v.add("lines", "at least one line is required (only a cancel may have none)")
	}
	if len(o.Lines) > MaxLines {
		v.add("lines", "at most %d lines, got %d", MaxLines, len(o.Lines))
	}
	seen := make(map[string]int, len(o.Lines))
	for i := range o.Lines {
		l := &o.Lines[i]
		p := "lines[" + strconv.Itoa(i) + "]"
		if v.required(p+".line_no", l.LineNo) {
			if j, dup := seen[l.LineNo]; dup {
				v.add(p+".line_no", "%s is also the line_no of lines[%d]", quote(l.LineNo), j)
			} else {
				seen[l.LineNo] = i
			}
		}
		if !hasItem(l) {
			v.add(p, "no item: give sku, gtin, buyer_item or item_ids")
		}
		// Free goods are orderhub's to add (buy X get Y), never a sender's.
		if l.Promotion != "" {
			v.add(p+".promotion", "set by orderhub on the free goods it adds; leave it out")
		}
		if len(l.FreeOf) > 0 {
			v.add(p+".free_of", "set by orderhub on the free goods it adds; leave it out")
		}
		if l.GTIN != "" {
			if msg := checkGTIN(l.GTIN); msg != "" {
				v.add(p+".gtin", "%s", msg)
			}
		}
		switch {
		case l.Change == "delete" && l.Quantity.Sign() < 0:
			// A line a change order deletes may say 0.
			v.add(p+".quantity", "must be >= 0, got %s", quote(l.Quantity.String()))
		case l.Quantity.Sign() <= 0 && l.Change != "delete":
			v.add(p+".quantity", "must be > 0, got %s", quote(l.Quantity.String()))
		case places(l.Quantity) > maxQuantityScale:
			v.add(p+".quantity", "at most %d decimal places, got %s", maxQuantityScale, quote(l.Quantity.String()))
		}
		if l.UOM != "" && !isUOM(l.UOM) {
			v.add(p+".uom", "want 1-3 uppercase letters or digits such as EA, CA, PK, LB, KG; got %s", quote(l.UOM))
		}
		if u := l.UnitPrice; u != nil {
			switch {
			case u.Sign() < 0:
				v.add(p+".unit_price", "must be >= 0, got %s", quote(u.String()))
			case places(*u) > maxPriceScale:
				v.add(p+".unit_price", "at most %d decimal places, got %s", maxPriceScale, quote(u.String()))
			}
		}
	}
}

func hasItem(l *Line) bool {
	if strings.TrimSpace(l.SKU) != "" || strings.TrimSpace(l.GTIN) != "" || strings.TrimSpace(l.BuyerItem) != "" {
		return true
	}
	for _, id := range l.ItemIDs {
		if strings.TrimSpace(id.ID) != "" {
			return true
		}
	}
	return false
}

// checkGTIN checks a GTIN-8, -12 (UPC-A), -13 (EAN) or -14 and its GS1 check
// digit, returning what is wrong or "".
func checkGTIN(g string) string {
	if !GTINShaped(g) {
		return fmt.Sprintf("want 8, 12, 13 or 14 digits, got %s", quote(g))
	}
	sum := 0
	// Weights 3,1,3,1... from the digit left of the check digit leftwards.
	for i, w := len(g)-2, 3; i >= 0; i, w = i-1, 4-w {
		sum += int(g[i]-'0') * w
	}
	want := byte('0' + (10-sum%10)%10)
	if got := g[len(g)-1]; got != want {
		return fmt.Sprintf("check digit should be %c, got %c", want, got)
	}
	return ""
}

// GTINShaped tells whether g has the shape of a GTIN-8, -12 (UPC-A), -13
// (EAN) or -14: that many digits. It does not check the check digit.
func GTINShaped(g string) bool {
	switch len(g) {
	case 8, 12, 13, 14:
	default:
		return false
	}
	for i := 0; i < len(g); i++ {
		if g[i] < '0' || g[i] > '9' {
			return false
		}
	}
	return true
}

// places is the number of decimal places d needs: trailing zeros do not
// count, so "1.50" has one.
func places(d decimal.Decimal) int {
	e := int(d.Exponent())
	if e >= 0 || d.Sign() == 0 {
		return 0
	}
	c := d.Coefficient()
	ten, r := big.NewInt(10), new(big.Int)
	n := -e
	for n > 0 {
		q, m := new(big.Int).QuoRem(c, ten, r)
		if m.Sign() != 0 {
			break
		}
		c = q
		n--
	}
	return n
}

func isDate(s string) bool {
	if len(s) != len(time.DateOnly) {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func isCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func isUOM(s string) bool {
	if len(s) < 1 || len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// isTypeCode accepts the "code:XX" form formats use for an order type code
// that has no word.
func isTypeCode(s string) bool {
	code, ok := strings.CutPrefix(s, "code:")
	if !ok || len(code) < 1 || len(code) > 3 {
		return false
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// plausibleID accepts the partner ids used in profiles, directory names and
// topics: nothing that needs quoting anywhere.
func plausibleID(s string) bool {
	if len(s) < 1 || len(s) > maxPartner {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// controlChar finds the first control character of s, with its index in
// characters.
func controlChar(s string) (int, rune, bool) {
	i := 0
	for _, r := range s {
		if unicode.IsControl(r) {
			return i, r, true
		}
		i++
	}
	return 0, 0, false
}

func oneOf(s string, set []string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// quote shows a value in a message, cut short when long.
func quote(s string) string {
	const maxShown = 40
	if utf8.RuneCountInString(s) <= maxShown {
		return strconv.Quote(s)
	}
	r := []rune(s)
	return strconv.Quote(string(r[:maxShown])) + fmt.Sprintf("… (%d characters)", len(r))
}
