// Package order is the canonical purchase order every format is translated
// into and every stage of the pipeline works on: its types, its JSON form and
// its validation. It depends on nothing else in orderhub.
//
// Money and quantities are decimals (shopspring/decimal) written as JSON
// strings ("2.15"), never floats; dates are YYYY-MM-DD strings. Empty fields
// are omitted.
package order

import (
	"github.com/shopspring/decimal"
)

// Purpose says what the document does to the order (X12 BEG01, EDIFACT BGM03).
const (
	PurposeOriginal = "original"
	PurposeCancel   = "cancel"
	PurposeReplace  = "replace"
	PurposeChange   = "change"
)

// Order types as words (X12 BEG02, EDIFACT BGM01). An unknown code is kept
// as "code:<XX>".
const (
	TypeStandalone = "standalone"
	TypeDropship   = "dropship"
	TypeRelease    = "release"
	TypeBlanket    = "blanket"
	TypeRush       = "rush"
	TypeConsigned  = "consigned"
)

// Party roles (X12 N101, EDIFACT NAD).
const (
	RoleShipTo   = "ship_to"
	RoleBillTo   = "bill_to"
	RoleBuyer    = "buyer"
	RoleSupplier = "supplier"
	RoleSoldTo   = "sold_to"
	RoleShipFrom = "ship_from"
)

// Statuses an order goes through. The pipeline moves an order forward only:
// see Rank.
const (
	StatusReceived  = "received"
	StatusParsed    = "parsed"
	StatusValidated = "validated"
	StatusReserved  = "reserved"
	StatusPriced    = "priced"
	// StatusHeld is a priced order kept back for review (a price outside
	// the partner's tolerance, a credit limit): not routed until someone
	// releases it (orderhub release, POST /v1/orders/{id}/release). Its
	// reservations stay; Holds say why.
	StatusHeld         = "held"
	StatusRouted       = "routed"
	StatusBackordered  = "backordered"
	StatusAcknowledged = "acknowledged"
	StatusRejected     = "rejected"
	StatusDuplicate    = "duplicate"
	StatusCancelled    = "cancelled"
	// StatusApplied ends a cancel or change document once it has been
	// applied to the live order it names (see Applied); the live order
	// keeps its own status (cancelled, or routed/backordered after a
	// change).
	StatusApplied = "applied"
	// StatusShipped is set from outside (POST /v1/orders/{id}/shipped,
	// orderhub shipped): the warehouse shipped what was allocated, so the
	// order can no longer be changed or cancelled.
	StatusShipped = "shipped"
)

// Order is the canonical purchase order.
type Order struct {
	ID                    string `json:"id,omitempty"`
	Partner               string `json:"partner,omitempty"`
	PONumber              string `json:"po_number"`
	Purpose               string `json:"purpose,omitempty"`
	OrderType             string `json:"order_type,omitempty"`
	OrderDate             string `json:"order_date,omitempty"`
	Currency              string `json:"currency,omitempty"`
	RequestedDeliveryDate string `json:"requested_delivery_date,omitempty"`
	RequestedShipDate     string `json:"requested_ship_date,omitempty"`
	CancelAfter           string `json:"cancel_after,omitempty"`
	// FOB is the shipment method of payment (X12 FOB01: PP prepaid, CC
	// collect, ...).
	FOB          string        `json:"fob,omitempty"`
	PaymentTerms *PaymentTerms `json:"payment_terms,omitempty"`
	// Carrier is the carrier the partner asks for (X12 TD5).
	Carrier    *Carrier    `json:"carrier,omitempty"`
	References []Reference `json:"references,omitempty"`
	Contacts   []Contact   `json:"contacts,omitempty"`
	Parties    []Party     `json:"parties,omitempty"`
	// Notes are free-text messages to the supplier (X12 MSG/MTX, EDIFACT FTX).
	Notes []string `json:"notes,omitempty"`
	// Charges are order-level allowances and charges (X12 SAC, EDIFACT ALC).
	Charges []Charge `json:"charges,omitempty"`
	// TotalAmount is the order total as the partner states it (X12 AMT TT).
	TotalAmount *decimal.Decimal `json:"total_amount,omitempty"`
	Lines       []Line           `json:"lines"`
	Source      *Source          `json:"source,omitempty"`

	// Set by the pipeline.
	Status      string       `json:"status,omitempty"`
	Problems    []Problem    `json:"problems,omitempty"`
	Allocations []Allocation `json:"allocations,omitempty"`
	Backorders  []Backorder  `json:"backorders,omitempty"`
	// Outcomes say, for each line the rules changed or refused, what
	// became of it and why (a line without one was taken as ordered).
	// The 855 and ORDRSP builders and the status API read them.
	Outcomes []LineOutcome `json:"outcomes,omitempty"`
	Pricing  *Pricing      `json:"pricing,omitempty"`
	// Holds say why a held order was kept back, each with its rule; they
	// stay after a release, which the status history records.
	Holds []Hold `json:"holds,omitempty"`
	// Route is the primary warehouse's (the one shipping the most lines).
	Route *Route `json:"route,omitempty"`
	// Routes, when the order ships from more than one warehouse, are
	// each warehouse's, by warehouse code.
	Routes []Route `json:"routes,omitempty"`
	// Applied is set on a cancel, change or replace: the live order it
	// was applied to and what it changed in each warehouse.
	Applied *Applied `json:"applied,omitempty"`
}

