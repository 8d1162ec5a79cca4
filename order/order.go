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
	StatusReceived     = "received"
	StatusParsed       = "parsed"
	StatusValidated    = "validated"
	StatusReserved     = "reserved"
	StatusPriced       = "priced"
	StatusRouted       = "routed"
	StatusBackordered  = "backordered"
	StatusAcknowledged = "acknowledged"
	StatusRejected     = "rejected"
	StatusDuplicate    = "duplicate"
	StatusCancelled    = "cancelled"
)

// Order is the canonical purchase order.
type Order struct {
	ID                    string      `json:"id,omitempty"`
	Partner               string      `json:"partner,omitempty"`
	PONumber              string      `json:"po_number"`
	Purpose               string      `json:"purpose,omitempty"`
	OrderType             string      `json:"order_type,omitempty"`
	OrderDate             string      `json:"order_date,omitempty"`
	Currency              string      `json:"currency,omitempty"`
	RequestedDeliveryDate string      `json:"requested_delivery_date,omitempty"`
	RequestedShipDate     string      `json:"requested_ship_date,omitempty"`
	CancelAfter           string      `json:"cancel_after,omitempty"`
	References            []Reference `json:"references,omitempty"`
	Parties               []Party     `json:"parties,omitempty"`
	Lines                 []Line      `json:"lines"`
	Source                *Source     `json:"source,omitempty"`

	// Set by the pipeline.
	Status      string       `json:"status,omitempty"`
	Problems    []Problem    `json:"problems,omitempty"`
	Allocations []Allocation `json:"allocations,omitempty"`
	Backorders  []Backorder  `json:"backorders,omitempty"`
	Pricing     *Pricing     `json:"pricing,omitempty"`
	Route       *Route       `json:"route,omitempty"`
}

// Reference is a qualified reference number (X12 REF, EDIFACT RFF).
type Reference struct {
	Qualifier string `json:"qualifier"`
	Value     string `json:"value"`
}

// Party is a name-and-address party of the order.
type Party struct {
	Role        string   `json:"role"`
	ID          string   `json:"id,omitempty"`
	IDQualifier string   `json:"id_qualifier,omitempty"`
	Name        string   `json:"name,omitempty"`
	Address     []string `json:"address,omitempty"`
	City        string   `json:"city,omitempty"`
	Region      string   `json:"region,omitempty"`
	PostalCode  string   `json:"postal_code,omitempty"`
	Country     string   `json:"country,omitempty"`
}

// Line is one order line.
type Line struct {
	LineNo      string            `json:"line_no"`
	SKU         string            `json:"sku,omitempty"`
	GTIN        string            `json:"gtin,omitempty"`
	BuyerItem   string            `json:"buyer_item,omitempty"`
	ItemIDs     map[string]string `json:"item_ids,omitempty"`
	Description string            `json:"description,omitempty"`
	Quantity    decimal.Decimal   `json:"quantity"`
	UOM         string            `json:"uom,omitempty"`
	UnitPrice   *decimal.Decimal  `json:"unit_price,omitempty"`
}

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

// Pricing is what the price stage decided, line by line, with its reasons.
type Pricing struct {
	Lines         []PricedLine    `json:"lines"`
	Subtotal      decimal.Decimal `json:"subtotal"`
	DiscountTotal decimal.Decimal `json:"discount_total"`
	Total         decimal.Decimal `json:"total"`
}

// PricedLine is the price of one line and how it was reached.
type PricedLine struct {
	LineNo          string          `json:"line_no"`
	UnitPrice       decimal.Decimal `json:"unit_price"`
	ListPrice       decimal.Decimal `json:"list_price"`
	PriceList       string          `json:"price_list,omitempty"`
	Adjustments     []Adjustment    `json:"adjustments,omitempty"`
	POPriceMismatch bool            `json:"po_price_mismatch"`
}

// Adjustment is one rule that moved a price away from the list price.
type Adjustment struct {
	Kind   string          `json:"kind"`
	Rule   string          `json:"rule"`
	Amount decimal.Decimal `json:"amount"`
}

// Route is where the order was sent.
type Route struct {
	Warehouse string `json:"warehouse"`
	Topic     string `json:"topic"`
	Carrier   string `json:"carrier,omitempty"`
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
	StatusRouted:       6,
	StatusBackordered:  6,
	StatusAcknowledged: 7,
	StatusRejected:     8,
	StatusDuplicate:    8,
	StatusCancelled:    8,
}

// Statuses lists every status, in rank order.
func Statuses() []string {
	return []string{StatusReceived, StatusParsed, StatusValidated, StatusReserved, StatusPriced,
		StatusRouted, StatusBackordered, StatusAcknowledged, StatusRejected, StatusDuplicate, StatusCancelled}
}

// Rank orders statuses along the pipeline so a stage can tell whether an
// order already went past it (a redelivered message must not move an order
// back). Unknown statuses rank 0.
func Rank(status string) int { return rank[status] }

// Final tells whether no stage will move an order in this status any further
// on its own.
func Final(status string) bool {
	switch status {
	case StatusRouted, StatusBackordered, StatusAcknowledged, StatusRejected, StatusDuplicate, StatusCancelled:
		return true
	}
	return false
}