// Reference is a qualified reference number (X12 REF, EDIFACT RFF).
type Reference struct {
	Qualifier string `json:"qualifier"`
	Value     string `json:"value"`
}

// Party is a name-and-address party of the order.
type Party struct {
	Role        string    `json:"role"`
	ID          string    `json:"id,omitempty"`
	IDQualifier string    `json:"id_qualifier,omitempty"`
	Name        string    `json:"name,omitempty"`
	Address     []string  `json:"address,omitempty"`
	City        string    `json:"city,omitempty"`
	Region      string    `json:"region,omitempty"`
	PostalCode  string    `json:"postal_code,omitempty"`
	Country     string    `json:"country,omitempty"`
	Contacts    []Contact `json:"contacts,omitempty"`
}

// Contact is a person or desk to reach about the order (X12 PER, EDIFACT CTA/COM).
type Contact struct {
	// Function is what the contact is for (X12 PER01: BD buyer, OC order
	// contact, ...).
	Function string `json:"function,omitempty"`
	Name     string `json:"name,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Email    string `json:"email,omitempty"`
	Fax      string `json:"fax,omitempty"`
}

// PaymentTerms are the terms of sale (X12 ITD, EDIFACT PAT).
type PaymentTerms struct {
	// Type is the terms type code (X12 ITD01: 01 basic, 05 discount not
	// applicable, ...).
	Type            string           `json:"type,omitempty"`
	DiscountPercent *decimal.Decimal `json:"discount_percent,omitempty"`
	DiscountDays    int              `json:"discount_days,omitempty"`
	NetDays         int              `json:"net_days,omitempty"`
	Description     string           `json:"description,omitempty"`
}

// Carrier is how the partner wants the goods shipped (X12 TD5, EDIFACT TDT).
type Carrier struct {
	// SCAC is the carrier's Standard Carrier Alpha Code.
	SCAC string `json:"scac,omitempty"`
	// Name is the carrier or routing as written (X12 TD505).
	Name string `json:"name,omitempty"`
	// Method is the transportation method (X12 TD504: M motor, A air, ...).
	Method string `json:"method,omitempty"`
	// ServiceLevel is the service level code (X12 TD512: ND next day, ...).
	ServiceLevel string `json:"service_level,omitempty"`
}

// Charge is an allowance or a charge (X12 SAC, EDIFACT ALC/MOA).
type Charge struct {
	// Kind is "allowance" or "charge".
	Kind string `json:"kind"`
	// Code says what for (X12 SAC02: C310 discount, D240 freight, ...).
	Code        string           `json:"code,omitempty"`
	Amount      *decimal.Decimal `json:"amount,omitempty"`
	Percent     *decimal.Decimal `json:"percent,omitempty"`
	Description string           `json:"description,omitempty"`
}

// Pack is how a line's item is packed (X12 PO4).
type Pack struct {
	// Pack is the number of inner units in an outer pack (PO401).
	Pack *decimal.Decimal `json:"pack,omitempty"`
	// Size of one inner unit, in UOM (PO402, PO403).
	Size *decimal.Decimal `json:"size,omitempty"`
	UOM  string           `json:"uom,omitempty"`
}

// Line is one order line.
type Line struct {
	LineNo      string           `json:"line_no"`
	SKU         string           `json:"sku,omitempty"`
	GTIN        string           `json:"gtin,omitempty"`
	BuyerItem   string           `json:"buyer_item,omitempty"`
	ItemIDs     ItemIDs          `json:"item_ids,omitempty"`
	Description string           `json:"description,omitempty"`
	Quantity    decimal.Decimal  `json:"quantity"`
	UOM         string           `json:"uom,omitempty"`
	UnitPrice   *decimal.Decimal `json:"unit_price,omitempty"`
	Pack        *Pack            `json:"pack,omitempty"`
	Charges     []Charge         `json:"charges,omitempty"`
	// Parties are line-level parties: where this line goes when it is not
	// where the order goes (X12 N1 loop in the PO1 loop, EDIFACT NAD in
	// the LIN group).
	Parties []Party  `json:"parties,omitempty"`
	Notes   []string `json:"notes,omitempty"`
	// Change is what a change order does to this line (X12 860 POC02 in
	// words: add, delete, change, quantity_increase, quantity_decrease,
	// price_change, or code:<XX>).
	Change string `json:"change,omitempty"`
	// Promotion and FreeOf mark free goods, a line orderhub added (never
	// the partner): the buy-X-get-Y promotion that gave it and the
	// numbers of the lines whose quantities earned it. It is priced at
	// zero; warehouses pick it like any line.
	Promotion string   `json:"promotion,omitempty"`
	FreeOf    []string `json:"free_of,omitempty"`
}

// Free tells whether the line is free goods orderhub added.
func (l *Line) Free() bool { return l.Promotion != "" }

// Source says where the order came from.
type Source struct {
	Format      string `json:"format,omitempty"`
	Transport   string `json:"transport,omitempty"`
	Document    string `json:"document,omitempty"`
	DocumentID  string `json:"document_id,omitempty"`
	SHA256      string `json:"sha256,omitempty"`
	Interchange string `json:"interchange,omitempty"`
	Group       string `json:"group,omitempty"`
	Transaction string `json:"transaction,omitempty"`
	// Position is where in the document the order starts: a line number for
	// NDJSON, a segment number for EDI, sheet!row for spreadsheets.
	Position string `json:"position,omitempty"`
	// How an EDIFACT order was written, so its ORDRSP answers in kind: the
	// syntax identifier and version ("UNOC:3"), the six service characters
	// in force (":+.? '"), the message version ("D:96A:UN:EAN008") and
	// the interchange's sender and recipient ("14:4012345000009", the
	// qualifier first when there is one).
	Syntax         string `json:"syntax,omitempty"`
	ServiceChars   string `json:"service_chars,omitempty"`
	MessageVersion string `json:"message_version,omitempty"`
	Sender         string `json:"sender,omitempty"`
	Recipient      string `json:"recipient,omitempty"`
}

// Problem is one reason an order or a line was refused, with the JSON path it
// is about (empty for the order as a whole).
type Problem struct {
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// Allocation is stock reserved for a line in a warehouse.
type Allocation struct {
	LineNo    string          `json:"line_no"`
	Warehouse string          `json:"warehouse"`
	Quantity  decimal.Decimal `json:"quantity"`
}

// Backorder is the part of a line no warehouse could serve.
type Backorder struct {
	LineNo   string          `json:"line_no"`
	Quantity decimal.Decimal `json:"quantity"`
}

// Line outcomes.
const (
	OutcomeAccepted        = "accepted"
	OutcomeBackordered     = "backordered"
	OutcomeQuantityChanged = "quantity_changed"
	OutcomePriceChanged    = "price_changed"
	OutcomeRejected        = "rejected"
	// OutcomeDeleted is a line a change or a cancel took off the order:
	// nothing of it ships any more.
	OutcomeDeleted = "deleted"
)

// LineOutcome is what became of one line, and why.
type LineOutcome struct {
	LineNo  string `json:"line_no"`
	Outcome string `json:"outcome"`
	// Quantity is the line's quantity in force (as ordered, converted to
	// the catalog's unit, rounded to the case pack, or cut), in UOM; zero
	// for a rejected line. Allocations and backorders are in the same
	// unit.
	Quantity decimal.Decimal `json:"quantity"`
	UOM      string          `json:"uom,omitempty"`
	// Short is what the line did not get for want of stock, backordered
	// or cancelled, in UOM; zero (left out) when it got all it wanted.
	Short  decimal.Decimal `json:"short,omitzero"`
	Reason string          `json:"reason,omitempty"`
	// Rule names the rule that decided it, when one did.
	Rule string `json:"rule,omitempty"`
	// PackSize is the item's pack size when the line was ordered in
	// another unit than UOM and converted through it (CA ordered, EA
	// sold), so quantities and prices can be told in the line's own unit
	// again (see InLineUnit); zero when no conversion was made.
	PackSize decimal.Decimal `json:"pack_size,omitzero"`
}

// Outcome is the outcome of line lineNo, nil when it has none.
func (o *Order) Outcome(lineNo string) *LineOutcome {
	for i := range o.Outcomes {
		if o.Outcomes[i].LineNo == lineNo {
			return &o.Outcomes[i]
		}
	}
	return nil
}

// InForce is the quantity of line l now in force: its outcome's, or as
// ordered.
func (o *Order) InForce(l *Line) decimal.Decimal {
	if oc := o.Outcome(l.LineNo); oc != nil {
		return oc.Quantity
	}
	return l.Quantity
}

// Pricing is what the price stage decided, line by line, with its reasons.
type Pricing struct {
	Lines []PricedLine `json:"lines"`
	// Adjustments are the order-level ones (a spend-threshold
	// promotion), each with its rule and its (negative) amount.
	Adjustments   []Adjustment    `json:"adjustments,omitempty"`
	Subtotal      decimal.Decimal `json:"subtotal"`
	DiscountTotal decimal.Decimal `json:"discount_total"`
	Total         decimal.Decimal `json:"total"`
	// TaxTotal is the sum of the lines' tax and TotalWithTax is Total
	// plus it; both absent when the rules have no tax rates.
	TaxTotal     *decimal.Decimal `json:"tax_total,omitempty"`
	TotalWithTax *decimal.Decimal `json:"total_with_tax,omitempty"`
}

// PricedLine is the price of one line and how it was reached.
type PricedLine struct {
	LineNo          string          `json:"line_no"`
	UnitPrice       decimal.Decimal `json:"unit_price"`
	ListPrice       decimal.Decimal `json:"list_price"`
	PriceList       string          `json:"price_list,omitempty"`
	Adjustments     []Adjustment    `json:"adjustments,omitempty"`
	POPriceMismatch bool            `json:"po_price_mismatch"`
	// TaxBase is the line's amount less its share of the order-level
	// adjustments, Tax is TaxBase times TaxRate rounded to the
	// currency, and TaxRule names the rate ("none" when the rules have
	// none for the ship-to: no tax). Absent when the rules have no tax
	// rates.
	TaxBase *decimal.Decimal `json:"tax_base,omitempty"`
	TaxRate *decimal.Decimal `json:"tax_rate,omitempty"`
	Tax     *decimal.Decimal `json:"tax,omitempty"`
	TaxRule string           `json:"tax_rule,omitempty"`
	// PriceCheck is how the PO's own unit price compared with ours when
	// they differ: within the partner's tolerance or not, and what was
	// done about it.
	PriceCheck *PriceCheck `json:"price_check,omitempty"`
}

// Adjustment is one rule that moved a price away from the list price.
type Adjustment struct {
	Kind   string          `json:"kind"`
	Rule   string          `json:"rule"`
	Amount decimal.Decimal `json:"amount"`
}

// Route is where the order was sent: the warehouse, and how and when its
// shipment goes.
type Route struct {
	Warehouse string `json:"warehouse"`
	Topic     string `json:"topic"`
	Carrier   string `json:"carrier,omitempty"`
	// Service is the service level (ground, express, priority, …).
	Service string `json:"service,omitempty"`
	// ShipDate (YYYY-MM-DD) is the day the warehouse ships, from its
	// cut-off time and calendar.
	ShipDate string `json:"ship_date,omitempty"`
	// CarrierRule is the id of the carrier rule that chose the carrier.
	CarrierRule string `json:"carrier_rule,omitempty"`
}

// Party returns the first party with role, or nil.
func (o *Order) Party(role string) *Party {
	for i := range o.Parties {
		if o.Parties[i].Role == role {
			return &o.Parties[i]
		}
	}
	return nil
}

// Line returns the line with line number n, or nil.
func (o *Order) Line(n string) *Line {
	for i := range o.Lines {
		if o.Lines[i].LineNo == n {
			return &o.Lines[i]
		}
	}
	return nil
}

var rank = map[string]int{
	StatusReceived:     1,
	StatusParsed:       2,
	StatusValidated:    3,
	StatusReserved:     4,
	StatusPriced:       5,
	StatusHeld:         6,
	StatusRouted:       7,
	StatusBackordered:  7,
	StatusAcknowledged: 8,
	StatusRejected:     9,
	StatusDuplicate:    9,
	StatusCancelled:    9,
	StatusApplied:      9,
	StatusShipped:      9,
}

// Statuses lists every status, in rank order.
func Statuses() []string {
	return []string{StatusReceived, StatusParsed, StatusValidated, StatusReserved, StatusPriced, StatusHeld,
		StatusRouted, StatusBackordered, StatusAcknowledged, StatusRejected, StatusDuplicate, StatusCancelled, StatusApplied, StatusShipped}
}

// Rank orders statuses along the pipeline so a stage can tell whether an
// order already went past it (a redelivered message must not move an order
// back). Unknown statuses rank 0.
func Rank(status string) int { return rank[status] }

// Final tells whether no stage will move an order in this status any further
// on its own. A held order is final in that sense: only a person's release
// moves it on.
func Final(status string) bool {
	switch status {
	case StatusHeld, StatusRouted, StatusBackordered, StatusAcknowledged, StatusRejected, StatusDuplicate, StatusCancelled,
		StatusApplied, StatusShipped:
		return true
	}
	return false
}
